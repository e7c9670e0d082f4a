"""Clones: assignment of instances, implicit constraints, actions, probes and colocation."""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import colocation as col
from daemon.scheduler import model as m
from daemon.scheduler import notify, scores
from daemon.scheduler.assign import assign, assign_to, record_scores
from daemon.scheduler.constraints import insert_sorted
from daemon.scheduler.glib_sort import merge_sort
from daemon.scheduler.instances import (assign_instances, cmp_instance_number,
                                        collective_action_flags, find_compatible_instance,
                                        is_blocked, location, sort_instances)
from daemon.scheduler.model import Action, Colocation, Node, Resource
from daemon.scheduler.roles import Role
from daemon.scheduler.working_set import WorkingSet


def clone_assign(ws: WorkingSet, rsc: Resource, prefer: Node | None,
                 stop_if_fail: bool) -> Node | None:
    if not rsc.unassigned:
        return None
    if rsc.assigning:
        return None
    rsc.assigning = True
    if rsc.promotable:
        from daemon.scheduler.promotable import add_promotion_scores
        add_promotion_scores(ws, rsc)
    for coloc in col.this_with(rsc):
        assign(ws, coloc.primary, prefer, stop_if_fail)
    for coloc in col.with_this(rsc):
        col.add_dependent_scores(coloc, rsc)
    record_scores(ws, rsc, "pcmk__clone_assign")
    rsc.children = sort_instances(ws, rsc.children)
    assign_instances(ws, rsc, rsc.children, rsc.clone_max, rsc.clone_node_max)
    if rsc.promotable:
        from daemon.scheduler.promotable import set_instance_roles
        set_instance_roles(ws, rsc)
    rsc.unassigned = False
    rsc.assigning = False
    return None


def _pseudo(ws: WorkingSet, rsc: Resource, task: str, optional: bool, runnable: bool) -> Action:
    action = act.custom_action(ws, rsc, act.op_key(rsc.id, task), task, None, optional)
    action.flags |= m.PSEUDO
    if runnable:
        action.flags |= m.RUNNABLE
    return action


STARTING = 1
STOPPING = 2
RESTARTING = 4
ACTIVE = 8
ALL = STARTING | STOPPING | RESTARTING | ACTIVE


def _check_instance_state(instance: Resource, state: int) -> int:
    if state & ALL == ALL:
        return state
    if instance.variant != m.PRIMITIVE:
        for child in instance.children:
            if state & ALL == ALL:
                break
            state = _check_instance_state(child, state)
        return state
    own = ACTIVE if instance.running_on else 0
    for action in instance.actions:
        if own & (STARTING | STOPPING) == (STARTING | STOPPING):
            break
        optional = action.flags & m.OPTIONAL
        if action.task == "start":
            if not optional and (action.flags & m.RUNNABLE):
                own |= STARTING
        elif action.task == "stop":
            if not optional and (action.flags & (m.PSEUDO | m.RUNNABLE)):
                own |= STOPPING
    if own & (STARTING | STOPPING) == (STARTING | STOPPING):
        own |= RESTARTING
    return state | own


def create_instance_actions(ws: WorkingSet, collective: Resource,
                            instances: list[Resource]) -> None:
    from daemon.scheduler.engine import create_actions
    state = 0
    for instance in instances:
        create_actions(ws, instance)
        state = _check_instance_state(instance, state)
    start = _pseudo(ws, collective, "start", not (state & STARTING), True)
    started = _pseudo(ws, collective, "running", not (state & STARTING), False)
    if state & (ACTIVE | STARTING):
        started.flags |= m.RUNNABLE
    stop = _pseudo(ws, collective, "stop", not (state & STOPPING), True)
    stopped = _pseudo(ws, collective, "stopped", not (state & STOPPING), True)
    if not (state & RESTARTING):
        stop.flags |= m.MIGRATABLE
    if collective.variant == m.CLONE:
        notify.create_clone_pseudo_ops(ws, collective, start, started, stop, stopped)


def clone_create_actions(ws: WorkingSet, rsc: Resource) -> None:
    create_instance_actions(ws, rsc, rsc.children)
    if rsc.promotable:
        from daemon.scheduler.promotable import create_promotable_actions
        create_promotable_actions(ws, rsc)


def clone_internal_constraints(ws: WorkingSet, rsc: Resource) -> None:
    from daemon.scheduler.engine import create_internal_constraints
    order = act.order_resource_actions
    order(ws, rsc, "stopped", rsc, "start", m.AR_ORDERED)
    order(ws, rsc, "start", rsc, "running", m.AR_UNRUNNABLE_FIRST_BLOCKS)
    order(ws, rsc, "stop", rsc, "stopped", m.AR_UNRUNNABLE_FIRST_BLOCKS)
    if rsc.promotable:
        order(ws, rsc, "demoted", rsc, "stop", m.AR_ORDERED)
        order(ws, rsc, "running", rsc, "promote", m.AR_UNRUNNABLE_FIRST_BLOCKS)
    if rsc.ordered:
        rsc.children = merge_sort(rsc.children, cmp_instance_number)
    children = rsc.children
    for i, instance in enumerate(children):
        create_internal_constraints(ws, instance)
        order(ws, rsc, "start", instance, "start",
              m.AR_UNRUNNABLE_FIRST_BLOCKS | m.AR_THEN_IMPLIES_FIRST_GRAPHED)
        order(ws, instance, "start", rsc, "running", m.AR_FIRST_IMPLIES_THEN_GRAPHED)
        order(ws, rsc, "stop", instance, "stop", m.AR_THEN_IMPLIES_FIRST_GRAPHED)
        order(ws, instance, "stop", rsc, "stopped", m.AR_FIRST_IMPLIES_THEN_GRAPHED)
        if rsc.ordered:
            for later in children[i + 1:]:
                order(ws, instance, "start", later, "start", m.AR_ORDERED)
                order(ws, later, "stop", instance, "stop", m.AR_ORDERED)
    if rsc.promotable:
        from daemon.scheduler.promotable import order_promotable_instances
        order_promotable_instances(ws, rsc)


def clone_this_with(rsc: Resource, orig: Resource, out: list[Colocation]) -> None:
    col._add_list(out, rsc.this_with, True)
    if rsc.parent is not None:
        col._this_with(rsc.parent, orig, out)


def clone_with_this(rsc: Resource, orig: Resource, out: list[Colocation]) -> None:
    col._add_list(out, rsc.with_this, False)
    if rsc.parent is not None:
        col._with_this(rsc.parent, orig, out)


def clone_action_flags(action: Action, node: Node | None) -> int:
    return collective_action_flags(action, action.rsc.children, node)


def _max_per_node(rsc: Resource) -> int:
    if rsc.variant == m.CLONE:
        return rsc.clone_node_max if rsc.unique else 1
    return 1


def _can_interleave(coloc: Colocation) -> bool:
    dependent = coloc.dependent
    if dependent.variant <= m.GROUP:
        return False
    if not dependent.interleave:
        return False
    return _max_per_node(dependent) == _max_per_node(coloc.primary)


def intersect_nodes(dependent: Resource, coloc: Colocation,
                    primary_nodes: list[tuple[Node, int]], merge: bool) -> None:
    for node in list(dependent.allowed):
        found = None
        for pnode, pscore in primary_nodes:
            if pnode is node:
                found = pscore
                break
        if found is None:
            dependent.allowed[node] = -scores.INFINITY
        elif merge:
            dependent.allowed[node] = scores.add(dependent.allowed[node], found)


def clone_apply_coloc_score(ws: WorkingSet, dependent: Resource, primary: Resource,
                            coloc: Colocation, for_dependent: bool) -> int:
    """Colocation with a clone as primary; returns what was added to the dependent's
    priority (the clone itself is never handled as the dependent: its instances are)."""
    if for_dependent or primary.unassigned:
        return 0
    if primary.promotable and coloc.primary_role != Role.UNKNOWN:
        from daemon.scheduler.promotable import (update_dependent_with_promotable,
                                                 update_promotable_dependent_priority)
        if dependent.unassigned:
            update_dependent_with_promotable(primary, dependent, coloc)
            return 0
        if coloc.dependent_role == Role.PROMOTED:
            return update_promotable_dependent_priority(primary, dependent, coloc)
    if _can_interleave(coloc):
        primary_instance = find_compatible_instance(dependent, primary, Role.UNKNOWN, False)
        if primary_instance is not None:
            return col.apply_coloc_score(ws, dependent, primary_instance, coloc, True)
        if coloc.score >= scores.INFINITY:
            assign_to(ws, dependent, None, None, True, True)
        return 0
    if coloc.score >= scores.INFINITY:
        primary_nodes = []
        for instance in primary.children:
            chosen = location(instance, False)
            if chosen is not None and not is_blocked(instance):
                primary_nodes.insert(0, (chosen, _assigned_score(instance)))
        intersect_nodes(dependent, coloc, primary_nodes, False)
        return 0
    delta = 0
    for instance in primary.children:
        delta = scores.add(delta, col.apply_coloc_score(ws, dependent, instance, coloc, False))
    return delta


def _assigned_score(rsc: Resource) -> int:
    if rsc.variant == m.PRIMITIVE:
        return rsc.assigned_score
    for child in rsc.children:
        return _assigned_score(child)
    return 0


# ---- probes ------------------------------------------------------------------------------

def _probed_on(rsc: Resource, node: Node) -> bool:
    if rsc.children:
        return any(_probed_on(c, node) for c in rsc.children)
    return node in rsc.probed


def clone_create_probe(ws: WorkingSet, rsc: Resource, node: Node) -> bool:
    from daemon.scheduler.probes import probe_rsc_on_node
    if rsc.exclusive_discover:
        if node not in rsc.allowed or rsc.discover.get(node) != m.DISCOVER_EXCLUSIVE:
            rsc.allowed.pop(node, None)
            return False
    rsc.children = merge_sort(rsc.children, cmp_instance_number)
    if rsc.unique:
        created = False
        for child in rsc.children:
            if probe_rsc_on_node(ws, child, node):
                created = True
        return created
    child = None
    for instance in rsc.children:
        if _probed_on(instance, node):
            child = instance
            break
    if child is None:
        for instance in rsc.children:
            if location(instance, False) is node:
                child = instance
                break
    if child is None:
        child = rsc.children[0]
    return probe_rsc_on_node(ws, child, node)
