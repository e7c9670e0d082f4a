"""The pure pieces of the status output: time texts, option words, operation keys, the
failed-action lines and the summary on a small hand-written CIB (its expected lines are
what crm_mon 2.1.5 printed for the same file), bad input, and the import cost a
`crmshell status` client pays."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree

from daemon.status import (StatusError, StatusOptions, crm_status_options, render_text,
                           render_xml)
from daemon.status.options import crm_mon_argv
from daemon.status.results import parse_op_key, scan_int
from daemon.status.timefmt import ctime_text, iso_text, parse_ctime, readable_interval

ROOT = Path(__file__).resolve().parents[2]
CIB = (Path(__file__).parent / "two_failures.xml").read_text()
NOW = 1_767_225_600       # Thu Jan  1 00:00:00 2026 UTC


@pytest.fixture
def utc():
    """crm_mon prints local time; the expectations are written for UTC."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


# ---- time texts ---------------------------------------------------------------------------

@pytest.mark.parametrize("ms, text", [
    (0, "0s"), (10, "10ms"), (1000, "1000ms"), (1001, "1.001s"), (1500, "1.500s"),
    (20000, "20s"), (60000, "60s"), (60001, "1m1ms"), (95134, "1m35.134s"),
    (3_600_000, "60m"), (3_661_000, "1h1m1000ms"), (90_000_000, "1d60m"),
])
def test_readable_interval_counts_a_unit_only_when_more_than_one_remains(ms, text):
    assert readable_interval(ms) == text


def test_ctime_and_iso_texts(utc):
    assert ctime_text(NOW) == "Thu Jan  1 00:00:00 2026"
    assert ctime_text(NOW + 86_400 * 9 + 3723) == "Sat Jan 10 01:02:03 2026"
    assert iso_text(NOW) == "2026-01-01 00:00:00Z"
    assert parse_ctime("Thu Jan  1 00:00:00 2026") == NOW


def test_iso_text_names_a_non_utc_offset():
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "EST+5"
    time.tzset()
    try:
        assert iso_text(NOW) == "2025-12-31 19:00:00-05:00"
    finally:
        os.environ["TZ"] = saved if saved is not None else "UTC"
        if saved is None:
            os.environ.pop("TZ")
        time.tzset()


# ---- option words -------------------------------------------------------------------------

def test_no_words_is_crm_mon_r():
    assert crm_status_options([]) == StatusOptions(inactive=True)


@pytest.mark.parametrize("words, expected", [
    (["bynode"], StatusOptions(group_by_node=True)),
    (["inactive", "ops"], StatusOptions(inactive=True, operations=True)),
    (["timing", "failcounts"], StatusOptions(timing=True, failcounts=True)),
    (["tickets", "noheaders", "detail"], StatusOptions(tickets=True, hide_headers=True,
                                                       detail=True)),
    (["brief", "quiet"], StatusOptions(brief=True, quiet=True)),
    (["verbose"], StatusOptions()),
    (["xml"], StatusOptions(output="xml")),
    (["html"], StatusOptions(output="html")),
    (["simple"], StatusOptions(output="simple")),
    (["full"], StatusOptions(group_by_node=True, tickets=True, inactive=True,
                             failcounts=True, timing=True)),
])
def test_crm_status_words(words, expected):
    assert crm_status_options(words) == expected


@pytest.mark.parametrize("words, expected", [
    (["--fence-history"], StatusOptions(inactive=True, fence_history=2)),   # crm_mon's rule
    (["-m"], StatusOptions(inactive=True, fence_history=2)),
    (["-m3"], StatusOptions(inactive=True, fence_history=3)),
    (["--fence-history=0", "bynode"], StatusOptions(group_by_node=True, fence_history=0)),
    (["xml", "-m1"], StatusOptions(output="xml")),
])
def test_crm_mon_fence_history_option(words, expected):
    assert crm_status_options(words) == expected
    argv = crm_mon_argv(expected)
    assert (f"--fence-history={expected.fence_history}" in argv) == (expected.fence_history != 1)


@pytest.mark.parametrize("word, message", [
    ("-m9", r"status word 1: -m takes a level 0-3 .*not '9'"),
    ("--fence-history=x", r"status word 1: --fence-history takes a level 0-3"),
    ("--fence-historyx", r"status word 1: unknown option '--fence-historyx'"),
])
def test_bad_fence_history_levels_are_named(word, message):
    with pytest.raises(StatusError, match=message):
        crm_status_options([word])


def test_unknown_word_is_named_with_its_position():
    with pytest.raises(StatusError, match=r"status word 2: unknown option 'bynodes'"):
        crm_status_options(["inactive", "bynodes"])


def test_full_is_crmsh_ncrft():
    assert crm_mon_argv(crm_status_options(["full"])) == ["crm_mon", "-1", "-n", "-r", "-f",
                                                          "-t", "-c"]
    assert crm_mon_argv(StatusOptions(output="xml", neg_locations="")) == [
        "crm_mon", "-1", "-L", "--output-as=xml"]


def test_options_travel_as_a_dict_of_changes():
    options = crm_status_options(["bynode", "xml"])
    assert options.changed() == {"group_by_node": True, "output": "xml"}
    assert StatusOptions(**options.changed()) == options
    assert hash(StatusOptions(**options.changed())) == hash(options)
    assert repr(options) == "StatusOptions(group_by_node=True, output='xml')"
    with pytest.raises(StatusError, match=r"options\.bynode: not a status option"):
        StatusOptions(bynode=True)
    with pytest.raises(StatusError, match=r"options\.inactive: expected bool, got str"):
        StatusOptions(inactive="yes")
    with pytest.raises(StatusError, match=r"options\.fence_history: expected int"):
        StatusOptions(fence_history=True)
    with pytest.raises(StatusError, match=r"options\.fence_history: 4 is not a level"):
        StatusOptions(fence_history=4)
    with pytest.raises(StatusError, match=r"options\.neg_locations: expected a prefix"):
        StatusOptions(neg_locations=3)
    with pytest.raises(StatusError, match=r"output: 'pdf' is not one of"):
        StatusOptions(output="pdf")
    with pytest.raises(AttributeError, match="immutable"):
        options.inactive = True


# ---- operation keys and numbers ------------------------------------------------------------

@pytest.mark.parametrize("key, parsed", [
    ("web_start_0", ("web", "start", 0)),
    ("my_web_monitor_10000", ("my_web", "monitor", 10000)),
    ("vm_migrate_to_0", ("vm", "migrate_to", 0)),
    ("db_post_notify_start_0", ("db", "post_notify_start", 0)),
    ("web", None), ("web_start_x", None), ("", None), (None, None),
])
def test_parse_op_key(key, parsed):
    assert parse_op_key(key) == parsed


def test_scan_int_reads_a_leading_integer():
    assert scan_int("12abc") == 12
    assert scan_int("-3") == -3
    assert scan_int("x", 7) == 7
    assert scan_int(None, 4) == 4


# ---- a small CIB, as crm_mon 2.1.5 printed it ------------------------------------------------

def test_summary_failcounts_and_failed_actions(utc):
    lines = render_text(CIB, now=NOW, options=StatusOptions(inactive=True, failcounts=True))
    assert lines == [
        "Cluster Summary:",
        "  * Stack: corosync",
        "  * Current DC: node1 (version 2.1.5-crmshell) - partition with quorum",
        "  * Last updated: Thu Jan  1 00:00:00 2026",
        "  * Last change:  Thu Jan  1 00:00:00 2026 by root via cibadmin on node1",
        "  * 2 nodes configured",
        "  * 2 resource instances configured",
        "",
        "Node List:",
        "  * Online: [ node1 ]",
        "  * OFFLINE: [ node2 ]",
        "",
        "Full List of Resources:",
        "  * web\t(ocf:heartbeat:Dummy):\t FAILED node1",
        "  * db\t(ocf:heartbeat:Dummy):\t FAILED node1",
        "",
        "Migration Summary:",
        "  * Node: node1:",
        "    * web: migration-threshold=1000000 fail-count=1000000 "
        "last-failure='Wed Dec 31 23:50:00 2025'",
        "",
        "Failed Resource Actions:",
        "  * web start on node1 returned 'error' (could not bind) at Wed Dec 31 23:50:00 2025"
        " after 1.500s",
        "  * db 10s-interval monitor on node1 could not be executed (Timed Out) at "
        "Wed Dec 31 23:51:10 2025 after 20s",
    ]


def test_technical_failed_actions_with_detail(utc):
    lines = render_text(CIB, now=NOW, options=StatusOptions(detail=True))
    assert lines[-3:] == [
        "Failed Resource Actions:",
        "  * web_start_0 on node1 'error' (1): call=12, status='complete', "
        "exitreason='could not bind', last-rc-change='Wed Dec 31 23:50:00 2025', "
        "queued=0ms, exec=1500ms",
        "  * db_monitor_10000 on node1 'error' (1): call=15, status='Timed Out', "
        "last-rc-change='Wed Dec 31 23:51:10 2025', queued=5ms, exec=20000ms",
    ]


def test_live_cluster_fields_and_quiet(utc):
    lines = render_text(CIB, now=NOW + 0.9, local_node="node1", pacemakerd_state="running")
    assert lines[1] == "  * Stack: corosync (Pacemaker is running)"
    assert lines[3] == "  * Last updated: Thu Jan  1 00:00:00 2026 on node1"
    bare = CIB.replace('<nvpair id="o2" name="cluster-infrastructure" value="corosync"/>', "")
    assert render_text(bare, now=NOW)[1] == "  * Stack: unknown"
    assert render_text(bare, now=NOW, stack="corosync")[1] == "  * Stack: corosync"
    assert render_text(CIB, now=NOW, stack="other")[1] == "  * Stack: corosync"
    stack = etree.fromstring(render_xml(bare, now=NOW, stack="corosync",
                                        pacemakerd_state="running")).find("summary/stack")
    assert stack.attrib == {"type": "corosync", "pacemakerd-state": "running"}
    quiet = render_text(CIB, now=NOW, options=StatusOptions(quiet=True))
    assert not any("Last updated" in line or "Last change" in line for line in quiet)
    assert render_text(CIB, now=NOW, options=StatusOptions(hide_headers=True))[0] == \
        "Node List:"


def test_xml_document(utc):
    root = etree.fromstring(render_xml(CIB, now=NOW, local_node="node1"))
    assert root.tag == "pacemaker-result" and root.get("api-version") == "2.25"
    assert root.get("request") == "crm_mon -1 --output-as=xml"
    assert [child.tag for child in root] == ["summary", "nodes", "resources", "node_history",
                                             "failures", "status"]
    assert root.find("summary/last_update").attrib == {"time": "Thu Jan  1 00:00:00 2026",
                                                       "origin": "node1"}
    web = root.find("resources/resource[@id='web']")
    assert (web.get("role"), web.get("failed"), web.find("node").get("name")) == \
        ("Started", "true", "node1")
    failure = root.find("failures/failure[@op_key='db_monitor_10000']")
    assert (failure.get("status"), failure.get("interval"), failure.get("last-rc-change")) \
        == ("Timed Out", "10000", "2025-12-31 23:51:10Z")
    assert root.find("status").attrib == {"code": "0", "message": "OK"}


# ---- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("cib, message", [
    ("<cib><configuration>", r"CIB:1:\d+: not well-formed XML"),
    ("<configuration/>", r"/configuration: not a CIB"),
    ("<cib/>", r"/cib/configuration: missing"),
    (42, r"CIB: expected an XML element, got int"),
])
def test_not_a_cib_is_a_clear_error(cib, message):
    with pytest.raises(StatusError, match=message):
        render_text(cib, now=NOW)
    with pytest.raises(StatusError, match=message):
        render_xml(cib, now=NOW)


# ---- import cost ------------------------------------------------------------------------------

def test_a_status_client_does_not_load_the_scheduler():
    code = ("import sys, time; t = time.perf_counter(); import daemon.status as s; "
            "s.crm_status_options(['bynode']).changed(); "
            "print(time.perf_counter() - t); "
            "print(sorted(m for m in sys.modules if m.startswith(('daemon.scheduler', 'lxml'))))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=30, check=True)
    seconds, loaded = result.stdout.splitlines()
    assert loaded == "[]"
    assert float(seconds) < 0.03     # about 6 ms here; the process's budget is 0.1 s


# ---- fencing history (the fencer's, given by the daemon) -----------------------------------

def _history():
    from daemon.status.fencing import DONE, FAILED, PENDING, FenceEvent

    return [
        FenceEvent("reboot", "node3", PENDING, "stonith_admin.1", "node1"),
        FenceEvent("off", "node2", DONE, "pacemaker-controld.7", "node1", delegate="node1",
                   completed=NOW - 30),
        FenceEvent("off", "node2", FAILED, "pacemaker-controld.7", "node1", delegate="node3",
                   completed=NOW - 60, exit_reason="no route"),
        FenceEvent("off", "node2", FAILED, "pacemaker-controld.7", "node1", delegate="node3",
                   completed=NOW - 90),
    ]


def test_fencing_sections_by_level(utc):
    default = render_text(CIB, now=NOW, fence_history=_history())
    failed = ("  * off of node2 by node3 for pacemaker-controld.7@node1 last failed (no route) "
              "at 2025-12-31 23:59:00Z (a later attempt from node1 succeeded)")
    assert default[-5:] == ["Failed Fencing Actions:", failed, "",
                            "Pending Fencing Actions:",
                            "  * reboot of node3 for stonith_admin.1@node1 last pending"]
    for level in (2, 3):        # the same in crm_mon 2.1: every event, no "last"
        full = render_text(CIB, now=NOW, fence_history=_history(),
                           options=StatusOptions(fence_history=level))
        start = full.index("Failed Fencing Actions:")
        assert full[start + 1:start + 4] == [
            "  * off of node2 by node3 for pacemaker-controld.7@node1 failed (no route) at "
            "2025-12-31 23:59:00Z (a later attempt from node1 succeeded)",
            "  * off of node2 by node3 for pacemaker-controld.7@node1 failed at "
            "2025-12-31 23:58:30Z (a later attempt from node1 succeeded)", ""]
        assert full[-3:] == [
            "Fencing History:", "  * reboot of node3 for stonith_admin.1@node1 pending",
            "  * off of node2 by node1 for pacemaker-controld.7@node1 successful at "
            "2025-12-31 23:59:30Z"]
    detail = render_text(CIB, now=NOW, fence_history=_history(),
                         options=StatusOptions(fence_history=2, detail=True))
    assert detail[-1] == ("  * off of node2 successful: delegate=node1, "
                          "client=pacemaker-controld.7, origin=node1, "
                          "completed='2025-12-31 23:59:30Z'")
    reduced = render_text(CIB, now=NOW, fence_history=_history(),
                          options=StatusOptions(detail=True))
    assert ("  * off of node2 failed (no route): delegate=node3, client=pacemaker-controld.7, "
            "origin=node1, last-failed='2025-12-31 23:59:00Z' (a later attempt from node1 "
            "succeeded)") in reduced
    assert not any("Fencing" in line
                   for line in render_text(CIB, now=NOW, fence_history=_history(),
                                           options=StatusOptions(fence_history=0)))


def test_fencing_history_in_xml(utc):
    root = etree.fromstring(render_xml(CIB, now=NOW, fence_history=_history(),
                                       options=StatusOptions(fence_history=3)))
    events = [dict(e.attrib) for e in root.iterfind("fence_history/fence_event")]
    assert events[0] == {"action": "reboot", "target": "node3", "client": "stonith_admin.1",
                         "origin": "node1", "status": "pending"}
    assert events[2] == {"action": "off", "target": "node2", "client": "pacemaker-controld.7",
                         "origin": "node1", "status": "failed", "exit-reason": "no route",
                         "delegate": "node3", "completed": "2025-12-31 23:59:00Z"}
    assert len(events) == 4


# ---- brief, simple and the format dispatcher ------------------------------------------------

def test_brief_counts_primitives_per_agent_and_node(utc):
    lines = render_text(CIB, now=NOW, options=StatusOptions(brief=True, inactive=True))
    start = lines.index("Full List of Resources:")
    assert lines[start + 1:start + 2] == ["  * 2/2\t(ocf:heartbeat:Dummy):\tActive node1"]


def test_simple_line_and_render_by_format(utc):
    from daemon.status import render, render_simple
    from daemon.status.simple import is_warning

    line, = render_simple(CIB, now=NOW)
    assert line == "CLUSTER WARN: offline node: node2" and is_warning(line)
    assert render(CIB, now=NOW, options=StatusOptions(output="simple")) == \
        b"CLUSTER WARN: offline node: node2\n"
    assert render(CIB, now=NOW, options=StatusOptions(output="xml")).startswith(
        b"<pacemaker-result")
    assert render(CIB, now=NOW).decode().splitlines() == render_text(CIB, now=NOW)
    with pytest.raises(StatusError, match=r"options\.output: 'html' output is not supported"):
        render(CIB, now=NOW, options=StatusOptions(output="html"))


# ---- the ticket table's order ---------------------------------------------------------------------

@pytest.mark.parametrize("inserted, listed", [     # as crm_mon 2.1.5 listed these tickets
    (["a", "b"], ["b", "a"]),
    (["a", "e"], ["a", "e"]),
    (["ticket1", "ticket2", "ticket3", "ticket4", "ticket5"],
     ["ticket3", "ticket5", "ticket2", "ticket4", "ticket1"]),
    (["Tk", "tk", "rsc-ticket-1", "geo_site"], ["tk", "Tk", "rsc-ticket-1", "geo_site"]),
    (["b", "a", "zz", "t", "ticketX", "q", "w", "e", "r", "y"],       # one resize
     ["a", "t", "ticketX", "zz", "e", "r", "q", "w", "y", "b"]),
    ([f"m{i}" for i in range(20)],                                      # two resizes
     ["m10", "m0", "m13", "m3", "m6", "m16", "m9", "m19", "m1", "m11", "m14", "m4", "m7",
      "m17", "m12", "m2", "m5", "m15", "m8", "m18"]),
])
def test_tickets_come_in_glib_table_order(inserted, listed):
    from daemon.status.ghash import hash_order

    assert hash_order(inserted) == listed
    assert hash_order(inserted + inserted[:1]) == listed


def test_a_time_beyond_range_is_left_out_as_crm_mon_does(utc):
    from daemon.status.timefmt import epoch_of

    assert epoch_of("1767225000abc") == 1767225000
    assert epoch_of("99999999999999999999") is None
    assert epoch_of("soon") is None and epoch_of(None) is None
    huge = CIB.replace('last-rc-change="1767225000"', 'last-rc-change="99999999999999999999"')
    lines = render_text(huge, now=NOW)
    assert "  * web start on node1 returned 'error' (could not bind) after 1.500s" in lines
