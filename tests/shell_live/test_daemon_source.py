"""The shell on a live cluster: the daemon source and the levels through a real ApiServer
(in a thread, backed by the real CibStore), driven as `crmshell --socket S ...` would be."""

from __future__ import annotations

import io

import pytest

from crmshell import cli
from crmshell.cib.choose import Where, is_live, session_source
from crmshell.cib.live import DaemonSource
from crmshell.cib.source import ChangedMeanwhile
from crmshell.errors import ShellError
from crmshell.session import Session
from crmshell.lang.parser import parse_document
from crmshell.staging.define import define
from crmshell.staging.staged import StagedCib

pytestmark = pytest.mark.needs_agents

PRIMITIVE = "primitive d1 ocf:heartbeat:Dummy op monitor interval=10s"


def _ids(live, tag: str) -> list[str]:
    return [e.get("id") for e in live.dispatch.store.root.iter(tag)]


def test_configure_commits_a_patch_to_the_daemon(live):
    before = live.dispatch.store.version
    assert live.run("configure", *PRIMITIVE.split()) == 0, live.err
    assert _ids(live, "primitive") == ["d1"]
    assert live.dispatch.store.version.epoch == before.epoch + 1
    assert live.ops("apply-patch") == [{"force": False}] and not live.ops("wait")
    assert live.run("configure", "primitive", "d2", "ocf:heartbeat:Dummy", wait=True) == 0
    assert len(live.ops("wait")) == 1


def test_a_commit_against_a_stale_base_is_refused_with_the_ids(live):
    source = DaemonSource(live.socket)
    mine, theirs = StagedCib(source), StagedCib(DaemonSource(live.socket))
    define(theirs, parse_document("primitive other ocf:heartbeat:Dummy\n"))
    theirs.commit()
    define(mine, parse_document("primitive d1 ocf:heartbeat:Dummy\n"))
    with pytest.raises(ChangedMeanwhile) as info:
        mine.commit()
    text = str(info.value)
    assert text.startswith("CIB changed in the meantime: won't touch it!")
    assert "other" in info.value.changed and "'refresh'" in text and "'commit force'" in text
    assert _ids(live, "primitive") == ["other"]  # nothing lost
    mine.commit(force=True)
    assert "d1" in _ids(live, "primitive")


def test_resource_stop_and_start_with_wait(live):
    live.run("configure", *PRIMITIVE.split())
    assert live.run("resource", "stop", "d1", wait=True) == 0, live.err
    pairs = {p.get("name"): p.get("value") for p in live.dispatch.store.root.iter("nvpair")}
    assert pairs["target-role"] == "Stopped"
    assert live.ops("wait"), "-w waits for the transition"
    assert "INFO: d1: target-role=Stopped" in live.err


def test_restart_stops_waits_and_starts(live):
    live.run("configure", *PRIMITIVE.split())
    assert live.run("resource", "restart", "d1") == 0, live.err
    names = [op for op, _ in live.dispatch.requests]
    first, last = names.index("apply-patch"), len(names) - 1 - names[::-1].index("apply-patch")
    assert "wait" in names[first:last]  # the stop was carried out before the start was sent
    assert live.err.index("target-role=Stopped") < live.err.index("target-role=Started")


def test_move_says_which_constraint_and_how_to_clear_it(live):
    live.run("configure", *PRIMITIVE.split())
    assert live.run("resource", "move", "d1", "node1", "PT1H") == 0, live.err
    assert "INFO: Move constraint created for d1 to node1" in live.err
    assert "crmshell resource clear d1" in live.err and "PT1H" in live.err
    assert _ids(live, "rsc_location") == ["cli-prefer-d1"]
    assert live.run("resource", "clear", "d1") == 0
    assert _ids(live, "rsc_location") == []


def test_cleanup_and_status_attributes_go_to_the_daemon(live):
    live.run("configure", *PRIMITIVE.split())
    assert live.run("resource", "cleanup", "d1", "node1") == 0, live.err
    assert live.ops("resource")[-1] == {"action": "cleanup", "rsc": "d1", "node": "node1"}
    assert live.run("node", "status-attr", "node1", "set", "ping", "5") == 0, live.err
    assert live.run("node", "status-attr", "node1", "show", "ping") == 0, live.err
    assert live.out.strip() == "scope=status  name=ping value=5"


def test_node_standby_without_a_name_is_the_daemons_node(live):
    assert live.run("node", "standby") == 0, live.err
    node = live.dispatch.store.root.find("configuration/nodes/node")
    assert node.find("instance_attributes/nvpair").get("value") == "on"
    assert live.run("node", "standby", "reboot") == 0, live.err
    assert live.ops("node")[-1]["name"] == "standby"


def test_status_comes_from_the_daemon(live, capsys):
    live.run("configure", *PRIMITIVE.split())
    # the front end's quick path: no levels loaded, the same request
    assert cli.main(["--socket", live.socket, "status", "bynode"]) == 0
    assert "Cluster Summary:" in capsys.readouterr().out
    assert live.ops("status")[-1]["options"] == {"group_by_node": True}
    assert live.run("status") == 0, live.err
    assert "Cluster Summary:" in live.out and "d1" in live.out
    assert live.ops("status")[-1] == {"format": "text", "options": {"inactive": True}}
    assert live.run("status", "--xml") == 0
    assert live.out.startswith("<pacemaker-result")
    assert live.run("status", "bynode", "failcounts") == 0
    assert live.ops("status")[-1]["options"] == {"group_by_node": True, "failcounts": True}


def test_no_daemon_is_a_clear_error(tmp_path):
    missing = str(tmp_path / "nowhere.sock")
    err = io.StringIO()
    session = Session.create(socket=missing, env={"HOME": str(tmp_path)}, out=io.StringIO(), err=err)
    assert session.one_shot(["resource", "status"]) == 1
    text = err.getvalue()
    assert f"no crmshelld at {missing}: is it running?" in text and "--cib-file" in text
    assert "Traceback" not in text


def test_the_source_is_chosen_once_from_options_and_environment(tmp_path):
    env = {"CRMSHELL_SOCKET": "/x/env.sock", "HOME": str(tmp_path)}
    assert session_source(Where(), env).socket == "/x/env.sock"
    assert session_source(Where(socket="/x/opt.sock"), env).socket == "/x/opt.sock"
    assert not session_source(Where(), {**env, "CIB_file": str(tmp_path / "c.xml")}).live
    assert session_source(Where(socket="/x/o.sock"), {"CIB_file": "c.xml"}).live
    assert session_source(Where(), {}).socket == "/run/crmshell/crmshelld.sock"
    assert not session_source(Where(cib_file="f.xml", socket="/x/o.sock"), env).live
    for where, environment in ((Where(), env), (Where(socket="/s"), {"CIB_file": "c.xml"}),
                               (Where(), {"CIB_shadow": "try", "CIB_shadow_dir": str(tmp_path)}),
                               (Where(cib_file="f.xml"), {})):
        try:
            expected = session_source(where, environment).live
        except ShellError:  # the shadow does not exist: still not the live cluster
            expected = False
        assert is_live(where, environment) == expected, (where, environment)


def test_a_shadow_copied_from_the_cluster_is_committed_back(live, tmp_path):
    live.env["CIB_shadow_dir"] = str(tmp_path / "shadows")
    live.run("configure", *PRIMITIVE.split())
    batch = ("cib new try\nconfigure primitive d2 ocf:heartbeat:Dummy\nconfigure commit\n"
             "cib commit try\n")
    out, err = io.StringIO(), io.StringIO()
    session = Session.create(socket=live.socket, env=live.env, out=out, err=err)
    assert session.batch(batch, "shadow.crm") == 0, err.getvalue()
    assert (tmp_path / "shadows" / "shadow.try").exists()
    assert _ids(live, "primitive") == ["d1", "d2"]
