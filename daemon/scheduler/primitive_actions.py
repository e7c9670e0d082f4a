"""The actions a primitive needs to go from its current role to its next role.

Mirrors pcmk__primitive_create_actions(): decide whether a stop is needed (moving,
failed, multiply active, blocked), bring the resource down and back up to its current
role if so, then walk the role state machine to the next role.
"""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler.assign import current_node
from daemon.scheduler.migration import can_migrate, create_migration_actions
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.roles import Role
from daemon.scheduler.working_set import WorkingSet
from daemon.scheduler.unfencing import order_restart_vs_unfence

U, S, ST, UP, P = Role.UNKNOWN, Role.STOPPED, Role.STARTED, Role.UNPROMOTED, Role.PROMOTED

# next role on the way from a current role to a target role
STATE_MATRIX = {
    U: {U: U, S: S, ST: S, UP: S, P: S},
    S: {U: S, S: S, ST: ST, UP: UP, P: UP},
    ST: {U: S, S: S, ST: ST, UP: UP, P: P},
    UP: {U: S, S: S, ST: S, UP: UP, P: P},
    P: {U: S, S: UP, ST: UP, UP: UP, P: P},
}

# what to do to go directly from one role to the next (None: nothing/invalid)
ACTION_MATRIX = {
    U: {S: "stop"},
    S: {ST: "start", UP: "start"},
    ST: {S: "stop", P: "promote"},
    UP: {S: "stop", ST: "stop", P: "promote"},
    P: {S: "demote", ST: "demote", UP: "demote"},
}


def _is_expected_node(rsc: Resource, node: Node | None) -> bool:
    return (rsc.stop_unexpected and rsc.restarting and rsc.next_role > Role.STOPPED
            and rsc.assigned_to is not None and rsc.assigned_to is node)


def _stop(ws: WorkingSet, rsc: Resource, node: Node | None, optional: bool) -> None:
    for current in list(rsc.running_on):
        if _is_expected_node(rsc, current):
            continue
        if rsc.partial_target is not None:
            if current is rsc.partial_target and current is rsc.assigned_to:
                continue
            optional = False
        stop = act.resource_action(ws, rsc, "stop", current, optional)
        if rsc.assigned_to is None:
            stop.set_reason("node availability", overwrite=True)
        elif rsc.restarting and rsc.stop_unexpected:
            stop.set_reason("being multiply active", overwrite=True)
        if not rsc.managed:
            stop.flags &= ~m.RUNNABLE
        if ws.options.raw.get("remove-after-stop", "false").lower() == "true":
            from daemon.scheduler.config_changes import schedule_cleanup
            schedule_cleanup(ws, rsc, current, optional)


def _start(ws: WorkingSet, rsc: Resource, node: Node | None, optional: bool) -> None:
    if node is None:
        return
    start = act.resource_action(ws, rsc, "start", node, True)
    if (start.flags & m.RUNNABLE) and not optional:
        start.flags &= ~m.OPTIONAL
    if _is_expected_node(rsc, node):
        start.flags |= m.PSEUDO


def _promote(ws: WorkingSet, rsc: Resource, node: Node | None, optional: bool) -> None:
    if node is None:
        return
    runnable = all(a.flags & m.RUNNABLE for a in act.resource_actions(rsc, node, "start", True))
    if runnable:
        promote = act.resource_action(ws, rsc, "promote", node, optional)
        if _is_expected_node(rsc, node):
            promote.flags |= m.PSEUDO
    else:
        for promote in act.resource_actions(rsc, node, "promote", True):
            promote.flags &= ~m.RUNNABLE


def _demote(ws: WorkingSet, rsc: Resource, node: Node | None, optional: bool) -> None:
    for current in list(rsc.running_on):
        if _is_expected_node(rsc, current):
            continue
        act.resource_action(ws, rsc, "demote", current, optional)


_FUNCS = {"stop": _stop, "start": _start, "promote": _promote, "demote": _demote}


def _transition(ws: WorkingSet, rsc: Resource, role: Role, next_role: Role,
                node: Node | None, optional: bool) -> bool:
    task = ACTION_MATRIX.get(role, {}).get(next_role)
    if task is None:
        return False
    _FUNCS[task](ws, rsc, node, optional)
    return True


def _schedule_restart(ws: WorkingSet, rsc: Resource, current: Node | None,
                      need_stop: bool, need_promote: bool) -> None:
    role = rsc.role
    rsc.restarting = True
    while role != Role.STOPPED:
        next_role = STATE_MATRIX[role][Role.STOPPED]
        if not _transition(ws, rsc, role, next_role, current, not need_stop):
            break
        role = next_role
    while rsc.role <= rsc.next_role and role != rsc.role and not rsc.blocked:
        required = need_stop
        next_role = STATE_MATRIX[role][rsc.role]
        if next_role == Role.PROMOTED and need_promote:
            required = True
        if not _transition(ws, rsc, role, next_role, rsc.assigned_to, not required):
            break
        role = next_role
    rsc.restarting = False


def _schedule_role_transition(ws: WorkingSet, rsc: Resource) -> None:
    role = rsc.role
    while role != rsc.next_role:
        next_role = STATE_MATRIX[role][rsc.next_role]
        if not _transition(ws, rsc, role, next_role, rsc.assigned_to, False):
            break
        role = next_role


def active_counts(rsc: Resource) -> tuple[int, int]:
    all_active = len(rsc.running_on)
    clean = sum(1 for n in rsc.running_on if n.online and not n.unclean)
    return all_active, clean


def primitive_create_actions(ws: WorkingSet, rsc: Resource) -> None:
    from daemon.scheduler.recurring import create_recurring_actions
    if rsc.next_role == Role.UNKNOWN:
        rsc.next_role = Role.STARTED if rsc.assigned_to is not None else Role.STOPPED
    current = current_node(rsc)
    num_all, num_clean = active_counts(rsc)
    for node in rsc.dangling_sources:
        stop = act.resource_action(ws, rsc, "stop", node, False)
        stop.flags |= m.MIGRATION_ABORT
    need_stop = False
    need_promote = False
    is_moving = False
    allow_migrate = False
    if current is not None and rsc.assigned_to is not None \
            and current is not rsc.assigned_to and rsc.next_role >= Role.STARTED:
        is_moving = True
        allow_migrate = can_migrate(rsc, current)
        need_stop = True
    target = rsc.partial_target
    if rsc.partial_source is not None and target is not None and allow_migrate \
            and num_all == 2 and current is rsc.partial_source \
            and rsc.assigned_to is target:
        multiply_active = False     # a partial migration continues to the same target
    elif rsc.partial_source is not None or target is not None:
        need_stop = True
        rsc.partial_source = rsc.partial_target = None
        allow_migrate = False
        multiply_active = False
    elif rsc.requires == m.REQUIRES_FENCING:
        multiply_active = num_all > 1
    else:
        multiply_active = num_clean > 1
    if multiply_active:
        ws.warn(f"resource {rsc.id} might be active on {num_all} nodes")
        if rsc.multiply_active == m.MULTIPLY_ACTIVE_RESTART:
            need_stop = True
        elif rsc.multiply_active == m.MULTIPLY_ACTIVE_UNEXPECTED:
            need_stop = True
            rsc.stop_unexpected = True
    else:
        rsc.stop_unexpected = False
    if rsc.start_pending:
        start = act.resource_action(ws, rsc, "start", rsc.assigned_to, True)
        start.flags |= m.ALWAYS_IN_GRAPH
    if is_moving:
        pass
    elif rsc.failed:
        if rsc.stop_if_failed:
            need_stop = True
        elif rsc.next_role == Role.PROMOTED:
            need_promote = True
    elif rsc.blocked:
        need_stop = True
    elif rsc.role > Role.STARTED and current is not None and rsc.assigned_to is not None:
        start = act.resource_action(ws, rsc, "start", rsc.assigned_to, True)
        if not (start.flags & m.OPTIONAL):
            need_stop = True
    _schedule_restart(ws, rsc, current, need_stop, need_promote)
    _schedule_role_transition(ws, rsc)
    create_recurring_actions(ws, rsc)
    if allow_migrate:
        create_migration_actions(ws, rsc, current)


def primitive_internal_constraints(ws: WorkingSet, rsc: Resource) -> None:
    if not rsc.managed:
        return
    act.new_ordering(ws, rsc, act.op_key(rsc.id, "stop"), None, rsc,
                     act.op_key(rsc.id, "start"), None,
                     m.AR_ORDERED | m.AR_FIRST_IMPLIES_THEN | m.AR_INTERMEDIATE_STOP)
    if rsc.top().promotable or rsc.role > Role.UNPROMOTED:
        act.new_ordering(ws, rsc, act.op_key(rsc.id, "demote"), None, rsc,
                         act.op_key(rsc.id, "stop"), None, m.AR_PROMOTED_THEN_IMPLIES_FIRST)
        act.new_ordering(ws, rsc, act.op_key(rsc.id, "start"), None, rsc,
                         act.op_key(rsc.id, "promote"), None, m.AR_UNRUNNABLE_FIRST_BLOCKS)
    act.new_ordering(ws, rsc, act.op_key(rsc.id, "lrm_delete"), None, rsc,
                     act.op_key(rsc.id, "monitor"), None,
                     m.AR_IF_ON_SAME_NODE | m.AR_THEN_CANCELS_FIRST)
    order_restart_vs_unfence(ws, rsc)
    if rsc.launcher is not None or rsc.is_remote_connection or rsc.fence_device:
        from daemon.scheduler.remote_orderings import launcher_internal_constraints
        launcher_internal_constraints(ws, rsc)
