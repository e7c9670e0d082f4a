"""Limits on what one transition runs at once (daemon/controller/graph_run.py)."""

from __future__ import annotations

from daemon.controller.graph_run import TransitionRun
from daemon.scheduler.graph import RSC_OP, Graph, GraphAction, GraphResource


def _op(action_id: int, task: str, node: str, rsc: str) -> GraphAction:
    return GraphAction(action_id, RSC_OP, task, f"{rsc}_{task}_0", node, node,
                       GraphResource(rsc, rsc, "ocf", "heartbeat", "VirtualDomain"), 0, 20000,
                       0, f"{action_id}:1:0:u", ())


def _taken(run: TransitionRun) -> list[int]:
    return [a.id for a in run.take_ready()]


def test_migration_limit_defers_migrations_per_node_only():
    actions = (_op(1, "migrate_to", "node1", "vm1"), _op(2, "migrate_to", "node1", "vm2"),
               _op(3, "migrate_to", "node2", "vm3"), _op(4, "start", "node1", "other"))
    run = TransitionRun(Graph(1, actions, migration_limit=1), node_limit=lambda _: 10)
    assert _taken(run) == [1, 3, 4]       # vm2 waits for node1's migration; a start does not
    assert run.finish(1, True)
    assert _taken(run) == [2]


def test_no_migration_limit_runs_them_all():
    actions = tuple(_op(i, "migrate_from", "node2", f"vm{i}") for i in range(1, 4))
    run = TransitionRun(Graph(1, actions), node_limit=lambda _: 10)
    assert _taken(run) == [1, 2, 3]
