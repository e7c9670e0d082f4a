"""Scheduling bundles: the bundle variant's methods (Pacemaker's pcmk_sched_bundle.c).

Replicas' containers are assigned like clone instances of the bundle; each replica's IP
and connection follow their container; each inner instance is placed on its replica's
guest node; then the inner clone (whose only allowed nodes are the guest nodes) assigns
what is left and chooses roles. Constraints on the bundle reach the containers (and, for
role-specific ones, the inner clone).
"""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import colocation as col
from daemon.scheduler import model as m
from daemon.scheduler import scores
from daemon.scheduler.assign import assign, assign_to, record_scores
from daemon.scheduler.bundle import containers
from daemon.scheduler.instances import (assign_instances, collective_action_flags, location,
                                        instance_matches, is_blocked, sort_instances)
from daemon.scheduler.model import Action, Colocation, Location, Node, Resource
from daemon.scheduler.roles import Role
from daemon.scheduler.working_set import WorkingSet


def _replicas(rsc: Resource):
    return rsc.bundle_data.replicas


# ---- assignment ---------------------------------------------------------------------------

def bundle_assign(ws: WorkingSet, rsc: Resource, prefer: Node | None,
                  stop_if_fail: bool) -> Node | None:
    """pcmk__bundle_assign()."""
    from daemon.scheduler.criteria import threshold_reached
    if not rsc.unassigned or rsc.assigning:
        return None
    data = rsc.bundle_data
    rsc.assigning = True
    record_scores(ws, rsc, "pcmk__bundle_assign")
    ordered = sort_instances(ws, containers(rsc))
    assign_instances(ws, rsc, ordered, data.replicas_count, data.per_host)
    for replica in data.replicas:
        if replica.ip is not None:
            assign(ws, replica.ip, prefer, stop_if_fail)
        host = replica.container.assigned_to
        if replica.remote is not None and host is not None and host.remote_rsc is not None:
            # a nested connection must share its host's connection
            from daemon.scheduler.constraints import new_colocation
            new_colocation(ws, "#replica-remote-with-host-remote", None, scores.INFINITY,
                           replica.remote, host.remote_rsc, None, None, True, False)
        if replica.remote is not None:
            assign(ws, replica.remote, prefer, stop_if_fail)
        child = replica.child
        if child is not None:
            for node in list(child.allowed):
                if node is not replica.node:
                    child.allowed[node] = -scores.INFINITY
                elif threshold_reached(ws, child, node) is None:
                    child.allowed[node] = scores.INFINITY
            child.parent.assigning = True
            assign(ws, child, replica.node, stop_if_fail)
            child.parent.assigning = False
    if data.child is not None:
        guests = {r.node for r in data.replicas}
        for node in list(data.child.allowed):
            data.child.allowed[node] = 0 if node in guests else -scores.INFINITY
        assign(ws, data.child, prefer, stop_if_fail)
    rsc.assigning = False
    rsc.unassigned = False
    return None


# ---- actions --------------------------------------------------------------------------------

def bundle_create_actions(ws: WorkingSet, rsc: Resource) -> None:
    """pcmk__bundle_create_actions()."""
    from daemon.scheduler.clone import create_instance_actions
    from daemon.scheduler.engine import create_actions
    data = rsc.bundle_data
    for replica in data.replicas:
        if replica.ip is not None:
            create_actions(ws, replica.ip)
        create_actions(ws, replica.container)
        if replica.remote is not None:
            create_actions(ws, replica.remote)
    create_instance_actions(ws, rsc, containers(rsc))
    if data.child is not None:
        create_actions(ws, data.child)
        if data.child.promotable:
            from daemon.scheduler.clone import _pseudo
            for task in ("promote", "promoted", "demote", "demoted"):
                _pseudo(ws, rsc, task, True, True)


def bundle_internal_constraints(ws: WorkingSet, rsc: Resource) -> None:
    """pcmk__bundle_internal_constraints()."""
    from daemon.scheduler.constraints import new_colocation
    from daemon.scheduler.engine import create_internal_constraints
    order = act.order_resource_actions
    data = rsc.bundle_data
    for replica in data.replicas:
        container = replica.container
        create_internal_constraints(ws, container)
        order(ws, rsc, "start", container, "start",
              m.AR_UNRUNNABLE_FIRST_BLOCKS | m.AR_THEN_IMPLIES_FIRST_GRAPHED)
        if replica.child is not None:
            order(ws, rsc, "stop", replica.child, "stop", m.AR_THEN_IMPLIES_FIRST_GRAPHED)
        order(ws, rsc, "stop", container, "stop", m.AR_THEN_IMPLIES_FIRST_GRAPHED)
        order(ws, container, "start", rsc, "running", m.AR_FIRST_IMPLIES_THEN_GRAPHED)
        order(ws, container, "stop", rsc, "stopped", m.AR_FIRST_IMPLIES_THEN_GRAPHED)
        if replica.ip is not None:
            create_internal_constraints(ws, replica.ip)
            order(ws, replica.ip, "start", container, "start",
                  m.AR_UNRUNNABLE_FIRST_BLOCKS | m.AR_GUEST_ALLOWED)
            order(ws, container, "stop", replica.ip, "stop",
                  m.AR_THEN_IMPLIES_FIRST | m.AR_GUEST_ALLOWED)
            new_colocation(ws, "#ip-with-container", None, scores.INFINITY, replica.ip,
                           container, None, None, True, False)
        if replica.remote is not None:
            create_internal_constraints(ws, replica.remote)
    child = data.child
    if child is None:
        return
    order(ws, rsc, "start", child, "start", m.AR_THEN_IMPLIES_FIRST_GRAPHED)
    order(ws, child, "running", rsc, "running", m.AR_FIRST_IMPLIES_THEN_GRAPHED)
    order(ws, rsc, "stop", child, "stop", m.AR_THEN_IMPLIES_FIRST_GRAPHED)
    order(ws, child, "stopped", rsc, "stopped", m.AR_FIRST_IMPLIES_THEN_GRAPHED)
    create_internal_constraints(ws, child)
    if not child.promotable:
        return
    for first, then in (("stopped", "start"), ("stopped", "promote"), ("demoted", "stop"),
                        ("demoted", "start"), ("demoted", "promote"), ("running", "promote"),
                        ("demote", "demoted")):
        order(ws, rsc, first, rsc, then, m.AR_ORDERED)
    order(ws, rsc, "demote", child, "demote", m.AR_THEN_IMPLIES_FIRST_GRAPHED)
    order(ws, child, "demoted", rsc, "demoted", m.AR_FIRST_IMPLIES_THEN_GRAPHED)
    order(ws, rsc, "promote", child, "promote", m.AR_THEN_IMPLIES_FIRST_GRAPHED)
    order(ws, child, "promoted", rsc, "promoted", m.AR_FIRST_IMPLIES_THEN_GRAPHED)


def bundle_action_flags(action: Action, node: Node | None) -> int:
    """pcmk__bundle_action_flags(): role and notification actions summarise the inner
    instances, the others the containers."""
    rsc = action.rsc
    child = rsc.bundle_data.child
    if child is not None and action.task in ("notify", "notified", "promote", "promoted",
                                             "demote", "demoted"):
        return collective_action_flags(action, child.children, node)
    return collective_action_flags(action, containers(rsc), node)


# ---- colocations ------------------------------------------------------------------------------

def _inner_wants_bundle_colocations(rsc: Resource, orig: Resource) -> bool:
    child = rsc.bundle_data.child
    if child is None or not child.promotable or orig.top() is not child:
        return False
    if orig is child:
        return child.promotion_sorted
    return not orig.unassigned


def bundle_this_with(rsc: Resource, orig: Resource, out: list[Colocation]) -> None:
    if orig is rsc or orig.replica_container or _inner_wants_bundle_colocations(rsc, orig):
        col._add_list(out, rsc.this_with, True)


def bundle_with_this(rsc: Resource, orig: Resource, out: list[Colocation]) -> None:
    if orig is rsc or orig.replica_container or _inner_wants_bundle_colocations(rsc, orig):
        col._add_list(out, rsc.with_this, False)


def _compatible_replica_on(rsc: Resource, node: Node, role: Role, current: bool):
    for replica in _replicas(rsc):
        if instance_matches(replica.container, node, role, current):
            return replica.container
    return None


def _compatible_replica(dependent: Resource, rsc: Resource, role: Role, current: bool):
    from daemon.scheduler.assign import sort_nodes
    active = location(dependent, current)
    if active is not None and active.guest_never_probed:
        # an instance inside another bundle pairs by its container's host
        container = active.remote_rsc.launcher
        active = location(container, current)
    if active is not None:
        return _compatible_replica_on(rsc, active, role, current)
    for node, _ in sort_nodes(dict(dependent.allowed), None):
        pair = _compatible_replica_on(rsc, node, role, current)
        if pair is not None:
            return pair
    return None


def bundle_apply_coloc_score(ws: WorkingSet, dependent: Resource, primary: Resource,
                             coloc: Colocation, for_dependent: bool) -> int:
    """pcmk__bundle_apply_coloc_score(): the bundle only ever acts as the primary (its
    containers take its colocations as dependents)."""
    if primary.unassigned:
        return 0
    if coloc.dependent.variant > m.GROUP:
        pair = _compatible_replica(dependent, primary, Role.UNKNOWN, False)
        if pair is not None:
            return col.apply_coloc_score(ws, dependent, pair, coloc, True)
        if coloc.score >= scores.INFINITY:
            assign_to(ws, dependent, None, None, True, True)
        return 0
    chosen_nodes = []
    delta = 0
    for replica in _replicas(primary):
        if coloc.score < scores.INFINITY:
            delta = scores.add(delta, col.apply_coloc_score(ws, dependent, replica.container,
                                                            coloc, False))
            continue
        chosen = location(replica.container, False)
        if chosen is None or is_blocked(replica.container):
            continue
        if coloc.primary_role >= Role.PROMOTED and (
                replica.child is None or replica.child.next_role < Role.PROMOTED):
            continue
        chosen_nodes.insert(0, chosen)
    if coloc.score >= scores.INFINITY:
        for node in list(dependent.allowed):
            if node not in chosen_nodes:
                dependent.allowed[node] = -scores.INFINITY
    return delta


# ---- locations and probes -------------------------------------------------------------------

def bundle_apply_location(rsc: Resource, loc: Location) -> None:
    from daemon.scheduler.criteria import _apply_location_one, apply_location
    _apply_location_one(rsc, loc.nodes, loc)
    for replica in _replicas(rsc):
        apply_location(replica.container, loc)
        if replica.ip is not None:
            apply_location(replica.ip, loc)
    child = rsc.bundle_data.child
    if child is not None and loc.role_filter in (Role.UNPROMOTED, Role.PROMOTED):
        apply_location(child, loc)
        child.locations.insert(0, loc)


def bundle_create_probe(ws: WorkingSet, rsc: Resource, node: Node) -> bool:
    """pcmk__bundle_create_probe()."""
    from daemon.scheduler.probes import probe_rsc_on_node
    data = rsc.bundle_data
    created = False
    for replica in data.replicas:
        if replica.ip is not None and probe_rsc_on_node(ws, replica.ip, node):
            created = True
        if replica.child is not None and node is replica.node \
                and probe_rsc_on_node(ws, replica.child, node):
            created = True
        if probe_rsc_on_node(ws, replica.container, node):
            created = True
            if data.per_host == 1:
                for other in data.replicas:
                    if other is replica:
                        continue
                    act.new_ordering(ws, replica.container,
                                     act.op_key(replica.container.id, "monitor"), None,
                                     other.container, act.op_key(other.container.id, "start"),
                                     None, m.AR_ORDERED | m.AR_IF_ON_SAME_NODE)
        if replica.remote is not None and probe_rsc_on_node(ws, replica.remote, node):
            probes = act.find_actions_exact(replica.remote,
                                            act.op_key(replica.remote.id, "monitor"), node)
            if probes:
                created = True
                act.new_ordering(ws, replica.container,
                                 act.op_key(replica.container.id, "start"), None,
                                 replica.remote, None, probes[0], m.AR_NESTED_REMOTE_PROBE)
    return created
