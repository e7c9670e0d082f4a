"""Recurring monitors: for the role a resource will have, and for the Stopped role."""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler import timespec
from daemon.scheduler.model import Action, Node, Resource
from daemon.scheduler.roles import Role, parse_role
from daemon.scheduler.working_set import WorkingSet

_CANNOT_RECUR = ("stop", "start", "demote", "promote", "reload-agent", "migrate_to",
                 "migrate_from")

RESCHEDULE_META = "__reschedule__"


def _configured_recurring(ws: WorkingSet, rsc: Resource) -> list[tuple]:
    """(key, name, interval_ms, role) for each valid configured recurring op."""
    out = []
    if rsc.ops_xml is None:
        return out
    seen: dict[tuple, str] = {}
    dups: set[tuple] = set()
    ops = [op for op in rsc.ops_xml if op.tag == "op"]
    for op in ops:
        pair = (op.get("name"), timespec.interval_ms(op.get("interval")))
        if pair in seen:
            dups.add(pair)
        else:
            seen[pair] = op.get("id")
    for op in ops:
        interval = timespec.interval_ms(op.get("interval"))
        if interval == 0 or op.get("id") in (None, ""):
            continue
        name = op.get("name")
        if name in _CANNOT_RECUR or (name, interval) in dups:
            continue
        role_s = op.get("role")
        role = Role.UNKNOWN if role_s is None else parse_role(role_s)
        if role_s is not None and role == Role.UNKNOWN:
            continue
        if act.find_action_config(ws, rsc, name, interval, False) is None:
            continue
        out.append((act.op_key(rsc.id, name, interval), name, interval, role))
    return out


def new_cancel_action(ws: WorkingSet, rsc: Resource, task: str, interval_ms: int,
                      node: Node) -> Action:
    key = act.op_key(rsc.id, task, interval_ms)
    cancel = act.custom_action(ws, rsc, key, "cancel", node, False)
    cancel.task = "cancel"
    cancel.cancel_task = task
    cancel.meta["operation"] = task
    cancel.meta["interval"] = str(interval_ms)
    return cancel


def schedule_cancel(ws: WorkingSet, rsc: Resource, call_id: str | None, task: str,
                    interval_ms: int, node: Node, reason: str) -> None:
    cancel = new_cancel_action(ws, rsc, task, interval_ms, node)
    if call_id is not None:
        cancel.meta["call-id"] = call_id
    act.new_ordering(ws, rsc, act.op_key(rsc.id, "stop"), None, rsc, None, cancel,
                     m.AR_ORDERED)


def _active_should_be_optional(ws: WorkingSet, rsc: Resource, node: Node | None, key: str,
                               start: Action) -> bool:
    if node is None:
        return False
    from daemon.scheduler.action_flags import action_flags
    if not (action_flags(start, None) & m.OPTIONAL):
        return False
    matches = act.find_actions_exact(rsc, key, node)
    if not matches:
        return False
    return not any(RESCHEDULE_META in a.meta for a in matches)


def _for_active(ws: WorkingSet, rsc: Resource, start: Action, node: Node | None,
                key: str, name: str, interval: int, role: Role) -> None:
    if role == Role.STOPPED:
        return
    is_optional = _active_should_be_optional(ws, rsc, node, key, start)
    if role == Role.UNKNOWN:
        role_match = rsc.next_role != Role.PROMOTED
    else:
        role_match = rsc.next_role == role
    if not role_match:
        if is_optional and node is not None:
            cancel = new_cancel_action(ws, rsc, name, interval, node)
            after = None
            if rsc.role in (Role.UNPROMOTED, Role.STARTED):
                if rsc.next_role == Role.PROMOTED:
                    after = act.op_key(rsc.id, "promote")
                elif rsc.next_role == Role.STOPPED:
                    after = act.op_key(rsc.id, "stop")
            elif rsc.role == Role.PROMOTED:
                after = act.op_key(rsc.id, "demote")
            if after is not None:
                act.new_ordering(ws, rsc, None, cancel, rsc, after, None,
                                 m.AR_UNRUNNABLE_FIRST_BLOCKS)
        return
    mon = act.custom_action(ws, rsc, key, name, node, is_optional)
    if not (start.flags & m.RUNNABLE):
        mon.flags &= ~m.RUNNABLE
    elif node is None or not node.online or node.unclean:
        mon.flags &= ~m.RUNNABLE
    if rsc.next_role == Role.PROMOTED:
        mon.meta["op_target_rc"] = "8"
    if node is None or rsc.managed:
        act.new_ordering(ws, rsc, act.op_key(rsc.id, "start"), None, None, mon.key, mon,
                         m.AR_FIRST_IMPLIES_THEN | m.AR_UNRUNNABLE_FIRST_BLOCKS)
        act.new_ordering(ws, rsc, act.op_key(rsc.id, "reload-agent"), None, None, mon.key,
                         mon, m.AR_FIRST_IMPLIES_THEN | m.AR_UNRUNNABLE_FIRST_BLOCKS)
        if rsc.next_role == Role.PROMOTED:
            act.new_ordering(ws, rsc, act.op_key(rsc.id, "promote"), None, rsc, None, mon,
                             m.AR_ORDERED | m.AR_UNRUNNABLE_FIRST_BLOCKS)
        elif rsc.role == Role.PROMOTED:
            act.new_ordering(ws, rsc, act.op_key(rsc.id, "demote"), None, rsc, None, mon,
                             m.AR_ORDERED | m.AR_UNRUNNABLE_FIRST_BLOCKS)


def _for_inactive(ws: WorkingSet, rsc: Resource, node: Node | None, key: str, name: str,
                  interval: int, role: Role) -> None:
    if role != Role.STOPPED or not rsc.unique:
        return
    for stop_node in ws.nodes:
        if node is not None and stop_node.name.lower() == node.name.lower():
            if act.find_actions_exact(rsc, key, node):
                cancel = new_cancel_action(ws, rsc, name, interval, node)
                if rsc.next_role in (Role.STARTED, Role.UNPROMOTED):
                    act.new_ordering(ws, rsc, None, cancel, rsc, act.op_key(rsc.id, "start"),
                                     None, m.AR_UNRUNNABLE_FIRST_BLOCKS)
            continue
        is_optional = bool(act.find_actions_exact(rsc, key, stop_node))
        mon = act.custom_action(ws, rsc, key, name, stop_node, is_optional)
        mon.meta["op_target_rc"] = "7"
        if rsc.managed:
            for probe in act.resource_actions(rsc, stop_node, "monitor"):
                act.order_actions(probe, mon, m.AR_UNRUNNABLE_FIRST_BLOCKS)
        for stop in act.resource_actions(rsc, stop_node, "stop", True):
            if not (stop.flags & m.OPTIONAL) and not (mon.flags & m.OPTIONAL) \
                    and not rsc.managed:
                mon.flags |= m.OPTIONAL
            if not (stop.flags & m.RUNNABLE):
                mon.flags &= ~m.RUNNABLE
            if rsc.managed:
                act.new_ordering(ws, rsc, act.op_key(rsc.id, "stop"), stop, None, None, mon,
                                 m.AR_FIRST_IMPLIES_THEN | m.AR_UNRUNNABLE_FIRST_BLOCKS)
        if not stop_node.online or stop_node.unclean:
            mon.flags &= ~m.RUNNABLE


def create_recurring_actions(ws: WorkingSet, rsc: Resource) -> None:
    if rsc.blocked or rsc.maintenance:
        return
    start = None
    node = rsc.assigned_to
    if node is None:
        pass
    elif node.maintenance:
        pass
    elif rsc.next_role != Role.STOPPED or not rsc.managed:
        start = act.resource_action(ws, rsc, "start", node, True)
    for key, name, interval, role in _configured_recurring(ws, rsc):
        if start is not None:
            _for_active(ws, rsc, start, node, key, name, interval, role)
        _for_inactive(ws, rsc, node, key, name, interval, role)
