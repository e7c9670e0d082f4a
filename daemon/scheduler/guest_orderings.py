"""Orderings of actions on guest nodes relative to their connection and container.

An action on a guest node can run only while the guest is reachable: after its container
and connection start, before they stop (Pacemaker's apply_container_ordering() in
pcmk__order_remote_connection_actions(); the part for Pacemaker Remote nodes without a
container is not here).
"""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler.model import Action, Resource
from daemon.scheduler.working_set import WorkingSet


def _start_then(ws: WorkingSet, first: Resource, then: Action, extra: int) -> None:
    act.new_ordering(ws, first, act.op_key(first.id, "start"), None, then.rsc, None, then,
                     m.AR_GUEST_ALLOWED | m.AR_UNRUNNABLE_FIRST_BLOCKS | extra)


def _then_stop(ws: WorkingSet, first: Action, then: Resource, extra: int) -> None:
    act.new_ordering(ws, first.rsc, None, first, then, act.op_key(then.id, "stop"), None,
                     m.AR_GUEST_ALLOWED | extra)


def order_guest_actions(ws: WorkingSet) -> None:
    for action in list(ws.actions):
        rsc = action.rsc
        if rsc is None or action.node is None or action.flags & m.PSEUDO:
            continue
        remote = action.node.remote_rsc
        if remote is None or remote.launcher is None:
            continue
        if action.task == "start":
            for other in rsc.actions:
                if other.task == "stop" and other.node is not action.node:
                    act.new_ordering(ws, remote, act.op_key(remote.id, "start"), None, rsc,
                                     None, other, m.AR_ORDERED)
        _container_ordering(ws, action, remote, remote.launcher)


def _container_ordering(ws: WorkingSet, action: Action, remote: Resource,
                        container: Resource) -> None:
    task = action.task
    if task in ("migrate_to", "migrate_from"):
        task = "stop"
    if task in ("start", "promote"):
        _start_then(ws, container, action, m.AR_FIRST_IMPLIES_THEN)
        _start_then(ws, remote, action, m.AR_NONE)
    elif task in ("stop", "demote"):
        if not container.failed:
            _then_stop(ws, action, remote, m.AR_NONE)
    elif action.interval_ms > 0:
        if task in ("monitor", "notify", "cancel", "reload", "reload-agent", "migrate_to",
                    "migrate_from", "stonith", "running", "stopped", "promoted",
                    "demoted", "notified", "shutdown", "stop", "start"):
            _start_then(ws, remote, action, m.AR_FIRST_IMPLIES_THEN)
    else:
        _start_then(ws, remote, action, m.AR_NONE)
