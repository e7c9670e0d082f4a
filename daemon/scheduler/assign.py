"""Assigning resources to nodes: primitives and groups (clones live in clone.py).

`assign(rsc)` is the variant-dispatching assign() method. A primitive first lets the
resources it must follow place themselves, folds their scores (and its dependents') into
its own, then takes the best node, preferring where it already runs on a tie.
"""

from __future__ import annotations

from daemon.scheduler import colocation as col
from daemon.scheduler import model as m
from daemon.scheduler import scores
from daemon.scheduler import utilization
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.node_names import name_key
from daemon.scheduler.roles import Role
from daemon.scheduler.unpack_resources import resource_location
from daemon.scheduler.working_set import WorkingSet


def assign(ws: WorkingSet, rsc: Resource, prefer: Node | None = None,
           stop_if_fail: bool = True) -> Node | None:
    if rsc.variant == m.PRIMITIVE:
        return primitive_assign(ws, rsc, prefer, stop_if_fail)
    if rsc.variant == m.GROUP:
        return group_assign(ws, rsc, prefer, stop_if_fail)
    if rsc.variant == m.BUNDLE:
        from daemon.scheduler.bundle_sched import bundle_assign
        return bundle_assign(ws, rsc, prefer, stop_if_fail)
    from daemon.scheduler.clone import clone_assign
    return clone_assign(ws, rsc, prefer, stop_if_fail)


def current_node(rsc: Resource) -> Node | None:
    """pe__current_node(): where the resource is active, preferring a clean node."""
    active = None
    for node in rsc.running_on:
        keep_looking = False
        if rsc.partial_source is not None:
            if node is rsc.partial_source:
                active = node
            else:
                keep_looking = True
        elif rsc.requires != m.REQUIRES_FENCING:
            happy = node.online and not node.unclean
            if happy and (active is None or not active.online or active.unclean):
                active = node
            else:
                keep_looking = True
        if active is None:
            active = node
        if not keep_looking:
            break
    return active


def sort_nodes(nodes: dict[Node, int], preferred: Node | None) -> list[tuple[Node, int]]:
    """Candidate nodes best first: higher score (unavailable nodes count as -INFINITY),
    then fewer resources already assigned, then the preferred node, then by name."""
    def key(item: tuple[Node, int]):
        node, score = item
        return (-(score if node.available() else -scores.INFINITY), node.num_resources,
                node is not preferred, node.name)
    return sorted(nodes.items(), key=key)


def assign_to(ws: WorkingSet, rsc: Resource, node: Node | None, score: int | None,
              force: bool, stop_if_fail: bool) -> bool:
    """pcmk__assign_resource(): place a resource (all primitives below it) on `node`."""
    if rsc.children:
        changed = False
        for child in rsc.children:
            changed |= assign_to(ws, child, node, score, force, stop_if_fail)
        return changed
    if not force and node is not None:
        # the graph may assume a guest node's connection will come up
        if (score is not None and score < 0) or (
                not node.available() and (node.remote_rsc is None
                                          or node.remote_rsc.launcher is None)):
            if stop_if_fail:
                rsc.next_role = Role.STOPPED
            node = None
    changed = (rsc.assigned_to is not node)
    unassign(rsc)
    rsc.unassigned = False
    if node is None:
        if not stop_if_fail:
            return changed
        rsc.next_role = Role.STOPPED
        for op in rsc.actions:
            if op.task == "stop":
                op.flags &= ~m.OPTIONAL
            elif op.task == "start":
                op.flags &= ~m.RUNNABLE
            else:
                interval = op.meta.get("interval")
                if interval is not None and interval != "0" \
                        and op.meta.get("op_target_rc") != "7":
                    op.flags &= ~m.RUNNABLE
        return changed
    rsc.assigned_to = node
    rsc.assigned_score = score if score is not None else 0
    node.num_resources += 1
    if rsc.utilization:
        utilization.consume(node.utilization, rsc)
    return changed


def record_scores(ws: WorkingSet, rsc: Resource, step: str) -> None:
    """Note a resource's (and its members') node scores for the .scores output, as
    Pacemaker shows them at each assignment step (only when asked: it costs a line per
    resource and node)."""
    if not ws.show_scores:
        return
    for node, score in sorted(rsc.allowed.items(), key=lambda item: name_key(item[0].name)):
        ws.score_lines.append(f"{step}: {rsc.id} allocation score on {node.name}: "
                              f"{scores.text(score)}")
    for child in rsc.children:
        record_scores(ws, child, step)


def unassign(rsc: Resource) -> None:
    """pcmk__unassign_resource(): undo assignments (recursively), marking unassigned."""
    rsc.unassigned = True
    if rsc.children:
        for child in rsc.children:
            unassign(child)
        return
    old = rsc.assigned_to
    if old is None:
        return
    rsc.assigned_to = None
    old.num_resources -= 1
    if rsc.utilization:
        utilization.release(old.utilization, rsc.utilization)


def _assign_best_node(ws: WorkingSet, rsc: Resource, prefer: Node | None,
                      stop_if_fail: bool) -> bool:
    strategy = ws.options.placement_strategy
    if strategy != utilization.DEFAULT:
        most_free = utilization.ban_insufficient_capacity(ws, rsc)
        if prefer is None:
            prefer = most_free
    if not rsc.unassigned:
        return rsc.assigned_to is not None
    if strategy in (utilization.MINIMAL, utilization.BALANCED):
        ordered = utilization.sort_nodes(strategy, rsc.allowed, current_node(rsc))
    else:
        ordered = sort_nodes(rsc.allowed, current_node(rsc)) if rsc.allowed else []
    best = ordered[0] if ordered else None
    chosen = None
    if prefer is not None and ordered:
        score = rsc.allowed.get(prefer)
        if score is None:
            chosen = None
        elif score < best[1]:
            chosen = None
        elif not (prefer.available() and score >= 0):
            chosen = None
        else:
            chosen = (prefer, score)
    if chosen is None and best is not None:
        chosen = best
        parent = rsc.parent
        unique_clone_instance = parent is not None and parent.variant == m.CLONE \
            and parent.unique
        if not unique_clone_instance and chosen[1] > 0 and chosen[0].available():
            running = current_node(rsc)
            if running is not None and running.available() and running.weight >= 0:
                for other in ordered[1:]:
                    if other[1] != chosen[1]:
                        break
                    if other[0] is running:
                        chosen = other
    if ws.explain:
        rsc.explanation.append(("candidates", ordered,
                                {node: node.num_resources for node, _ in ordered}))
    if chosen is None:
        assign_to(ws, rsc, None, None, False, stop_if_fail)
    else:
        assign_to(ws, rsc, chosen[0], chosen[1], False, stop_if_fail)
    return rsc.assigned_to is not None


def _apply_this_with(ws: WorkingSet, coloc, rsc: Resource) -> None:
    other = coloc.primary
    archive = None
    if coloc.dependent_role >= Role.PROMOTED or (-scores.INFINITY < coloc.score < 0):
        archive = dict(rsc.allowed)
    if other.unassigned:
        assign(ws, other, None, True)
    before = dict(rsc.allowed) if ws.explain else None
    col.apply_coloc_score(ws, rsc, other, coloc, True)
    if archive is not None and not col.any_node_available(rsc.allowed):
        rsc.allowed = archive
    if ws.explain:
        rsc.explanation.append(("colocation", coloc, before, dict(rsc.allowed)))


def _dependent_scores(ws: WorkingSet, coloc, rsc: Resource) -> None:
    before = dict(rsc.allowed) if ws.explain else None
    col.add_dependent_scores(coloc, rsc)
    if ws.explain:
        rsc.explanation.append(("dependent", coloc, before, dict(rsc.allowed)))


def primitive_assign(ws: WorkingSet, rsc: Resource, prefer: Node | None,
                     stop_if_fail: bool) -> Node | None:
    if rsc.parent is not None and not rsc.parent.assigning:
        assign(ws, rsc.parent, prefer, stop_if_fail)
    if not rsc.unassigned:
        return rsc.assigned_to
    if rsc.assigning:
        return None
    rsc.assigning = True
    if ws.explain:
        rsc.explanation.append(("initial", dict(rsc.allowed)))
    this_with = col.this_with(rsc)
    with_this = col.with_this(rsc)
    inf = scores.INFINITY
    for c in this_with:
        if c.score <= -inf or c.score >= inf:
            _apply_this_with(ws, c, rsc)
    for c in with_this:
        if c.score <= -inf or c.score >= inf:
            _dependent_scores(ws, c, rsc)
    for c in this_with:
        if -inf < c.score < inf:
            _apply_this_with(ws, c, rsc)
    for c in with_this:
        if -inf < c.score < inf:
            _dependent_scores(ws, c, rsc)
    if rsc.next_role == Role.STOPPED:
        resource_location(ws, rsc, None, -inf, "target-role")
    elif rsc.next_role > rsc.role and not ws.quorate \
            and ws.options.no_quorum_policy == "freeze":
        rsc.next_role = rsc.role
    record_scores(ws, rsc, "pcmk__primitive_assign")
    if ws.explain:
        rsc.explanation.append(("final", dict(rsc.allowed)))
    if ws.options.fencing_enabled and not ws.have_fencing:
        rsc.managed = False
    if not rsc.managed:
        rsc.next_role = rsc.role
        node = current_node(rsc)
        assign_to(ws, rsc, node, None, True, stop_if_fail)
    elif ws.options.stop_all:
        assign_to(ws, rsc, None, None, True, stop_if_fail)
    else:
        _assign_best_node(ws, rsc, prefer, stop_if_fail)
    rsc.assigning = False
    if rsc.is_remote_connection:
        _remote_connection_assigned(ws, rsc)
    return rsc.assigned_to


def _remote_connection_assigned(ws: WorkingSet, connection: Resource) -> None:
    """A remote node whose connection got a node will be online (and, unless its state
    was seen, needs no fencing); one whose connection will not run is shutting down."""
    node = ws.node_by_name.get(connection.id)
    if node is None:
        return
    if connection.assigned_to is not None and connection.next_role != Role.STOPPED:
        node.online = True
        if not node.seen:
            node.unclean = False
    else:
        node.shutdown = True


def group_assign(ws: WorkingSet, rsc: Resource, prefer: Node | None,
                 stop_if_fail: bool) -> Node | None:
    if not rsc.unassigned:
        return rsc.assigned_to
    if rsc.assigning:
        return None
    if not rsc.children:
        rsc.unassigned = False
        return None
    rsc.assigning = True
    first = rsc.children[0]
    rsc.role = first.role
    record_scores(ws, rsc, "pcmk__group_assign")
    first_node = None
    for member in rsc.children:
        node = assign(ws, member, prefer, stop_if_fail)
        if first_node is None:
            first_node = node
    rsc.next_role = first.next_role
    rsc.assigning = False
    rsc.unassigned = False
    if not rsc.group_colocated:
        return None
    return first_node
