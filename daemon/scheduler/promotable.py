"""Promotable clones: promotion scores, choosing which instances to promote, and the
promote/demote pseudo-actions and orderings of the clone as a whole."""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import colocation as col
from daemon.scheduler import model as m
from daemon.scheduler import scores, tickets
from daemon.scheduler.failcounts import clone_strip
from daemon.scheduler.glib_sort import merge_sort
from daemon.scheduler.instances import (cmp_instance, find_compatible_instance, location,
                                        location_nodes)
from daemon.scheduler.model import Colocation, Node, Resource
from daemon.scheduler.notify import create_promotable_pseudo_ops
from daemon.scheduler.remote_nodes import guest_node_available
from daemon.scheduler.roles import Role
from daemon.scheduler.working_set import WorkingSet


# ---- promotion scores -----------------------------------------------------------------

def _find_active_anon_instance(clone: Resource, base: str, node: Node) -> Resource | None:
    for child in clone.children:
        found = child.find_clone_only(base)
        if found is not None and node in found.running_on:
            return found
    return None


def _anonymous_known_on(clone: Resource, base: str, node: Node) -> bool:
    for child in clone.children:
        found = child.find_clone_only(base)
        if found is not None and node in found.probed:
            return True
    return False


def _is_allowed(rsc: Resource, node: Node) -> bool:
    score = rsc.allowed.get(node)
    return score is not None and score >= 0


def _score_applies(rsc: Resource, node: Node) -> bool:
    base = clone_strip(rsc.id)
    parent = rsc.top()
    if not rsc.unique:
        active = _find_active_anon_instance(parent, base, node)
        if active is rsc:
            return _is_allowed(rsc, node)
        if active is None and _anonymous_known_on(parent, base, node):
            return _is_allowed(rsc, node)
    if not rsc.running_on and not rsc.probed:
        return _is_allowed(rsc, node)
    if node in rsc.probed or node in rsc.running_on:
        return _is_allowed(rsc, node)
    return False


def _attr_value(rsc: Resource, node: Node, name: str) -> str | None:
    target = rsc.meta.get("container-attribute-target")
    if target is None:
        return node.attrs.get(f"master-{name}")
    from daemon.scheduler.guest_attrs import node_attr
    return node_attr(node, f"master-{name}", target, not rsc.unassigned)


def promotion_score(rsc: Resource, node: Node) -> tuple[int, bool]:
    """(score, is_default) for an instance on a node, from `master-<rsc>` attributes."""
    if rsc.children:
        total = 0
        is_default = True
        for child in rsc.children:
            s, d = promotion_score(child, node)
            if not d:
                is_default = False
            total += s
        return total, is_default
    if not _score_applies(rsc, node):
        return 0, True
    name = rsc.history_id or rsc.id
    value = _attr_value(rsc, node, name)
    if value is None and not rsc.unique:
        stripped = clone_strip(rsc.id)
        if stripped != rsc.id:
            value = _attr_value(rsc, node, stripped)
    if value is None:
        return 0, True
    return scores.parse(value, 0), False


def add_promotion_scores(ws: WorkingSet, clone: Resource) -> None:
    if clone.promotion_added:
        return
    clone.promotion_added = True
    for child in clone.children:
        for node in list(child.allowed):
            if not node.available():
                continue
            score, _ = promotion_score(child, node)
            if score > 0:
                new_score = scores.add(child.allowed[node], score)
                if new_score != child.allowed[node]:
                    child.allowed[node] = new_score
            if score > child.priority:
                child.priority = score


# ---- choosing roles ----------------------------------------------------------------------

def _set_current_role_unpromoted(rsc: Resource) -> None:
    if rsc.role == Role.STARTED:
        rsc.role = Role.UNPROMOTED
    for child in rsc.children:
        _set_current_role_unpromoted(child)


def _set_next_role_unpromoted(rsc: Resource) -> None:
    if not location_nodes(rsc, False):
        rsc.next_role = Role.STOPPED
    else:
        rsc.next_role = Role.UNPROMOTED
    for child in rsc.children:
        _set_next_role_unpromoted(child)


def _set_next_role_promoted(rsc: Resource) -> None:
    if rsc.next_role == Role.UNKNOWN:
        rsc.next_role = Role.PROMOTED
    for child in rsc.children:
        _set_next_role_promoted(child)


def _apply_promoted_locations(child: Resource, locations, chosen: Node) -> None:
    for loc in locations:
        if loc.role_filter != Role.PROMOTED:
            continue
        for node, score in loc.nodes:
            if node is chosen:
                child.priority = scores.add(child.priority, score)
                break


def _set_instance_priority(ws: WorkingSet, instance: Resource, clone: Resource) -> None:
    if instance.state(True) == Role.STARTED:
        _set_current_role_unpromoted(instance)
    nodes = location_nodes(instance, False)
    chosen = nodes[0] if len(nodes) == 1 else None
    if chosen is None:
        return
    next_role = instance.state(False)
    if next_role in (Role.STARTED, Role.UNKNOWN):
        score, is_default = promotion_score(instance, chosen)
        instance.priority = -1 if is_default else score
    elif next_role in (Role.UNPROMOTED, Role.STOPPED):
        instance.priority = -scores.INFINITY
    _apply_promoted_locations(instance, instance.locations, chosen)
    _apply_promoted_locations(instance, clone.locations, chosen)
    for coloc in col.this_with(instance):
        col.apply_coloc_score(ws, instance, coloc.primary, coloc, True)
    instance.promotion_score = instance.priority
    if next_role == Role.PROMOTED:
        instance.promotion_score = scores.INFINITY


def _node_to_be_promoted_on(rsc: Resource) -> Node | None:
    for child in rsc.children:
        if _node_to_be_promoted_on(child) is None:
            return None
    node = location(rsc, False)
    if node is None:
        return None
    if not rsc.managed:
        if rsc.state(True) != Role.PROMOTED:
            return None
    elif rsc.priority < 0:
        return None
    elif not node.available() or not guest_node_available(node):
        return None         # (a guest also needs its launcher placed)
    parent = rsc.top()
    if node not in parent.allowed:
        return None
    if parent.counts.get(node, 0) >= parent.promoted_node_max and rsc.managed:
        return None
    return node


def _cmp_promotable(ws: WorkingSet, a: Resource, b: Resource) -> int:
    if a.promotion_score > b.promotion_score:
        return -1
    if a.promotion_score < b.promotion_score:
        return 1
    ra, rb = a.state(True), b.state(True)
    if ra > rb:
        return -1
    if ra < rb:
        return 1
    return cmp_instance(ws, a, b)


def _sort_promotable_instances(ws: WorkingSet, clone: Resource) -> None:
    if clone.promotion_sorted:
        return
    clone.promotion_sorted = True
    clone.merging = True
    for child in clone.children:
        if child.promotion_score < 0:
            continue
        chosen = location(child, False)
        if chosen is None or chosen not in clone.allowed:
            continue
        clone.allowed[chosen] = scores.add(child.promotion_score, clone.allowed[chosen])
    for coloc in col.with_this(clone):
        if coloc.primary_role != Role.PROMOTED or not col.has_influence(coloc):
            continue
        factor = col.f32(col.f32(float(coloc.score)) / col.f32(float(scores.INFINITY)))
        result = col.add_colocated_node_scores(
            coloc.dependent, clone, clone.allowed, coloc, factor,
            col.SELECT_ACTIVE | col.SELECT_NONNEGATIVE)
        if result is not None:
            clone.allowed = result
    tickets.require_promotion_tickets(ws, clone)
    for child in clone.children:
        chosen = location(child, False)
        if not child.managed and child.next_role == Role.PROMOTED:
            child.promotion_score = scores.INFINITY
        elif chosen is None:
            child.promotion_score = -scores.INFINITY
        elif child.promotion_score < 0:
            pass
        else:
            child.promotion_score = clone.allowed.get(chosen, 0)
    clone.children = merge_sort(clone.children, lambda a, b: _cmp_promotable(ws, a, b))
    clone.merging = False


def _show_promotion_score(ws: WorkingSet, instance: Resource) -> None:
    chosen = location(instance, False)
    score = scores.text(instance.promotion_score)
    ws.promotion_positions.append(len(ws.score_lines))
    if chosen is None:
        ws.promotion_lines.append(f"{instance.id} promotion score (inactive): {score}")
    else:
        ws.promotion_lines.append(f"{instance.id} promotion score on {chosen.name}: {score}")


def set_instance_roles(ws: WorkingSet, clone: Resource) -> None:
    clone.counts = {n: 0 for n in clone.allowed}
    for child in clone.children:
        _set_instance_priority(ws, child, clone)
    _sort_promotable_instances(ws, clone)
    promoted = 0
    for instance in clone.children:
        _show_promotion_score(ws, instance)
        chosen = None
        if instance.promotion_score < 0:
            pass
        elif promoted < clone.promoted_max or not clone.managed:
            chosen = _node_to_be_promoted_on(instance)
        if chosen is None:
            _set_next_role_unpromoted(instance)
            continue
        if instance.role < Role.PROMOTED and not ws.quorate \
                and ws.options.no_quorum_policy == "freeze":
            _set_next_role_unpromoted(instance)
            continue
        clone.counts[chosen] = clone.counts.get(chosen, 0) + 1
        _set_next_role_promoted(instance)
        promoted += 1


# ---- actions and orderings ------------------------------------------------------------------

def _check_for_role_change(rsc: Resource, flags: list[bool]) -> None:
    if rsc.children:
        for child in rsc.children:
            _check_for_role_change(child, flags)
        return
    for action in rsc.actions:
        if flags[0] and flags[1]:
            return
        if action.flags & m.OPTIONAL:
            continue
        if action.task == "demote":
            flags[0] = True
        elif action.task == "promote":
            flags[1] = True


def _pseudo(ws: WorkingSet, rsc: Resource, task: str, optional: bool) -> m.Action:
    action = act.custom_action(ws, rsc, act.op_key(rsc.id, task), task, None, optional)
    action.flags |= m.PSEUDO | m.RUNNABLE
    return action


def create_promotable_actions(ws: WorkingSet, clone: Resource) -> None:
    from daemon.scheduler.engine import create_actions
    flags = [False, False]   # demoting, promoting
    for instance in clone.children:
        create_actions(ws, instance)
        _check_for_role_change(instance, flags)
    demoting, promoting = flags
    for task, done, changing in (("promote", "promoted", promoting),
                                 ("demote", "demoted", demoting)):
        action = _pseudo(ws, clone, task, not changing)
        complete = _pseudo(ws, clone, done, not changing)
        create_promotable_pseudo_ops(ws, clone, task, action, complete)
    for instance in clone.children:
        instance.priority = clone.priority


def order_promotable_instances(ws: WorkingSet, clone: Resource) -> None:
    order = act.order_resource_actions
    order(ws, clone, "stopped", clone, "start", m.AR_ORDERED)
    order(ws, clone, "stopped", clone, "promote", m.AR_ORDERED)
    order(ws, clone, "demoted", clone, "stop", m.AR_ORDERED)
    order(ws, clone, "demoted", clone, "start", m.AR_ORDERED)
    order(ws, clone, "demoted", clone, "promote", m.AR_ORDERED)
    order(ws, clone, "running", clone, "promote", m.AR_ORDERED)
    order(ws, clone, "demote", clone, "demoted", m.AR_ORDERED)
    previous = None
    for instance in clone.children:
        order(ws, instance, "demote", instance, "promote", m.AR_ORDERED)
        order(ws, clone, "promote", instance, "promote", m.AR_ORDERED)
        order(ws, instance, "promote", clone, "promoted", m.AR_ORDERED)
        if previous is not None and clone.ordered:
            order(ws, previous, "promote", instance, "promote", m.AR_ORDERED)
        order(ws, clone, "demote", instance, "demote", m.AR_THEN_IMPLIES_FIRST_GRAPHED)
        order(ws, instance, "demote", clone, "demoted", m.AR_FIRST_IMPLIES_THEN_GRAPHED)
        if previous is not None and clone.ordered:
            order(ws, instance, "demote", previous, "demote", m.AR_ORDERED)
        previous = instance


# ---- colocations with promotable clones ---------------------------------------------------

def update_dependent_with_promotable(primary: Resource, dependent: Resource,
                                     coloc: Colocation) -> None:
    from daemon.scheduler.clone import _assigned_score, intersect_nodes
    affected: list[tuple[Node, int]] = []
    for instance in primary.children:
        node = location(instance, False)
        if node is None:
            continue
        if instance.state(False) == coloc.primary_role:
            if coloc.score < scores.INFINITY:
                value = col.node_attr(node, coloc.node_attribute, instance)
                for dnode in list(dependent.allowed):
                    if col.same_value(value, col.node_attr(dnode, coloc.node_attribute,
                                                           dependent)):
                        dependent.allowed[dnode] = scores.add(dependent.allowed[dnode],
                                                              coloc.score)
            affected.insert(0, (node, _assigned_score(instance)))
    if coloc.score >= scores.INFINITY and (coloc.dependent_role != Role.PROMOTED
                                           or coloc.primary_role != Role.PROMOTED):
        intersect_nodes(dependent, coloc, affected, True)


def update_promotable_dependent_priority(primary: Resource, dependent: Resource,
                                         coloc: Colocation) -> int:
    instance = find_compatible_instance(dependent, primary, coloc.primary_role, False)
    if instance is not None:
        dependent.priority = scores.add(dependent.priority, coloc.score)
        return coloc.score
    if coloc.score >= scores.INFINITY:
        dependent.priority = -scores.INFINITY
        return -scores.INFINITY
    return 0
