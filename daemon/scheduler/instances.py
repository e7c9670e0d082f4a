"""Clone instances: assigning them to nodes, finding compatible (interleaved) instances,
and propagating orderings between clone actions to their instances."""

from __future__ import annotations

from functools import cmp_to_key

from daemon.scheduler import actions as act
from daemon.scheduler import colocation as col
from daemon.scheduler import model as m
from daemon.scheduler import scores
from daemon.scheduler.action_flags import action_flags, member_task
from daemon.scheduler.assign import assign, assign_to, current_node, sort_nodes, unassign
from daemon.scheduler.glib_sort import merge_sort
from daemon.scheduler.model import Action, Node, Resource
from daemon.scheduler.roles import Role
from daemon.scheduler.unpack_resources import resource_location
from daemon.scheduler.working_set import WorkingSet


# ---- locations ------------------------------------------------------------------------

def location_nodes(rsc: Resource, current: bool) -> list[Node]:
    """native_location(): nodes where a resource (or its descendants) is/will be."""
    out: list[Node] = []
    _collect(rsc, current, out)
    return out


def _collect(rsc: Resource, current: bool, out: list[Node]) -> None:
    if rsc.children:
        for child in rsc.children:
            _collect(child, current, out)
        return
    if current:
        for node in rsc.running_on:
            if node not in out:
                out.append(node)
    elif rsc.assigned_to is not None and rsc.assigned_to not in out:
        out.append(rsc.assigned_to)


def location(rsc: Resource, current: bool) -> Node | None:
    nodes = location_nodes(rsc, current)
    return nodes[0] if len(nodes) == 1 else None


def active_node(rsc: Resource) -> tuple[Node | None, int]:
    """(preferred active node, number of active nodes) for an instance."""
    return current_node(rsc), len(rsc.running_on)


def top_allowed(instance: Resource, node: Node) -> int | None:
    parent = instance.parent if instance.parent is not None else instance
    return parent.allowed.get(node)


def is_blocked(rsc: Resource) -> bool:
    if rsc.blocked:
        return True
    return any(is_blocked(c) for c in rsc.children)


def did_fail(rsc: Resource) -> bool:
    return rsc.failed or any(did_fail(c) for c in rsc.children)


# ---- instance ordering for assignment -------------------------------------------------

def instance_number(rsc: Resource) -> int:
    """A clone instance's number follows a colon, a bundle replica's a dash."""
    sep = ":" if ":" in rsc.id else "-"
    _, _, num = rsc.id.rpartition(sep)
    try:
        return int(num)
    except ValueError:
        return 0


def cmp_instance_number(a: Resource, b: Resource) -> int:
    return instance_number(a) - instance_number(b)


def _node_is_allowed(rsc: Resource, node: Node | None) -> tuple[bool, Node | None]:
    if node is not None:
        score = rsc.allowed.get(node)
        if score is None or score < 0:
            return False, None
    return True, node


def _apply_parent_colocations(ws: WorkingSet, rsc: Resource, nodes: dict[Node, int]):
    for coloc in col.this_with(rsc):
        factor = col.f32(col.f32(float(coloc.score)) / col.f32(float(scores.INFINITY)))
        nodes = col.add_colocated_node_scores(coloc.primary, rsc, nodes, coloc, factor, 0)
    for coloc in col.with_this(rsc):
        if not col.has_influence(coloc, rsc):
            continue
        factor = col.f32(col.f32(float(coloc.score)) / col.f32(float(scores.INFINITY)))
        nodes = col.add_colocated_node_scores(coloc.dependent, rsc, nodes, coloc, factor,
                                              col.SELECT_NONNEGATIVE)
    return nodes


def _cmp_by_colocation(ws: WorkingSet, i1: Resource, i2: Resource) -> int:
    n1 = current_node(i1)
    n2 = current_node(i2)
    t1 = _apply_parent_colocations(ws, i1, {n1: n1.weight})
    t2 = _apply_parent_colocations(ws, i2, {n2: n2.weight})
    s1, s2 = t1.get(n1, 0), t2.get(n2, 0)
    if s1 < s2:
        return 1
    if s1 > s2:
        return -1
    return 0


def cmp_instance(ws: WorkingSet, a: Resource, b: Resource) -> int:
    node1, n1 = active_node(a)
    node2, n2 = active_node(b)
    if n1 > 0 and n2 > 0:
        if n1 < n2:
            return -1
        if n1 > n2:
            return 1
    can1, node1 = _node_is_allowed(a, node1)
    can2, node2 = _node_is_allowed(b, node2)
    if can1 and not can2:
        return -1
    if can2 and not can1:
        return 1
    if a.priority > b.priority:
        return -1
    if a.priority < b.priority:
        return 1
    if node1 is None and node2 is None:
        return 0
    if node1 is None:
        return 1
    if node2 is None:
        return -1
    can1 = node1.available()
    can2 = node2.available()
    if can1 and not can2:
        return -1
    if can2 and not can1:
        return 1
    top1 = top_allowed(a, node1)
    top2 = top_allowed(b, node2)
    if top1 is None and top2 is None:
        return 0
    if top1 is None:
        return 1
    if top2 is None:
        return -1
    c1 = (a.parent or a).counts.get(node1, 0)
    c2 = (b.parent or b).counts.get(node2, 0)
    if c1 < c2:
        return -1
    if c1 > c2:
        return 1
    f1, f2 = did_fail(a), did_fail(b)
    if not f1 and f2:
        return -1
    if f1 and not f2:
        return 1
    rc = _cmp_by_colocation(ws, a, b)
    if rc:
        return rc
    return cmp_instance_number(a, b)


def sort_instances(ws: WorkingSet, instances: list[Resource]) -> list[Resource]:
    return merge_sort(instances, lambda a, b: cmp_instance(ws, a, b))


# ---- assignment ---------------------------------------------------------------------

def _can_run_instance(instance: Resource, node: Node, max_per_node: int) -> bool:
    if instance.removed:
        return False
    if not node.available():
        return False
    parent = instance.parent
    score = top_allowed(instance, node)
    if score is None or score < 0:
        return False
    if parent is not None and parent.counts.get(node, 0) >= max_per_node:
        return False
    return True


def _ban_unavailable(instance: Resource, max_per_node: int) -> None:
    for node in list(instance.allowed):
        if not _can_run_instance(instance, node, max_per_node):
            instance.allowed[node] = -scores.INFINITY
            for child in instance.children:
                if node in child.allowed:
                    child.allowed[node] = -scores.INFINITY


def _increment_parent_count(instance: Resource, node: Node | None) -> None:
    if node is None:
        return
    parent = instance.parent
    if parent is None or node not in parent.allowed:
        return
    parent.counts[node] = parent.counts.get(node, 0) + 1


def _assign_instance(ws: WorkingSet, instance: Resource, prefer: Node | None,
                     max_per_node: int) -> Node | None:
    if instance.assigning:
        return None
    _ban_unavailable(instance, max_per_node)
    chosen = assign(ws, instance, prefer, prefer is None)
    _increment_parent_count(instance, chosen)
    return chosen


def _backup_tables(rsc: Resource, out: dict) -> dict:
    out[rsc] = dict(rsc.allowed)
    for child in rsc.children:
        _backup_tables(child, out)
    return out


def _restore_tables(backup: dict) -> None:
    for rsc, table in backup.items():
        rsc.allowed = dict(table)


def _assign_instance_early(ws: WorkingSet, instance: Resource, current: Node,
                           max_per_node: int, available: int) -> bool:
    parent = instance.parent
    score = instance.allowed.get(current)
    if score is None or score < 0 or not current.available():
        return False
    backup = _backup_tables(instance, {})
    saved_counts = parent.counts
    parent.counts = dict(saved_counts)
    reserved = 0
    chosen = None
    while reserved < available:
        chosen = _assign_instance(ws, instance, current, max_per_node)
        if chosen is current:
            break
        _restore_tables(backup)
        if chosen is None:
            instance.unassigned = True
            break
        reserved += 1
        unassign(instance)
        chosen = None
    parent.counts = saved_counts
    if chosen is None:
        return False
    _increment_parent_count(instance, chosen)
    return True


def _preferred_node(instance: Resource, optimal_per_node: int) -> Node | None:
    if not instance.running_on or not instance.unassigned or instance.failed:
        return None
    node = current_node(instance)
    if node is None or not node.available() or node.weight < 0:
        return None
    parent = instance.parent
    if node in parent.allowed and parent.counts.get(node, 0) >= optimal_per_node:
        return None
    return node


def assign_instances(ws: WorkingSet, collective: Resource, instances: list[Resource],
                     max_total: int, max_per_node: int) -> None:
    collective.counts = {}
    available_nodes = sum(1 for node in collective.allowed if node.available())
    optimal = max_total // available_nodes if available_nodes > 0 else 0
    if optimal < 1:
        optimal = 1
    assigned = 0
    for instance in instances:
        if assigned >= max_total:
            break
        if not instance.unassigned:
            continue
        current = _preferred_node(instance, optimal)
        if current is not None and _assign_instance_early(ws, instance, current,
                                                          max_per_node, max_total - assigned):
            assigned += 1
    for instance in instances:
        if not instance.unassigned:
            continue
        if assigned >= max_total:
            resource_location(ws, instance, None, -scores.INFINITY, "collective_limit_reached")
        elif _assign_instance(ws, instance, None, max_per_node) is not None:
            assigned += 1


# ---- compatible instances (interleaving) ------------------------------------------------


def instance_matches(instance: Resource, node: Node, role: Role, current: bool) -> bool:
    if role != Role.UNKNOWN and role != instance.state(current):
        return False
    inode = None
    if not is_blocked(instance):
        inode = location(instance, current)
    return inode is not None and inode is node


def instance_list(rsc: Resource) -> list[Resource]:
    """A collective's instances: a clone's children, a bundle's replica containers."""
    if rsc.variant == m.BUNDLE:
        return [replica.container for replica in rsc.bundle_data.replicas]
    return rsc.children


def _compatible_on_node(rsc: Resource, node: Node, role: Role, current: bool):
    for instance in instance_list(rsc):
        if instance_matches(instance, node, role, current):
            return instance
    return None


def find_compatible_instance(match_rsc: Resource, rsc: Resource, role: Role,
                             current: bool) -> Resource | None:
    node = location(match_rsc, current)
    if node is not None:
        return _compatible_on_node(rsc, node, role, current)
    for node, _ in sort_nodes(match_rsc.allowed, None):
        found = _compatible_on_node(rsc, node, role, current)
        if found is not None:
            return found
    return None


# ---- orderings between clone actions ------------------------------------------------------

def orig_action_name(action: Action) -> str:
    instance = action.rsc.children[0] if action.rsc.children else action.rsc
    name = action.task
    if name in ("notify", "notified"):
        parsed = act.parse_op_key(action.key)
        if parsed is not None and "_notify_" in parsed[1]:
            name = parsed[1].split("_notify_", 1)[1]
    return member_task(instance, name)


def _find_instance_action(instance: Resource, name: str, node: Node | None) -> Action | None:
    return act.find_first_action(instance.actions, None, name, node)


def _unassign_if_mandatory(ws: WorkingSet, then_instance: Resource, rel_type: int,
                           current: bool) -> bool:
    if current:
        return False
    if rel_type & (m.AR_UNRUNNABLE_FIRST_BLOCKS | m.AR_FIRST_IMPLIES_THEN):
        return assign_to(ws, then_instance, None, None, True, True)
    return False


def _update_interleaved(ws: WorkingSet, first: Action, then: Action, node: Node | None,
                        filter_: int, rel_type: int) -> int:
    from daemon.scheduler.orderings import UPDATED_FIRST, UPDATED_THEN, _update
    changed = 0
    orig_first = orig_action_name(first)
    current = first.key.endswith("_stopped_0") or first.key.endswith("_demoted_0")
    for then_instance in list(instance_list(then.rsc)):
        first_instance = find_compatible_instance(then_instance, first.rsc, Role.UNKNOWN,
                                                  current)
        if first_instance is None:
            if _unassign_if_mandatory(ws, then_instance, rel_type, current):
                changed |= UPDATED_THEN
            continue
        first_action = _find_instance_action(first_instance, orig_first, node)
        if first_action is None:
            continue
        then_action = _find_instance_action(then_instance, then.task, node)
        if then_action is None:
            continue
        if act.order_actions(first_action, then_action, rel_type):
            changed |= UPDATED_FIRST | UPDATED_THEN
        changed |= _update(ws, then_instance, first_action, then_action, node,
                           action_flags(first_action, node), filter_, rel_type)
    return changed


def _can_interleave_actions(first: Action, then: Action) -> bool:
    if first.rsc is None or then.rsc is None or first.rsc is then.rsc:
        return False
    if first.rsc.variant < m.CLONE or then.rsc.variant < m.CLONE:
        return False
    if then.key.endswith("_stop_0") or then.key.endswith("_demote_0"):
        rsc = first.rsc
    else:
        rsc = then.rsc
    return rsc.interleave


def instance_update_ordered_actions(ws: WorkingSet, first: Action, then: Action,
                                    node: Node | None, flags: int, filter_: int,
                                    rel_type: int) -> int:
    from daemon.scheduler.orderings import (UPDATED_THEN, _update,
                                            update_action_for_orderings,
                                            update_ordered_actions)
    if then.rsc is None:
        return 0
    if _can_interleave_actions(first, then):
        return _update_interleaved(ws, first, then, node, filter_, rel_type)
    changed = update_ordered_actions(ws, first, then, node, flags, filter_, rel_type)
    for instance in list(instance_list(then.rsc)):
        instance_action = act.find_first_action(instance.actions, None, then.task, node)
        if instance_action is None:
            continue
        if not (action_flags(instance_action, node) & m.RUNNABLE):
            continue
        inst_changed = _update(ws, instance, first, instance_action, node, flags, filter_,
                               rel_type)
        changed |= inst_changed
        if inst_changed & UPDATED_THEN:
            for rel in list(reversed(instance_action.after)):
                update_action_for_orderings(ws, rel.action)
    return changed


def collective_action_flags(action: Action, instances: list[Resource],
                            node: Node | None) -> int:
    any_runnable = False
    name = orig_action_name(action)
    flags = m.OPTIONAL | m.RUNNABLE | m.PSEUDO
    for instance in instances:
        inode = node if instance.variant == m.PRIMITIVE else None
        instance_action = act.find_first_action(instance.actions, None, name, inode)
        if instance_action is None:
            continue
        iflags = action_flags(instance_action, node)
        if (flags & m.OPTIONAL) and not (iflags & m.OPTIONAL):
            flags &= ~m.OPTIONAL
            action.flags &= ~m.OPTIONAL
        if iflags & m.RUNNABLE:
            any_runnable = True
    if not any_runnable:
        flags &= ~m.RUNNABLE
        if node is None:
            action.flags &= ~m.RUNNABLE
    return flags
