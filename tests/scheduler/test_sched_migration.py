"""Live migration: what the scheduler plans for allow-migrate resources (migrate_to on the
source, migrate_from on the target, stop on the source, a pseudo start on the target), when a
migration falls back to a move, and what migrate_to/migrate_from history means."""

from __future__ import annotations

import re

from daemon.scheduler import schedule
from daemon.scheduler.cib_xml import parse_cib_text
from crmshell.simulate_cli import parse_args
from crmshell.simulate_report import report_lines
from sched_cib import cib, dummy, lrm_resource, node_state, op, running

NOW = 1_767_225_600
NODES = ["node1", "node2"]


def _prefer(rsc: str, node: str, score: str = "INFINITY", cid: str | None = None) -> str:
    return f'<rsc_location id="{cid or "loc-" + rsc}" rsc="{rsc}" node="{node}" score="{score}"/>'


def _migrating_op(rsc: str, node: str, task: str, call_id: int, source: str, target: str,
                  **kw) -> str:
    text = op(rsc, node, task, call_id, **kw)
    return text.replace("<lrm_rsc_op ", f'<lrm_rsc_op migrate_source="{source}" '
                                        f'migrate_target="{target}" ', 1)


def _plan(resources: str, constraints: str = "", status: str | None = None):
    if status is None:
        status = node_state("node1", running("vm", "node1")) + node_state("node2")
    return schedule(parse_cib_text(cib(nodes=NODES, resources=resources,
                                       constraints=constraints, status=status)), NOW)


def _lines(transition) -> list[str]:
    return [re.sub(r"\s+", " ", line.strip()) for line in transition.summary_lines]


def _graph(transition) -> dict[str, object]:
    return {f"{a.key}@{None if a.pseudo else a.node}": a for a in transition.actions
            if a.in_graph}


VM = dummy("vm", meta={"allow-migrate": "true"})


def test_a_moving_migratable_resource_migrates():
    transition = _plan(VM, _prefer("vm", "node2"))
    assert _lines(transition) == ["* Migrate vm ( node1 -> node2 )"]
    graph = _graph(transition)
    assert {"vm_migrate_to_0@node1", "vm_migrate_from_0@node2", "vm_stop_0@node1",
            "vm_start_0@None", "vm_monitor_10000@node2"} <= set(graph)
    migrate_to = graph["vm_migrate_to_0@node1"]
    assert migrate_to.meta["migrate_source"] == "node1"
    assert migrate_to.meta["migrate_target"] == "node2"
    assert graph["vm_migrate_from_0@node2"].meta["migrate_source"] == "node1"


def test_the_migration_runs_migrate_to_then_migrate_from_then_stop():
    text = cib(nodes=NODES, resources=VM, constraints=_prefer("vm", "node2"),
               status=node_state("node1", running("vm", "node1")) + node_state("node2"))
    lines = report_lines(parse_cib_text(text), parse_args(["-x", "-", "-S"]), NOW)
    steps = [" ".join(x.split()).removeprefix("* ") for x in lines
             if "Resource action" in x or "Pseudo action" in x]
    to = steps.index("Resource action: vm migrate_to on node1")
    frm = steps.index("Resource action: vm migrate_from on node2")
    stop = steps.index("Resource action: vm stop on node1")
    start = steps.index("Pseudo action: vm_start_0")
    assert to < frm < stop < start


def test_without_allow_migrate_it_moves():
    assert _lines(_plan(dummy("vm"), _prefer("vm", "node2"))) == \
        ["* Move vm ( node1 -> node2 )"]


def test_a_failed_resource_is_recovered_not_migrated():
    status = node_state("node1", lrm_resource("vm", [op("vm", "node1", "start", 10),
                                                   op("vm", "node1", "monitor", 11, rc=1,
                                                      interval_ms=10000, expected=0)]))
    transition = _plan(VM, _prefer("vm", "node2"), status + node_state("node2"))
    assert _lines(transition) == ["* Recover vm ( node1 -> node2 )"]
    assert not [a for a in transition.actions if a.task.startswith("migrate") and a.in_graph]


def test_a_dependency_that_restarts_turns_the_migration_into_a_move():
    # B starts after A; A moves without migrating, so B's migration is not possible
    resources = dummy("A") + dummy("B", meta={"allow-migrate": "true"})
    constraints = (_prefer("A", "node2", cid="la") + _prefer("B", "node2", cid="lb")
                   + '<rsc_order id="o" first="A" then="B" kind="Mandatory"/>')
    status = node_state("node1", running("A", "node1") + running("B", "node1", 20)) \
        + node_state("node2")
    lines = _lines(_plan(resources, constraints, status))
    assert "* Move A ( node1 -> node2 )" in lines
    assert any(line.startswith("* Move B ( node1 -> node2 )") for line in lines)


def test_ordered_migratable_resources_both_migrate():
    resources = dummy("A", meta={"allow-migrate": "true"}) \
        + dummy("B", meta={"allow-migrate": "true"})
    constraints = (_prefer("A", "node2", cid="la") + _prefer("B", "node2", cid="lb")
                   + '<rsc_order id="o" first="A" then="B" kind="Mandatory"/>')
    status = node_state("node1", running("A", "node1") + running("B", "node1", 20)) \
        + node_state("node2")
    transition = _plan(resources, constraints, status)
    assert sorted(_lines(transition)) == ["* Migrate A ( node1 -> node2 )",
                                          "* Migrate B ( node1 -> node2 )"]
    b_to = _graph(transition)["B_migrate_to_0@node1"]
    a_from = _graph(transition)["A_migrate_from_0@node2"]
    assert (a_from.id, b_to.id) in {(o.first, o.then) for o in transition.orderings}


def test_a_partial_migration_continues_to_the_same_target():
    # migrate_to done on node1, no migrate_from yet on node2: the target is still node2
    status = node_state("node1", lrm_resource("vm", [
        op("vm", "node1", "start", 10),
        _migrating_op("vm", "node1", "migrate_to", 12, "node1", "node2")])) \
        + node_state("node2", lrm_resource("vm", [op("vm", "node2", "monitor", 5, rc=7)]))
    # the probe on node2 ran before the migrate_to (older last-rc-change)
    status = status.replace('call-id="5" rc-code="7" op-status="0" interval="0" '
                            'last-rc-change="1700000000"',
                            'call-id="5" rc-code="7" op-status="0" interval="0" '
                            'last-rc-change="1600000000"')
    transition = _plan(VM, _prefer("vm", "node2"), status)
    assert _lines(transition) == ["* Migrate vm ( node1 -> node2 )"]
    graph = _graph(transition)
    assert "vm_migrate_from_0@node2" in graph
    assert "vm_migrate_to_0@node1" not in graph


def test_a_dangling_migration_stops_the_source():
    # migrate_to on node1 and migrate_from on node2 done, the stop on node1 never ran
    status = node_state("node1", lrm_resource("vm", [
        op("vm", "node1", "start", 10),
        _migrating_op("vm", "node1", "migrate_to", 12, "node1", "node2")])) \
        + node_state("node2", lrm_resource("vm", [
            _migrating_op("vm", "node2", "migrate_from", 13, "node1", "node2")]))
    transition = _plan(VM, _prefer("vm", "node2"), status)
    assert _lines(transition) == []
    graph = _graph(transition)
    assert "vm_stop_0@node1" in graph
    assert not [key for key in graph if "start" in key or "migrate" in key]


def test_a_failed_migrate_to_leaves_it_active_where_it_was():
    status = node_state("node1", lrm_resource("vm", [
        op("vm", "node1", "start", 10),
        _migrating_op("vm", "node1", "migrate_to", 12, "node1", "node2", rc=1,
                      expected=0)])) + node_state("node2")
    lines = _lines(_plan(VM, "", status))
    # active on node1 and failed there: recovered, not migrated
    assert len(lines) == 1 and lines[0].startswith("* Recover vm")


def test_a_remote_connection_migrates_by_default():
    remote = ('<primitive id="rem" class="ocf" provider="pacemaker" type="remote">'
              '<operations><op id="rem-monitor" name="monitor" interval="30s"/></operations>'
              '</primitive>')
    status = node_state("node1", lrm_resource("rem", [op("rem", "node1", "start", 10)],
                                              "remote")) + node_state("node2")
    assert _lines(_plan(remote, _prefer("rem", "node2"), status)) == \
        ["* Migrate rem ( node1 -> node2 )"]
