"""`simulate`'s what-if events and saved files, as crm_simulate has them (issue 10, item 17):
-u/-d/-f, -i/-F, -t, -q/-w, the ticket options, -I/-O/-X/-G/-D, and crm_simulate's -Q and
-s output. The pure parts are checked alone; where Pacemaker's crm_simulate 2.1.5 is
installed, the whole output and the saved graph are compared with it on small clusters."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from crmshell.simulate_cli import SimulateUsage, main, parse_args, run
from crmshell.simulate_report import plain_items
from daemon.scheduler.inject import Injections, apply_injections, parse_op_spec
from sched_cib import cib, clone, dummy, lrm_resource, node_state, op, running, stateful

NOW = 1_767_225_600
NODES = ["node1", "node2", "node3"]


def _dated(text: str) -> str:
    return text.replace("<cib ", f'<cib execution-date="{NOW}" ', 1)


def moving() -> str:
    """r1 runs on node1 but prefers node2; r2 is stopped (both start or move)."""
    status = node_state("node1", running("r1", "node1")) + node_state("node2") + \
        node_state("node3")
    return _dated(cib(nodes=NODES, resources=dummy("r1") + dummy("r2"), status=status,
                      constraints='<rsc_location id="l1" rsc="r1" node="node2" score="100"/>'))


def settled() -> str:
    """r1 on node1, r2 on node2, nothing to do."""
    status = node_state("node1", running("r1", "node1")) + \
        node_state("node2", running("r2", "node2", 20)) + node_state("node3")
    return _dated(cib(nodes=NODES, resources=dummy("r1") + dummy("r2"), status=status))


def with_clone() -> str:
    status = node_state("node1", running("c", "node1") + running("r1", "node1", 20)) + \
        node_state("node2", running("c", "node2", 30)) + node_state("node3")
    return _dated(cib(nodes=NODES, resources=clone("cl", dummy("c")) + dummy("r1"),
                      status=status))


def promotable() -> str:
    """A promotable clone promoted nowhere yet, and r1 placed with its promoted instance:
    promotion scores come between the clone's allocation scores and r1's."""
    history = lrm_resource("st", [op("st", "node1", "start", 10),
                                  op("st", "node1", "monitor", 11, interval_ms=10000)],
                           "Stateful")
    status = node_state("node1", history) + node_state("node2") + node_state("node3")
    return _dated(cib(nodes=NODES, resources=clone("ms1", stateful("st"),
                                                     meta={"promotable": "true"}) + dummy("r1"),
                      status=status, constraints='<rsc_colocation id="c1" rsc="r1" '
                      'with-rsc="ms1" with-rsc-role="Promoted" score="INFINITY"/>'))


@pytest.fixture
def write(tmp_path):
    def _write(text: str, name: str = "cib.xml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path
    return _write


def _ours(path: Path, *flags: str) -> list[str]:
    return run(parse_args(["-x", str(path), *flags]))


# ---- options --------------------------------------------------------------------------------

def test_options_in_every_spelling():
    opts = parse_args(["-x", "f", "-SsQ", "-unode1", "-u", "node2", "--node-down=node3",
                       "-f", "n4", "-i", "r1_monitor_10000@node1=7", "--op-fail",
                       "r1_stop_0@node1=1", "-t", "2026-06-01 12:00:00 +02:00", "-q", "0",
                       "-w1", "-g", "t1", "-r", "t2", "-b", "t3", "-e", "t4", "-O", "o.xml",
                       "--save-graph", "g.xml", "-D", "g.dot", "-I", "i.xml"])
    inj = opts.injections
    assert (opts.simulate, opts.scores, opts.quiet, opts.run) == (True, True, True, True)
    assert inj.node_up == ["node1", "node2"] and inj.node_down == ["node3"]
    assert inj.node_fail == ["n4"] and (inj.quorum, inj.watchdog) == ("0", "1")
    assert (inj.ticket_grant, inj.ticket_revoke, inj.ticket_standby, inj.ticket_activate) == \
        (["t1"], ["t2"], ["t3"], ["t4"])
    spec = inj.op_inject[0]
    assert (spec.rsc, spec.task, spec.interval_ms, spec.node, spec.rc) == \
        ("r1", "monitor", 10000, "node1", 7)
    assert opts.op_fail[0].task == "stop"
    assert (opts.save_output, opts.save_graph, opts.save_dotfile, opts.save_input) == \
        ("o.xml", "g.xml", "g.dot", "i.xml")
    assert parse_args(["-p", "-G", "g"]).xml_file == "-" and parse_args(["-p", "-D", "d"]).run
    assert parse_args(["-x", "f", "-X"]).simulate


@pytest.mark.parametrize("args,message", [
    (["-x", "f", "-i", "r1_monitor@node1=7"], "invalid operation 'r1_monitor@node1=7'"),
    (["-x", "f", "-F", "r1_stop_0@node1"], "expected RSC_TASK_INTERVAL@NODE=RC"),
    (["-x", "f", "-t", "yesterday"], "'yesterday' is not an ISO 8601 date"),
    (["-x", "f", "-u"], "option -u needs a value"),
    (["-L", "-X"], "it needs -x FILE"),
])
def test_malformed_what_if_is_a_usage_error(args, message, capsys):
    with pytest.raises(SimulateUsage, match=re.escape(message)):
        parse_args(args)
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_unknown_node_or_resource_exits_1(write, capsys):
    path = write(settled())
    assert main(["-x", str(path), "-R", "-u", "node9"]) == 1
    assert "no node named 'node9'" in capsys.readouterr().err
    assert main(["-x", str(path), "-R", "-i", "nope_monitor_0@node1=0"]) == 1
    assert "no primitive resource named 'nope'" in capsys.readouterr().err


# ---- what the injections write --------------------------------------------------------------

def _state(root, node: str):
    return root.find(f"status/node_state[@uname='{node}']")


def test_node_injections_write_the_node_state_as_crm_simulate():
    root = etree.fromstring(settled().encode())
    lines = apply_injections(root, Injections(node_down=["node2"], node_fail=["node1"],
                                              node_up=["node3"]), NOW)
    assert lines == ["Bringing node node3 online", "Taking node node2 offline",
                     "Failing node node1"]
    down = _state(root, "node2")
    assert (down.get("in_ccm"), down.get("crmd"), down.find("lrm")) == ("false", "offline", None)
    failed = _state(root, "node1")
    assert (failed.get("in_ccm"), failed.get("crmd"), failed.get("expected")) == \
        ("false", "online", "member")
    assert failed.find("lrm") is not None        # a failed node keeps its history


def test_tickets_quorum_and_watchdog_are_written_where_crm_simulate_writes_them():
    root = etree.fromstring(settled().encode())
    lines = apply_injections(root, Injections(quorum="0", watchdog="1", ticket_grant=["a"],
                                              ticket_revoke=["b"], ticket_standby=["a"],
                                              ticket_activate=["c"]), NOW)
    assert lines == ["Setting quorum: 0", "Setting watchdog: 1", "Granting ticket a",
                     "Revoking ticket b", "Making ticket a standby", "Activating ticket c"]
    tickets = {t.get("id"): dict(t.attrib) for t in root.iterfind("status/tickets/ticket_state")}
    assert tickets == {"a": {"id": "a", "granted": "true", "standby": "true"},
                       "b": {"id": "b", "granted": "false"},
                       "c": {"id": "c", "standby": "false"}}
    assert root.get("have-quorum") == "0"
    assert root.find("configuration/crm_config/cluster_property_set/nvpair"
                     "[@name='have-watchdog']").get("value") == "1"


def test_an_injected_failure_is_history_and_a_fail_count_that_adds_up():
    root = etree.fromstring(settled().encode())
    spec = parse_op_spec("r1_monitor_10000@node1=7")
    lines = apply_injections(root, Injections(op_inject=[spec, spec]), NOW + 5)
    assert lines[0] == "Injecting r1_monitor_10000@node1=7 into the configuration"
    assert lines[1] == ("Injecting attribute fail-count-r1#monitor_10000=value++ into "
                        "/node_state 'node1'")
    assert lines[2] == (f"Injecting attribute last-failure-r1#monitor_10000={NOW + 5} into "
                        "/node_state 'node1'")
    state = _state(root, "node1")
    values = {nv.get("name"): nv.get("value") for nv in state.iter("nvpair")}
    assert values["fail-count-r1#monitor_10000"] == "2"
    failure = state.find(".//lrm_resource[@id='r1']/lrm_rsc_op[@id='r1_last_failure_0']")
    assert (failure.get("operation_key"), failure.get("rc-code")) == ("r1_monitor_10000", "7")
    # a probe that finds the resource stopped is no failure: no fail count
    root = etree.fromstring(settled().encode())
    assert apply_injections(root, Injections(op_inject=[parse_op_spec(
        "r2_monitor_0@node3=7")]), NOW) == ["Injecting r2_monitor_0@node3=7 into the "
                                             "configuration"]


def test_an_injected_failure_is_recovered(write):
    lines = _ours(write(settled()), "-S", "-i", "r1_monitor_10000@node1=7")
    summary = lines[lines.index("Transition Summary:") + 1]
    assert " ".join(summary.split()) == "* Recover r1 ( node1 )"


def test_op_fail_stops_the_transition_and_the_failure_shows(write):
    lines = _ours(write(moving()), "-S", "-F", "r1_start_0@node2=1")
    at = lines.index("Pretending action 8 failed with rc=1")
    assert lines[at - 1].split() == ["*", "Resource", "action:", "r1", "start", "on", "node2"]
    assert lines[at + 1].startswith("  * Injecting attribute fail-count-r1#start_0=value++")
    executing = lines[lines.index("Executing Cluster Transition:"):at]
    assert not any("r2" in line and "start" in line for line in executing)   # aborted
    revised = lines[lines.index("Revised Cluster Status:"):]
    assert any("r1\t(ocf:pacemaker:Dummy):\t FAILED node2" in line for line in revised)
    assert any("r2\t(ocf:pacemaker:Dummy):\t Stopped" in line for line in revised)


def test_set_datetime_is_announced_and_used(write):
    path = write(moving())
    lines = _ours(path, "-R", "-t", "2026-06-01T12:00:00Z")
    assert lines[0] == "Setting effective cluster time: 2026-06-01T12:00:00Z"
    assert "Using the original execution date" not in "\n".join(lines)


def test_saved_input_output_graph_and_dot(write, tmp_path):
    path = write(moving())
    out, inp = tmp_path / "out.xml", tmp_path / "in.xml"
    graph, dot = tmp_path / "graph.xml", tmp_path / "graph.dot"
    _ours(path, "-S", "-d", "node3", "-I", str(inp), "-O", str(out), "-G", str(graph),
          "-D", str(dot))
    before = etree.parse(str(inp)).getroot()
    assert _state(before, "node3").get("crmd") == "offline"
    assert before.find(".//lrm_rsc_op[@operation='start'][@on_node='node2']") is None
    after = etree.parse(str(out)).getroot()
    assert after.find(".//node_state[@uname='node2']//lrm_rsc_op[@operation='start']") \
        is not None
    synapses = etree.parse(str(graph)).getroot().findall("synapse")
    assert {s.find("action_set/rsc_op").get("operation_key") for s in synapses} >= \
        {"r1_stop_0", "r1_start_0", "r2_start_0"}
    assert '"r1_stop_0 node1" -> "r1_start_0 node2" [ style = bold]' in dot.read_text()


def test_in_place_writes_the_result_back(write):
    path = write(moving())
    _ours(path, "-X")
    assert _ours(path, "-R")[-2:] == ["", "Transition Summary:"]      # nothing left to do


# ---- crm_simulate's -Q and -s ------------------------------------------------------------

def test_quiet_prints_only_scores_and_spacers(write):
    path = write(moving())
    assert _ours(path, "-Q", "-S") == []
    assert _ours(path, "-Q", "-R", "-u", "node3") == []
    assert _ours(path, "-Q", "-S", "-u", "node3") == [""]
    scores = _ours(path, "-Q", "-s", "-R")
    assert scores and all(line.startswith("pcmk__primitive_assign: ") for line in scores)


def test_scores_switch_to_crm_simulates_plain_text(write):
    lines = _ours(write(with_clone()), "-s", "-S")
    assert "Current cluster status:" not in lines and "Transition Summary:" not in lines
    assert lines[1] == "[ node1 node2 node3 ]"
    assert "Started: [ node1 node2 ]" in lines and "r1\t(ocf:pacemaker:Dummy):\t Started node1" \
        in lines
    assert not any(line.startswith(" ") for line in lines)


def test_plain_items_drop_headings_bullets_and_node_list_labels():
    fancy = ["  * Node List:", "    * Online: [ n1 n2 ]", "    * OFFLINE: [ n3 ]", "",
             "  * Full List of Resources:", "    * Resource Group: g:",
             "      * a\t(ocf:pacemaker:Dummy):\t Started n1", "    * Clone Set: c [d]:",
             "      * Started: [ n1 n2 ]"]
    assert plain_items(fancy) == ["[ n1 n2 ]", "[ n3 ]", "",
                                  "a\t(ocf:pacemaker:Dummy):\t Started n1", "Started: [ n1 n2 ]"]


# ---- against crm_simulate 2.1.5 ------------------------------------------------------------

needs_crm_simulate = pytest.mark.skipif(shutil.which("crm_simulate") is None,
                                        reason="Pacemaker's crm_simulate is not installed")
CASES = [
    (moving, ["-S"]), (moving, ["-s", "-S"]), (moving, ["-Q", "-s", "-S"]),
    (moving, ["-Q", "-R"]), (moving, ["-S", "-u", "node3", "-d", "node2", "-g", "t1"]),
    (moving, ["-R", "-t", "2026-06-01"]), (moving, ["-S", "-f", "node2"]),
    (moving, ["-S", "-F", "r1_start_0@node2=1"]), (moving, ["-S", "-q", "0", "-w", "1"]),
    (settled, ["-S", "-i", "r1_monitor_10000@node1=7"]),
    (settled, ["-s", "-S", "-d", "node1", "-i", "r2_monitor_0@node3=0"]),
    (settled, ["-Q", "-S", "-u", "node3"]), (settled, ["-S", "-r", "t2", "-b", "t3", "-e", "t4"]),
    (with_clone, ["-s", "-R", "-f", "node2"]), (promotable, ["-s", "-S"]),
    (promotable, ["-Q", "-s", "-R", "-u", "node2"]),
]


def _stamps(text: str) -> str:
    """Injected results carry the wall clock (crm_simulate's, and ours); clone scores are
    labelled with Pacemaker 3's function name (2.1: pcmk__clone_allocate)."""
    text = re.sub(r"last-failure-(\S+)=\d+", r"last-failure-\1=NOW", text)
    return text.replace("pcmk__clone_allocate: ", "pcmk__clone_assign: ")


@pytest.mark.needs_pacemaker
@needs_crm_simulate
@pytest.mark.parametrize("make,flags", CASES, ids=[f"{m.__name__}:{' '.join(f)}"
                                                    for m, f in CASES])
def test_output_is_crm_simulates(make, flags, write):
    path = write(make())
    theirs = subprocess.run(["crm_simulate", "-x", str(path), *flags], capture_output=True,
                            text=True, timeout=120, check=False)
    ours = subprocess.run([sys.executable, "-m", "crmshell", "simulate", "-x", str(path),
                           *flags], capture_output=True, text=True, timeout=120, check=False)
    assert ours.returncode == theirs.returncode == 0, (ours.stderr, theirs.stderr)
    assert _stamps(ours.stdout) == _stamps(theirs.stdout)


@pytest.mark.needs_pacemaker
@needs_crm_simulate
@pytest.mark.parametrize("make", [moving, settled])
def test_saved_graph_and_dot_are_crm_simulates(make, write, tmp_path):
    path = write(make())
    files = {}
    for who, argv in (("theirs", ["crm_simulate"]),
                      ("ours", [sys.executable, "-m", "crmshell", "simulate"])):
        graph, dot = tmp_path / f"{who}.xml", tmp_path / f"{who}.dot"
        subprocess.run([*argv, "-x", str(path), "-S", "-i", "r1_monitor_10000@node1=7",
                        "-G", str(graph), "-D", str(dot)], capture_output=True, timeout=120,
                       check=True)
        files[who] = (graph.read_text(), dot.read_text())
    assert files["ours"] == files["theirs"]
