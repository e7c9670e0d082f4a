"""Applying ordering constraints to actions and propagating their consequences.

Orderings first become links between concrete actions. Then every action's flags are
brought into line with the actions before it: a required 'first' makes 'then' required,
an unrunnable 'first' can make 'then' unrunnable, and so on, until nothing changes. The
visiting order follows Pacemaker's, because the first cause recorded is the reason the
Transition Summary prints.
"""

from __future__ import annotations

import sys

from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler.action_flags import action_flags
from daemon.scheduler.model import Action, Node, Ordering, Resource
from daemon.scheduler.roles import Role
from daemon.scheduler.working_set import WorkingSet

UPDATED_FIRST = 1
UPDATED_THEN = 2

_REMAP = {"stop": "stopped", "start": "running", "notify": "notified",
          "promote": "promoted", "demote": "demoted"}
_ALREADY = ("stopped", "running", "notified", "promoted", "demoted")


# ---- resolving ordering constraints to action links ----------------------------------


def _find_actions_by_task(rsc: Resource, key: str) -> list[Action]:
    found = act.find_actions(rsc, key, None)
    if not found:
        parsed = act.parse_op_key(key)
        if parsed is None or parsed[0] == rsc.id:
            return []       # the same key again: nothing to find
        found = act.find_actions(rsc, act.op_key(rsc.id, parsed[1], parsed[2]), None)
    return found


def _order_resource_actions_after(first: Action | None, rsc: Resource, order: Ordering) -> None:
    flags = order.flags
    if order.action2 is not None:
        then_actions = [order.action2]
    else:
        then_actions = _find_actions_by_task(rsc, order.task2)
    if not then_actions:
        return
    if first is not None and first.rsc is rsc and (first.flags & m.MIGRATION_ABORT):
        flags &= ~m.AR_FIRST_IMPLIES_THEN
    if first is None and not (flags & m.AR_FIRST_IMPLIES_THEN):
        return
    for then in then_actions:
        if first is not None:
            act.order_actions(first, then, flags)
        else:
            then.flags &= ~m.RUNNABLE


def _rsc_order_first(ws: WorkingSet, first_rsc: Resource, order: Ordering) -> None:
    first_action = order.action1
    then_rsc = order.rsc2
    if first_action is not None:
        first_actions = [first_action]
    else:
        first_actions = _find_actions_by_task(first_rsc, order.task1)
    if not first_actions and first_rsc is then_rsc:
        pass
    elif not first_actions:
        parsed = act.parse_op_key(order.task1)
        if parsed is not None:
            _, op_type, interval = parsed
            state = first_rsc.state(True)
            if state == Role.STOPPED and op_type == "stop":
                pass
            elif state == Role.UNPROMOTED and op_type == "demote":
                pass
            else:
                key = act.op_key(first_rsc.id, op_type, interval)
                first_actions = [act.custom_action(ws, first_rsc, key, op_type, None, True)]
    if then_rsc is None:
        if order.action2 is None:
            return
        then_rsc = order.action2.rsc
    for fa in first_actions:
        if then_rsc is None:
            act.order_actions(fa, order.action2, order.flags)
        else:
            _order_resource_actions_after(fa, then_rsc, order)


def apply_orderings(ws: WorkingSet) -> None:
    for order in ws.orderings:
        if order.rsc1 is not None:
            _rsc_order_first(ws, order.rsc1, order)
        elif order.rsc2 is not None:
            _order_resource_actions_after(order.action1, order.rsc2, order)
        else:
            act.order_actions(order.action1, order.action2, order.flags)
    for action in list(reversed(ws.actions)):
        block_colocation_dependents(ws, action)
    from daemon.scheduler.probes import add_start_orderings_for_probes
    add_start_orderings_for_probes(ws)
    old_limit = sys.getrecursionlimit()
    if old_limit < 20000:
        sys.setrecursionlimit(20000)
    try:
        for action in list(reversed(ws.actions)):
            update_action_for_orderings(ws, action)
    finally:
        sys.setrecursionlimit(old_limit)


# ---- colocation blocking ------------------------------------------------------------

def _mark_action_blocked(ws: WorkingSet, rsc: Resource, task: str, reason: Resource) -> None:
    text = f"colocation with {reason.id}"
    for action in list(reversed(rsc.actions)):
        if (action.flags & m.RUNNABLE) and action.task == task:
            action.flags &= ~m.RUNNABLE
            action.set_reason(text)
            block_colocation_dependents(ws, action)
            update_action_for_orderings(ws, action)
    for child in rsc.children:
        _mark_action_blocked(ws, child, task, reason)


def block_colocation_dependents(ws: WorkingSet, action: Action) -> None:
    if action.flags & m.RUNNABLE:
        return
    is_start = action.task == "start"
    if not is_start and action.task != "promote":
        return
    rsc = action.rsc.top()
    if rsc.parent is not None:      # a bundle's container or inner clone: the whole bundle
        rsc = rsc.parent
    for child in rsc.children:
        child_action = None
        for a in reversed(child.actions):
            if a.task == action.task:
                child_action = a
                break
        if child_action is None or (child_action.flags & m.RUNNABLE):
            return
    from daemon.scheduler.colocation import with_this
    for coloc in with_this(rsc):
        if coloc.score < 1_000_000:
            continue
        if not is_start and coloc.primary_role != Role.PROMOTED:
            continue
        if coloc.dependent_role == Role.PROMOTED:
            _mark_action_blocked(ws, coloc.dependent, "promote", action.rsc)
        else:
            _mark_action_blocked(ws, coloc.dependent, "start", action.rsc)


# ---- flag propagation ----------------------------------------------------------------

def _uuid_for_ordering(key: str, rsc: Resource) -> str:
    if "notify" in key or rsc.variant < m.GROUP:
        return key
    parsed = act.parse_op_key(key)
    if parsed is None:
        return key
    rid, task, interval = parsed
    if interval > 0:
        return key
    if task in _REMAP:
        task = _REMAP[task]
    elif task not in _ALREADY:
        return key
    if rsc.variant == m.BUNDLE:     # notifies when its primitive does
        notify = rsc.notify or (rsc.bundle_data.child is not None
                                and rsc.bundle_data.child.notify)
    else:
        notify = rsc.notify and (rsc.variant == m.CLONE
                                 or rsc.top_with_bundle().variant == m.BUNDLE)
    if notify:                      # after the notifications
        return f"{rid}_confirmed-post_notify_{task}_0"
    return act.op_key(rid, task, 0)


def _action_for_ordering(action: Action) -> Action:
    rsc = action.rsc
    if rsc is not None and rsc.variant >= m.GROUP:
        uuid = _uuid_for_ordering(action.key, rsc)
        found = act.find_first_action(rsc.actions, uuid, None, None)
        if found is not None:
            return found
    return action


def _flags_for_ordering(action: Action, node: Node | None) -> int:
    if action.rsc is None:
        return action.flags
    flags = action_flags(action, None)
    if node is None or action.rsc.variant != m.CLONE:
        return flags
    runnable = flags & m.RUNNABLE
    flags = action_flags(action, node)
    if runnable and not (flags & m.RUNNABLE):
        flags |= m.RUNNABLE
    return flags


def _location(rsc: Resource) -> Node | None:
    """native_location(rsc, NULL, FALSE): the single node it is assigned to, if one."""
    nodes: list[Node] = []
    _assigned_nodes(rsc, nodes)
    return nodes[0] if len(nodes) == 1 else None


def _assigned_nodes(rsc: Resource, out: list[Node]) -> None:
    if rsc.children:
        for child in rsc.children:
            _assigned_nodes(child, out)
    elif rsc.assigned_to is not None and rsc.assigned_to not in out:
        out.append(rsc.assigned_to)


def _is_parent(child: Resource | None, rsc: Resource | None) -> bool:
    if child is None or rsc is None:
        return False
    p = child.parent
    while p is not None:
        if p is rsc:
            return True
        p = p.parent
    return False


def update_action_for_orderings(ws: WorkingSet, then: Action) -> None:
    changed = 0
    last_flags = then.flags
    if then.flags & m.MIN_RUNNABLE:
        then.runnable_before = 0
        if then.required_runnable_before == 0:
            then.required_runnable_before = 1
        then.flags &= ~m.RUNNABLE
    for other in reversed(then.before):
        first = other.action
        then_node = then.node
        first_node = first.node
        if first.rsc is not None and first.rsc.variant == m.GROUP and first.task == "start":
            first_node = _location(first.rsc)
        if then.rsc is not None and then.rsc.variant == m.GROUP and then.task == "start":
            then_node = _location(then.rsc)
        if (other.type & m.AR_IF_ON_SAME_NODE) and first_node is not None \
                and then_node is not None and first_node is not then_node:
            other.type = m.AR_NONE
            continue
        changed &= ~UPDATED_FIRST
        if first.rsc is not None and (other.type & m.AR_THEN_CANCELS_FIRST) \
                and not (then.flags & m.OPTIONAL):
            other.action.flags |= m.OPTIONAL
            if first.task == "reload-agent":
                first.rsc.reload = False
        if first.rsc is not None and then.rsc is not None and first.rsc is not then.rsc \
                and not _is_parent(then.rsc, first.rsc):
            first = _action_for_ordering(first)
        if first is other.action:
            first_flags = _flags_for_ordering(first, then_node)
            then_flags = _flags_for_ordering(then, first_node)
            changed |= _update_for_ordering_flags(ws, first, then, first_flags, then_flags,
                                                  other)
        elif act.order_actions(first, then, other.type):
            changed |= UPDATED_THEN
            other.type = m.AR_NONE
        if changed & UPDATED_FIRST:
            for rel in list(reversed(first.after)):
                update_action_for_orderings(ws, rel.action)
            update_action_for_orderings(ws, first)
    if then.flags & m.MIN_RUNNABLE:
        if last_flags == then.flags:
            changed &= ~UPDATED_THEN
        else:
            changed |= UPDATED_THEN
    if changed & UPDATED_THEN:
        if (last_flags & m.RUNNABLE) and not (then.flags & m.RUNNABLE):
            block_colocation_dependents(ws, then)
        update_action_for_orderings(ws, then)
        for rel in list(reversed(then.after)):
            update_action_for_orderings(ws, rel.action)


def _update(ws: WorkingSet, rsc: Resource, first: Action, then: Action, node: Node | None,
            flags: int, filter_: int, rel_type: int) -> int:
    """The update_ordered_actions() method of `rsc` (the resource acted for)."""
    if rsc.variant == m.GROUP:
        changed = update_ordered_actions(ws, first, then, node, flags, filter_, rel_type)
        for member in then.rsc.children:
            member_action = None
            for a in reversed(member.actions):
                if a.task == then.task and (node is None or (a.node is not None
                                                             and a.node is node)):
                    member_action = a
                    break
            if member_action is not None:
                changed |= _update(ws, member, first, member_action, node, flags, filter_,
                                   rel_type)
        return changed
    if rsc.variant >= m.CLONE:
        from daemon.scheduler.instances import instance_update_ordered_actions
        return instance_update_ordered_actions(ws, first, then, node, flags, filter_,
                                               rel_type)
    return update_ordered_actions(ws, first, then, node, flags, filter_, rel_type)


def _update_for_ordering_flags(ws: WorkingSet, first: Action, then: Action,
                               first_flags: int, then_flags: int, order) -> int:
    changed = 0
    node = then.node
    t = order.type
    if t & m.AR_FIRST_IMPLIES_SAME_NODE_THEN:
        order.type = (t & ~m.AR_FIRST_IMPLIES_SAME_NODE_THEN) | m.AR_FIRST_IMPLIES_THEN
        t = order.type
        node = first.node
    if t & m.AR_FIRST_IMPLIES_THEN:
        if then.rsc is not None:
            changed |= _update(ws, then.rsc, first, then, node, first_flags & m.OPTIONAL,
                               m.OPTIONAL, m.AR_FIRST_IMPLIES_THEN)
        elif not (first_flags & m.OPTIONAL) and (then.flags & m.OPTIONAL):
            then.flags &= ~m.OPTIONAL
            changed |= UPDATED_THEN
    if (t & m.AR_INTERMEDIATE_STOP) and then.rsc is not None:
        changed |= _update(ws, then.rsc, first, then, node, first_flags,
                           m.OPTIONAL | m.RUNNABLE, m.AR_INTERMEDIATE_STOP)
    if t & m.AR_THEN_IMPLIES_FIRST:
        if first.rsc is not None:
            changed |= _update(ws, first.rsc, first, then, node, first_flags, m.OPTIONAL,
                               m.AR_THEN_IMPLIES_FIRST)
        elif not (first_flags & m.OPTIONAL) and (first.flags & m.RUNNABLE):
            first.flags &= ~m.RUNNABLE
            changed |= UPDATED_FIRST
    if t & m.AR_PROMOTED_THEN_IMPLIES_FIRST:
        if then.rsc is not None:
            changed |= _update(ws, then.rsc, first, then, node, first_flags & m.OPTIONAL,
                               m.OPTIONAL, m.AR_PROMOTED_THEN_IMPLIES_FIRST)
    if t & m.AR_MIN_RUNNABLE:
        if then.rsc is not None:
            changed |= _update(ws, then.rsc, first, then, node, first_flags, m.RUNNABLE,
                               m.AR_MIN_RUNNABLE)
        elif first_flags & m.RUNNABLE:
            then.runnable_before += 1
            if then.runnable_before >= then.required_runnable_before \
                    and not (then.flags & m.RUNNABLE):
                then.flags |= m.RUNNABLE
                changed |= UPDATED_THEN
    if (t & m.AR_NESTED_REMOTE_PROBE) and then.rsc is not None:
        if not (first_flags & m.RUNNABLE) and first.rsc is not None and first.rsc.running_on:
            order.type = m.AR_NONE
        else:
            changed |= _update(ws, then.rsc, first, then, node, first_flags, m.RUNNABLE,
                               m.AR_UNRUNNABLE_FIRST_BLOCKS)
    if t & m.AR_UNRUNNABLE_FIRST_BLOCKS:
        if then.rsc is not None:
            changed |= _update(ws, then.rsc, first, then, node, first_flags, m.RUNNABLE,
                               m.AR_UNRUNNABLE_FIRST_BLOCKS)
        elif not (first_flags & m.RUNNABLE) and (then.flags & m.RUNNABLE):
            then.flags &= ~m.RUNNABLE
            changed |= UPDATED_THEN
    if t & m.AR_UNMIGRATABLE_THEN_BLOCKS:
        if then.rsc is not None:
            changed |= _update(ws, then.rsc, first, then, node, first_flags, m.OPTIONAL,
                               m.AR_UNMIGRATABLE_THEN_BLOCKS)
    if t & m.AR_FIRST_ELSE_THEN:
        if then.rsc is not None:
            changed |= _update(ws, then.rsc, first, then, node, first_flags, m.OPTIONAL,
                               m.AR_FIRST_ELSE_THEN)
    if t & m.AR_ORDERED:
        if then.rsc is not None:
            changed |= _update(ws, then.rsc, first, then, node, first_flags, m.RUNNABLE,
                               m.AR_ORDERED)
    if t & m.AR_ASYMMETRIC:
        if then.rsc is not None:
            changed |= _update(ws, then.rsc, first, then, node, first_flags, m.RUNNABLE,
                               m.AR_ASYMMETRIC)
    if (first.flags & m.RUNNABLE) and (t & m.AR_FIRST_IMPLIES_THEN_GRAPHED) \
            and not (first_flags & m.OPTIONAL):
        then.flags |= m.ALWAYS_IN_GRAPH
    if (t & m.AR_THEN_IMPLIES_FIRST_GRAPHED) and not (then_flags & m.OPTIONAL):
        first.flags |= m.ALWAYS_IN_GRAPH
    if (t & (m.AR_FIRST_IMPLIES_THEN | m.AR_THEN_IMPLIES_FIRST | m.AR_INTERMEDIATE_STOP)) \
            and first.rsc is not None and not first.rsc.managed and first.rsc.blocked \
            and not (first.flags & m.RUNNABLE) and first.task == "stop":
        if then.flags & m.RUNNABLE:
            then.flags &= ~m.RUNNABLE
            changed |= UPDATED_THEN
    return changed


def action2reason(action: Action, flag: int) -> str:
    change = {m.RUNNABLE: "unrunnable", m.MIGRATABLE: "unmigrateable",
              m.OPTIONAL: "required"}.get(flag, "")
    if action.rsc is None:
        return f"{change} {action.task}"
    return f"{change} {action.rsc.id} {action.task}"


def _clear_because(action: Action, flag: int, reason: Action) -> None:
    if action.flags & flag:
        action.flags &= ~flag
        if action.rsc is not reason.rsc:
            action.set_reason(action2reason(reason, flag))


def _handle_asymmetric(first: Action, then: Action) -> None:
    if then.rsc is None or (first.flags & m.RUNNABLE):
        return
    if then.flags & m.OPTIONAL:
        role = then.rsc.state(True)
        if role == Role.STOPPED and then.task == "stop":
            return
        if role >= Role.STARTED and then.task == "start" \
                and len(then.rsc.running_on) == 1 and then.rsc.running_on[0] is then.node:
            return
    _clear_because(then, m.OPTIONAL, first)
    _clear_because(then, m.RUNNABLE, first)


def _handle_restart(first: Action, then: Action, filter_: int) -> None:
    reason = None
    if (filter_ & m.OPTIONAL) and not (then.flags & m.OPTIONAL):
        reason = "restart"
    if (filter_ & m.RUNNABLE) and not (then.flags & m.RUNNABLE) \
            and then.rsc is not None and then.rsc.managed and first.rsc is then.rsc:
        reason = "stop"
    if reason is None:
        return
    if first.flags & m.RUNNABLE:
        _clear_because(first, m.OPTIONAL, then)
    if not (then.flags & m.OPTIONAL):
        _clear_because(first, m.OPTIONAL, then)
    if not (then.flags & m.MIGRATABLE):
        _clear_because(first, m.MIGRATABLE, then)
    if not (first.flags & m.OPTIONAL) and not (first.flags & m.RUNNABLE):
        _clear_because(then, m.RUNNABLE, first)


def update_ordered_actions(ws: WorkingSet, first: Action, then: Action, node: Node | None,
                           flags: int, filter_: int, rel_type: int) -> int:
    """pcmk__update_ordered_actions(): the primitive implementation."""
    changed = 0
    then_flags = then.flags
    first_flags = first.flags
    if rel_type & m.AR_ASYMMETRIC:
        _handle_asymmetric(first, then)
    if (rel_type & m.AR_THEN_IMPLIES_FIRST) and not (then_flags & m.OPTIONAL):
        if (filter_ & m.OPTIONAL) and not (flags & m.OPTIONAL) and (first_flags & m.OPTIONAL):
            _clear_because(first, m.OPTIONAL, then)
        if (flags & m.MIGRATABLE) and not (then.flags & m.MIGRATABLE):
            _clear_because(first, m.MIGRATABLE, then)
    if (rel_type & m.AR_PROMOTED_THEN_IMPLIES_FIRST) and then.rsc is not None \
            and then.rsc.role == Role.PROMOTED and (filter_ & m.OPTIONAL) \
            and not (then.flags & m.OPTIONAL):
        _clear_because(first, m.OPTIONAL, then)
        if (first.flags & m.MIGRATABLE) and not (then.flags & m.MIGRATABLE):
            _clear_because(first, m.MIGRATABLE, then)
    if (rel_type & m.AR_UNMIGRATABLE_THEN_BLOCKS) and (filter_ & m.OPTIONAL):
        if not ((then.flags & m.MIGRATABLE) and (then.flags & m.RUNNABLE)):
            _clear_because(first, m.RUNNABLE, then)
        if not (then.flags & m.OPTIONAL):
            _clear_because(first, m.OPTIONAL, then)
    if (rel_type & m.AR_FIRST_ELSE_THEN) and (filter_ & m.OPTIONAL) \
            and not (first.flags & m.RUNNABLE):
        _clear_because(then, m.MIGRATABLE, first)
        then.flags &= ~m.PSEUDO
    if (rel_type & m.AR_UNRUNNABLE_FIRST_BLOCKS) and (filter_ & m.RUNNABLE) \
            and (then.flags & m.RUNNABLE) and not (flags & m.RUNNABLE):
        _clear_because(then, m.RUNNABLE, first)
        _clear_because(then, m.MIGRATABLE, first)
    if (rel_type & m.AR_FIRST_IMPLIES_THEN) and (filter_ & m.OPTIONAL) \
            and (then.flags & m.OPTIONAL) and not (flags & m.OPTIONAL) \
            and not (first.flags & m.MIGRATABLE):
        _clear_because(then, m.OPTIONAL, first)
    if rel_type & m.AR_INTERMEDIATE_STOP:
        _handle_restart(first, then, filter_)
    if then_flags != then.flags:
        changed |= UPDATED_THEN
        if then.rsc is not None and then.rsc.parent is not None:
            update_action_for_orderings(ws, then)
    if first_flags != first.flags:
        changed |= UPDATED_FIRST
    return changed
