"""Node-specific placement criteria applied before assignment.

Location constraints, stickiness of active resources, bans from reaching
migration-threshold, and exclusive resource discovery (apply_node_criteria()).
"""

from __future__ import annotations

from daemon.scheduler import failcounts
from daemon.scheduler import model as m
from daemon.scheduler import scores
from daemon.scheduler.model import Location, Node, Resource
from daemon.scheduler.roles import Role
from daemon.scheduler.shutdown_lock import apply_shutdown_locks
from daemon.scheduler.unpack_resources import resource_location
from daemon.scheduler.working_set import WorkingSet


def apply_node_criteria(ws: WorkingSet) -> None:
    apply_shutdown_locks(ws)
    for loc in reversed(ws.locations):
        apply_location(loc.rsc, loc)
    for rsc in ws.resources:
        _apply_stickiness(ws, rsc)
    for node in ws.nodes:
        for rsc in ws.resources:
            _check_failure_threshold(ws, rsc, node)
            _apply_exclusive_discovery(rsc, node)


def apply_location(rsc: Resource, loc: Location) -> None:
    """A resource's apply_location() method: groups and clones pass it down."""
    if rsc.variant == m.BUNDLE:
        from daemon.scheduler.bundle_sched import bundle_apply_location
        bundle_apply_location(rsc, loc)
        return
    if rsc.variant == m.GROUP:
        _apply_location_one(rsc, loc.nodes, loc)
        reset = rsc.group_colocated
        nodes = loc.nodes
        zeroed = [(n, 0) for n, _ in loc.nodes]
        for member in rsc.children:
            apply_location_nodes(member, nodes, loc)
            if reset:
                reset = False
                nodes = zeroed
        return
    _apply_location_one(rsc, loc.nodes, loc)
    if rsc.variant == m.CLONE:
        for child in rsc.children:
            apply_location(child, loc)


def apply_location_nodes(rsc: Resource, nodes, loc: Location) -> None:
    if rsc.variant == m.GROUP:
        _apply_location_one(rsc, nodes, loc)
        zeroed = [(n, 0) for n, _ in nodes]
        reset = rsc.group_colocated
        for member in rsc.children:
            apply_location_nodes(member, nodes, loc)
            if reset:
                reset = False
                nodes = zeroed
        return
    _apply_location_one(rsc, nodes, loc)
    if rsc.variant == m.CLONE:
        for child in rsc.children:
            apply_location_nodes(child, nodes, loc)


def _apply_location_one(rsc: Resource, nodes, loc: Location) -> None:
    if loc.role_filter > Role.UNKNOWN and loc.role_filter != rsc.next_role:
        return
    for node, score in nodes:
        current = rsc.allowed.get(node)
        if current is None:
            rsc.allowed[node] = score
        else:
            rsc.allowed[node] = scores.add(current, score)
        if rsc.explanation is not None:
            rsc.explanation.append(("location", loc.id, node, score))
        if rsc.discover.get(node, m.DISCOVER_ALWAYS) < loc.discover_mode:
            if loc.discover_mode == m.DISCOVER_EXCLUSIVE:
                rsc.exclusive_discover = True
            rsc.discover[node] = loc.discover_mode


def _apply_stickiness(ws: WorkingSet, rsc: Resource) -> None:
    if rsc.children:
        for child in rsc.children:
            _apply_stickiness(ws, child)
        return
    if not rsc.managed or rsc.stickiness < 1 or len(rsc.running_on) != 1:
        return
    node = rsc.running_on[0]
    if not ws.options.symmetric and node not in rsc.allowed:
        return
    resource_location(ws, rsc, node, rsc.stickiness, "stickiness")


def clear_failcount_exists(rsc: Resource, node: Node) -> bool:
    key = f"{rsc.id}_clear_failcount_0"
    return any(a.node is node for a in rsc.actions_by_key.get(key, ()))


def threshold_reached(ws: WorkingSet, rsc: Resource, node: Node) -> Resource | None:
    """pcmk__threshold_reached(): the resource to ban, if the threshold is reached."""
    if rsc.migration_threshold == 0 or rsc.failure_ignored:
        return None
    count, _ = failcounts.get_failcount(ws, node, rsc,
                                        failcounts.EFFECTIVE | failcounts.LAUNCHED)
    if count <= 0:
        return None
    to_ban = rsc if rsc.unique else rsc.top()
    if rsc.migration_threshold - count <= 0:
        return to_ban
    return None


def _check_failure_threshold(ws: WorkingSet, rsc: Resource, node: Node) -> None:
    if rsc.children:
        for child in rsc.children:
            _check_failure_threshold(ws, child, node)
        return
    if clear_failcount_exists(rsc, node):
        return
    failed = threshold_reached(ws, rsc, node)
    if failed is not None:
        resource_location(ws, failed, node, -scores.INFINITY, "__fail_limit__")


def _apply_exclusive_discovery(rsc: Resource, node: Node) -> None:
    if rsc.exclusive_discover or rsc.top().exclusive_discover:
        for child in rsc.children:
            _apply_exclusive_discovery(child, node)
        if node in rsc.allowed and rsc.discover.get(node, m.DISCOVER_ALWAYS) \
                != m.DISCOVER_EXCLUSIVE:
            rsc.allowed[node] = -scores.INFINITY
            if rsc.explanation is not None:
                rsc.explanation.append(("location", "resource-discovery=exclusive", node,
                                        -scores.INFINITY))
