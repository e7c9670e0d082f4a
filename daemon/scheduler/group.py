"""Groups: implicit ordering and colocation of members, and group pseudo-actions."""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler import scores
from daemon.scheduler.model import Resource
from daemon.scheduler.working_set import WorkingSet


def _pseudo(ws: WorkingSet, group: Resource, task: str) -> None:
    op = act.custom_action(ws, group, act.op_key(group.id, task), task, None, True)
    op.flags |= m.PSEUDO | m.RUNNABLE


def group_create_actions(ws: WorkingSet, rsc: Resource) -> None:
    from daemon.scheduler.engine import create_actions
    for member in rsc.children:
        create_actions(ws, member)
    for task in ("start", "running", "stop", "stopped"):
        _pseudo(ws, rsc, task)
    if (rsc.meta.get("promotable") or "").lower() in ("true", "yes", "on", "1", "y"):
        for task in ("demote", "demoted", "promote", "promoted"):
            _pseudo(ws, rsc, task)


def _order(ws, first, first_task, then, then_task, flags) -> None:
    act.order_resource_actions(ws, first, first_task, then, then_task, flags)


def group_internal_constraints(ws: WorkingSet, rsc: Resource) -> None:
    from daemon.scheduler.constraints import new_colocation
    from daemon.scheduler.primitive_actions import primitive_internal_constraints
    _order(ws, rsc, "stop", rsc, "stopped", m.AR_UNRUNNABLE_FIRST_BLOCKS)
    _order(ws, rsc, "stopped", rsc, "start", m.AR_ORDERED)
    _order(ws, rsc, "start", rsc, "running", m.AR_UNRUNNABLE_FIRST_BLOCKS)
    ordered = rsc.group_ordered
    colocated = rsc.group_colocated
    promotable = rsc.top().promotable
    previous = None
    last_active = None
    for member in rsc.children:
        down_flags = m.AR_THEN_IMPLIES_FIRST_GRAPHED
        post_down_flags = m.AR_FIRST_IMPLIES_THEN_GRAPHED
        primitive_internal_constraints(ws, member)
        if previous is None:
            if ordered:
                down_flags |= m.AR_ORDERED
                post_down_flags = m.AR_FIRST_IMPLIES_THEN
        elif colocated:
            new_colocation(ws, "#group-members", None, scores.INFINITY, member, previous,
                           None, None, member.critical, explicit=False)
        if promotable:
            _order(ws, member.parent, "demote", member, "demote", down_flags)
            _order(ws, member, "demote", member.parent, "demoted", post_down_flags)
            _order(ws, member, "promote", member.parent, "promoted",
                   m.AR_UNRUNNABLE_FIRST_BLOCKS | m.AR_FIRST_IMPLIES_THEN
                   | m.AR_FIRST_IMPLIES_THEN_GRAPHED)
            _order(ws, member.parent, "promote", member, "promote",
                   m.AR_THEN_IMPLIES_FIRST_GRAPHED)
        _order(ws, member.parent, "stop", member, "stop", down_flags)
        _order(ws, member, "stop", member.parent, "stopped", post_down_flags)
        _order(ws, member.parent, "start", member, "start", m.AR_THEN_IMPLIES_FIRST_GRAPHED)
        _order(ws, member, "start", member.parent, "running",
               m.AR_UNRUNNABLE_FIRST_BLOCKS | m.AR_FIRST_IMPLIES_THEN
               | m.AR_FIRST_IMPLIES_THEN_GRAPHED)
        if not ordered:
            _order(ws, member.parent, "start", member, "start",
                   m.AR_FIRST_IMPLIES_THEN | m.AR_UNRUNNABLE_FIRST_BLOCKS
                   | m.AR_THEN_IMPLIES_FIRST_GRAPHED)
            if promotable:
                _order(ws, member.parent, "promote", member, "promote",
                       m.AR_FIRST_IMPLIES_THEN | m.AR_UNRUNNABLE_FIRST_BLOCKS
                       | m.AR_THEN_IMPLIES_FIRST_GRAPHED)
        elif previous is None:
            _order(ws, member.parent, "start", member, "start", m.AR_NONE)
            if promotable:
                _order(ws, member.parent, "promote", member, "promote", m.AR_NONE)
        else:
            _order(ws, previous, "start", member, "start",
                   m.AR_FIRST_IMPLIES_THEN | m.AR_UNRUNNABLE_FIRST_BLOCKS)
            _order(ws, member, "stop", previous, "stop",
                   m.AR_ORDERED | m.AR_INTERMEDIATE_STOP)
            if member.running_on and not previous.running_on:
                _order(ws, member, "stop", previous, "start",
                       m.AR_THEN_IMPLIES_FIRST | m.AR_UNRUNNABLE_FIRST_BLOCKS)
            if promotable:
                _order(ws, previous, "promote", member, "promote",
                       m.AR_FIRST_IMPLIES_THEN | m.AR_UNRUNNABLE_FIRST_BLOCKS)
                _order(ws, member, "demote", previous, "demote", m.AR_ORDERED)
        if member.running_on:
            if ordered and previous is not None and not previous.running_on \
                    and last_active is not None and last_active.running_on:
                _order(ws, member, "stop", last_active, "stop", m.AR_ORDERED)
            last_active = member
        previous = member
