"""Shutdown locks (daemon/scheduler/shutdown_lock.py): a resource stopped by a clean
shutdown waits for its node instead of moving, until shutdown-lock-limit runs out."""

from __future__ import annotations

from daemon.scheduler import schedule
from daemon.scheduler.cib_xml import parse_cib_text
from daemon.scheduler.criteria import apply_node_criteria
from daemon.scheduler.engine import build_working_set
from daemon.scheduler.recheck import next_recheck
from tests.scheduler import sched_cib as c

NOW = 1_767_225_600
NODES = ["node1", "node2"]


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in schedule(parse_cib_text(text), NOW).summary_lines]


def _shutting_down(props: dict[str, str]) -> str:
    status = (c.node_state("node1", c.running("r", "node1"), attrs={"shutdown": str(NOW - 5)})
              + c.node_state("node2"))
    return c.cib(nodes=NODES, resources=c.dummy("r"), status=status, props=props)


def test_a_resource_on_a_node_shutting_down_stops_and_waits():
    assert _lines(_shutting_down({"shutdown-lock": "true"})) == [
        "* Stop r ( node1 ) due to node availability"]
    assert _lines(_shutting_down({"shutdown-lock": "false"})) == ["* Move r ( node1 -> node2 )"]


def _locked_on_offline_node1(since: int, props: dict[str, str]) -> str:
    lrm = c.lrm_resource("r", [c.op("r", "node1", "stop", 12)]).replace(
        '<lrm_resource id="r"', f'<lrm_resource id="r" shutdown-lock="{since}"', 1)
    status = c.node_state("node1", lrm, up=False) + c.node_state("node2")
    return c.cib(nodes=NODES, resources=c.dummy("r"), status=status,
                 props={"shutdown-lock": "true", **props})


def test_a_recorded_lock_keeps_the_resource_for_its_node_until_the_limit():
    assert _lines(_locked_on_offline_node1(NOW - 60, {})) == []
    assert _lines(_locked_on_offline_node1(NOW - 60, {"shutdown-lock-limit": "10m"})) == []
    assert _lines(_locked_on_offline_node1(NOW - 900, {"shutdown-lock-limit": "10m"})) == [
        "* Start r ( node2 )"]


def test_the_lock_expiry_is_a_recheck_moment():
    ws = build_working_set(parse_cib_text(
        _locked_on_offline_node1(NOW - 60, {"shutdown-lock-limit": "10m"})), NOW)
    apply_node_criteria(ws)
    assert next_recheck(ws) == NOW - 60 + 600 + 1


def test_the_graph_carries_the_lock_to_the_executor():
    from daemon.scheduler.engine import run_pipeline
    from daemon.scheduler.graph import build_graph
    ws = run_pipeline(parse_cib_text(_shutting_down({"shutdown-lock": "true"})), NOW)
    stop, = [a for a in build_graph(ws, 1, "uuid").actions if a.task == "stop"]
    assert stop.meta["shutdown_lock"] == str(NOW - 5)
