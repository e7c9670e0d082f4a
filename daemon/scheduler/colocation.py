"""Colocation arithmetic: which colocations apply to a resource, and how they move scores.

`this_with(rsc)` lists colocations where `rsc` is the dependent, `with_this(rsc)` those where
it is the primary, each including what parents and group members contribute. The factor
arithmetic deliberately rounds through 32-bit floats, as Pacemaker's C code does.
"""

from __future__ import annotations

import struct

from daemon.scheduler import model as m
from daemon.scheduler import scores
from daemon.scheduler.constraints import insert_sorted
from daemon.scheduler.model import Colocation, Node, Resource
from daemon.scheduler.roles import Role

INFINITY_HACK = scores.INFINITY * -100

# colocation selection flags
SELECT_ACTIVE = 1
SELECT_NONNEGATIVE = 2
SELECT_THIS_WITH = 4

AFFECTS_NOTHING = 0
AFFECTS_LOCATION = 1
AFFECTS_ROLE = 2


def f32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def attr_viewer(rsc: Resource | None) -> Resource | None:
    """`rsc` if it may see node attributes other than the node's own (bundled, or with a
    container-attribute-target), else None: the plain, fast lookup."""
    if rsc is None or ("container-attribute-target" not in rsc.meta
                       and rsc.top().parent is None):
        return None
    return rsc


def node_attr(node: Node, attr: str, rsc: Resource | None = None) -> str | None:
    """pcmk__colocation_node_attr(): `rsc`'s view of a node attribute (a bundled
    resource's on a guest node is its container host's)."""
    if rsc is None and not node.guest_never_probed:
        return node.attrs.get(attr)
    from daemon.scheduler.guest_attrs import colocation_attr_target
    from daemon.scheduler.guest_attrs import node_attr as guest_attr
    return guest_attr(node, attr, colocation_attr_target(node, rsc), True)


def same_value(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.lower() == b.lower()


def any_node_available(nodes: dict[Node, int]) -> bool:
    for node, score in nodes.items():
        if score >= 0 and node.available():
            return True
    return False


def has_influence(coloc: Colocation, rsc: Resource | None = None) -> bool:
    if rsc is None:
        rsc = coloc.primary
    # a bundle's connection (nesting allowed) does not move its clean, active container
    if coloc.dependent.remote_nesting_allowed and not rsc.failed and len(rsc.running_on) == 1:
        return False
    return coloc.influence or not rsc.running_on


# ---- colocation lists ---------------------------------------------------------------

def _add_list(lst: list[Colocation], addition: list[Colocation], by_primary: bool) -> None:
    if not lst:
        lst.extend(addition)
        return
    for c in addition:
        insert_sorted(lst, c, by_primary)


def this_with(rsc: Resource) -> list[Colocation]:
    out: list[Colocation] = []
    _this_with(rsc, rsc, out)
    return out


def with_this(rsc: Resource) -> list[Colocation]:
    out: list[Colocation] = []
    _with_this(rsc, rsc, out)
    return out


def _this_with(rsc: Resource, orig: Resource, out: list[Colocation]) -> None:
    if rsc.variant == m.GROUP:
        _group_this_with(rsc, orig, out)
    elif rsc.variant == m.CLONE:
        from daemon.scheduler.clone import clone_this_with
        clone_this_with(rsc, orig, out)
    elif rsc.variant == m.BUNDLE:
        from daemon.scheduler.bundle_sched import bundle_this_with
        bundle_this_with(rsc, orig, out)
    else:
        _primitive_list(rsc, orig, out, True)


def _with_this(rsc: Resource, orig: Resource, out: list[Colocation]) -> None:
    if rsc.variant == m.GROUP:
        _group_with_this(rsc, orig, out)
    elif rsc.variant == m.CLONE:
        from daemon.scheduler.clone import clone_with_this
        clone_with_this(rsc, orig, out)
    elif rsc.variant == m.BUNDLE:
        from daemon.scheduler.bundle_sched import bundle_with_this
        bundle_with_this(rsc, orig, out)
    else:
        _primitive_list(rsc, orig, out, False)


def _primitive_list(rsc: Resource, orig: Resource, out: list[Colocation],
                    this_with_side: bool) -> None:
    own = rsc.this_with if this_with_side else rsc.with_this
    if rsc is orig:
        _add_list(out, own, this_with_side)
        if rsc.parent is not None:
            (_this_with if this_with_side else _with_this)(rsc.parent, orig, out)
    else:
        for c in own:
            if c.explicit:
                insert_sorted(out, c, this_with_side)


def _group_this_with(rsc: Resource, orig: Resource, out: list[Colocation]) -> None:
    if not rsc.children:
        return
    if rsc is orig or orig is rsc.children[0]:
        _add_list(out, rsc.this_with, True)
        if rsc.parent is not None:
            _this_with(rsc.parent, orig, out)
        if not rsc.group_colocated:
            return
        for member in rsc.children:
            if member is not orig:
                _this_with(member, orig, out)
        return
    for member in rsc.children:
        if member is orig:
            break
        if not member.managed:
            for c in rsc.this_with:
                if c.score >= scores.INFINITY:
                    insert_sorted(out, c, True)
            break


def _group_with_this(rsc: Resource, orig: Resource, out: list[Colocation]) -> None:
    if not rsc.children:
        return
    if orig is not rsc and orig is not rsc.children[-1]:
        return
    _add_list(out, rsc.with_this, False)
    if rsc.parent is not None:
        _with_this(rsc.parent, orig, out)
    if not rsc.group_colocated:
        return
    for member in rsc.children:
        if member is not orig:
            _with_this(member, orig, out)


# ---- how a colocation affects a dependent ---------------------------------------------

def role_resource(rsc: Resource) -> Resource:
    """The resource whose role a colocation looks at: a bundle replica's container
    stands for the instance it holds."""
    if rsc.replica_container:
        from daemon.scheduler.bundle import resource_in_container
        inner = resource_in_container(rsc)
        if inner is not None:
            return inner
    return rsc


def affects(dependent: Resource, primary: Resource, coloc: Colocation, preview: bool) -> int:
    if not preview and primary.unassigned:
        return AFFECTS_NOTHING
    dependent_role_rsc = role_resource(dependent)
    primary_role_rsc = role_resource(primary)
    if coloc.dependent_role >= Role.UNPROMOTED and dependent_role_rsc.parent is not None \
            and dependent_role_rsc.parent.promotable and not dependent_role_rsc.unassigned:
        return AFFECTS_ROLE
    if not preview and not dependent.unassigned:
        return AFFECTS_NOTHING
    if coloc.dependent_role != Role.UNKNOWN \
            and coloc.dependent_role != dependent_role_rsc.next_role:
        return AFFECTS_NOTHING
    if coloc.primary_role != Role.UNKNOWN and coloc.primary_role != primary_role_rsc.next_role:
        return AFFECTS_NOTHING
    return AFFECTS_LOCATION


def apply_coloc_score(ws, dependent: Resource, primary: Resource, coloc: Colocation,
                      for_dependent: bool) -> int:
    """The apply_coloc_score() method, dispatched on the acting resource's variant.

    Returns what was added to the dependent's priority (choosing promotable roles), so
    that a cloned group can add its first member's share to its own priority."""
    if for_dependent:
        if dependent.variant == m.GROUP:
            return _colocate_group_with(ws, dependent, primary, coloc)
        if dependent.variant == m.CLONE:
            from daemon.scheduler.clone import clone_apply_coloc_score
            return clone_apply_coloc_score(ws, dependent, primary, coloc, True)
        # primitive: always process on behalf of the primary
        return apply_coloc_score(ws, dependent, primary, coloc, False)
    if primary.variant == m.GROUP:
        return _colocate_with_group(ws, dependent, primary, coloc)
    if primary.variant == m.CLONE:
        from daemon.scheduler.clone import clone_apply_coloc_score
        return clone_apply_coloc_score(ws, dependent, primary, coloc, False)
    if primary.variant == m.BUNDLE:
        from daemon.scheduler.bundle_sched import bundle_apply_coloc_score
        return bundle_apply_coloc_score(ws, dependent, primary, coloc, False)
    result = affects(dependent, primary, coloc, False)
    if result == AFFECTS_ROLE:
        return apply_coloc_to_priority(dependent, primary, coloc)
    if result == AFFECTS_LOCATION:
        apply_coloc_to_scores(dependent, primary, coloc)
    return 0


def _colocate_group_with(ws, dependent: Resource, primary: Resource, coloc) -> int:
    if not dependent.children:
        return 0
    delta = 0
    if dependent.group_colocated:
        member = dependent.children[0]
        delta = apply_coloc_score(ws, member, primary, coloc, True)
    elif coloc.score >= scores.INFINITY:
        ws.warn(f"{dependent.id}: cannot perform mandatory colocation between "
                f"non-colocated group and {primary.id}")
        return 0
    else:
        for member in dependent.children:
            delta = scores.add(delta, apply_coloc_score(ws, member, primary, coloc, True))
    if delta:
        dependent.priority = scores.add(delta, dependent.priority)
    return delta


def _colocate_with_group(ws, dependent: Resource, primary: Resource, coloc) -> int:
    if primary.unassigned:
        return 0
    if primary.group_colocated:
        if coloc.score >= scores.INFINITY:
            member = primary.children[-1] if primary.children else None
        else:
            member = primary.children[0] if primary.children else None
        if member is None:
            return 0
        return apply_coloc_score(ws, dependent, member, coloc, False)
    if coloc.score >= scores.INFINITY:
        ws.warn(f"{dependent.id}: cannot perform mandatory colocation with non-colocated "
                f"group {primary.id}")
        return 0
    delta = 0
    for member in primary.children:
        delta = scores.add(delta, apply_coloc_score(ws, dependent, member, coloc, False))
    return delta


def apply_coloc_to_scores(dependent: Resource, primary: Resource, coloc: Colocation) -> None:
    attribute = coloc.node_attribute
    value = None
    if primary.assigned_to is not None:
        value = node_attr(primary.assigned_to, attribute, attr_viewer(primary))
    elif coloc.score < 0:
        return
    work = dict(dependent.allowed)
    score = coloc.score
    viewer = attr_viewer(dependent)
    for node, weight in work.items():
        if primary.assigned_to is None:
            work[node] = scores.add(-score, weight)
            continue
        if same_value(node_attr(node, attribute, viewer), value):
            if score < scores.INFINITY:
                work[node] = scores.add(score, weight)
            continue
        if score >= scores.INFINITY:
            work[node] = -scores.INFINITY
    if score <= -scores.INFINITY or score >= scores.INFINITY or any_node_available(work):
        dependent.allowed = work


def apply_coloc_to_priority(dependent: Resource, primary: Resource, coloc: Colocation) -> int:
    """Add a role colocation's score to the dependent's priority; returns what was added.

    An unassigned primary still counts: a mandatory colocation of the promoted dependent
    then makes its node ineligible for promotion."""
    if dependent.assigned_to is None:
        return 0
    if primary.assigned_to is not None and coloc.primary_role != Role.UNKNOWN \
            and coloc.primary_role != role_resource(primary).next_role:
        return 0
    attribute = coloc.node_attribute
    dep_value = node_attr(dependent.assigned_to, attribute, attr_viewer(dependent))
    pri_value = None if primary.assigned_to is None else node_attr(
        primary.assigned_to, attribute, attr_viewer(primary))
    multiplier = 1
    if primary.assigned_to is None or not same_value(dep_value, pri_value):
        if coloc.score >= scores.INFINITY and coloc.dependent_role == Role.PROMOTED:
            multiplier = -1
        else:
            return 0
    elif coloc.dependent_role == Role.UNPROMOTED:
        multiplier = -1
    delta = multiplier * coloc.score
    dependent.priority = scores.add(delta, dependent.priority)
    return delta


# ---- attenuated scores of colocated resources ------------------------------------------

def _value_key(value: str | None) -> str | None:
    return None if value is None else value.lower()


def _best_scores_by_value(rsc: Resource, attr: str) -> dict[str | None, int]:
    """The best score of `rsc` among available nodes, per value of the node attribute
    (compared as same_value() does): one pass instead of one per node."""
    best: dict[str | None, int] = {}
    viewer = attr_viewer(rsc)
    for node, weight in rsc.allowed.items():
        if node.available():
            key = _value_key(node_attr(node, attr, viewer))
            if weight > best.get(key, -scores.INFINITY):
                best[key] = weight
    return best


def _allowed_on_one(rsc: Resource) -> bool:
    count = 0
    for weight in rsc.allowed.values():
        if weight >= 0:
            count += 1
            if count > 1:
                return False
    return count == 1


def _add_node_scores_matching_attr(nodes: dict[Node, int], coloc_rsc: Resource,
                                   coloc: Colocation, factor: float,
                                   only_positive: bool,
                                   nodes_rsc: Resource | None = None) -> None:
    attr = coloc.node_attribute
    best = _best_scores_by_value(coloc_rsc, attr)
    viewer = attr_viewer(nodes_rsc)
    for node in list(nodes):
        weight = nodes[node]
        score = best.get(_value_key(node_attr(node, attr, viewer)), -scores.INFINITY)
        if factor < 0 and score < 0:
            if (coloc.primary.stickiness >= -score or not has_influence(coloc)
                    or not _allowed_on_one(coloc.dependent)):
                continue
        if weight == INFINITY_HACK:
            continue
        delta_f = f32(factor * f32(float(score)))
        delta = int(delta_f - 0.5) if delta_f < 0 else int(delta_f + 0.5)
        if delta == 0 and score != 0:
            if factor > 0:
                delta = 1
            elif factor < 0:
                delta = -1
        new_score = scores.add(delta, weight)
        if only_positive and new_score < 0 and weight > 0:
            nodes[node] = INFINITY_HACK
            continue
        if only_positive and new_score < 0 and weight == 0:
            continue
        nodes[node] = new_score


def add_colocated_node_scores(coloc_rsc: Resource, nodes_rsc: Resource,
                              nodes: dict[Node, int] | None, coloc: Colocation | None,
                              factor: float, flags: int) -> dict[Node, int] | None:
    """Merge `coloc_rsc`'s (attenuated) node preferences into `nodes`; returns the result.

    Returns `nodes` unchanged (the same object) when nothing should change.
    """
    if coloc_rsc.variant == m.GROUP:
        if coloc_rsc.merging:
            return nodes
        coloc_rsc.merging = True
        if not coloc_rsc.children:
            return nodes
        member = coloc_rsc.children[-1] if nodes is None else coloc_rsc.children[0]
        result = add_colocated_node_scores(member, nodes_rsc, nodes, coloc, factor, flags)
        coloc_rsc.merging = False
        return result
    if coloc_rsc.merging:
        return nodes
    coloc_rsc.merging = True
    if nodes is None:
        work = dict(coloc_rsc.allowed)
    else:
        work = dict(nodes)
        _add_node_scores_matching_attr(work, coloc_rsc, coloc, factor,
                                       bool(flags & SELECT_NONNEGATIVE), nodes_rsc)
    if any_node_available(work):
        if flags & SELECT_THIS_WITH:
            colocations = this_with(coloc_rsc)
        else:
            colocations = with_this(coloc_rsc)
        flags |= SELECT_ACTIVE
        for c in colocations:
            other_factor = f32(f32(factor * f32(float(c.score))) / f32(float(scores.INFINITY)))
            if flags & SELECT_THIS_WITH:
                other = c.primary
            elif not has_influence(c):
                continue
            else:
                other = c.dependent
            work = add_colocated_node_scores(other, nodes_rsc, work, c, other_factor, flags)
    elif flags & SELECT_ACTIVE:
        coloc_rsc.merging = False
        return nodes
    if flags & SELECT_NONNEGATIVE:
        for node, weight in work.items():
            if weight == INFINITY_HACK:
                work[node] = 1
    coloc_rsc.merging = False
    return work


def add_dependent_scores(coloc: Colocation, rsc: Resource) -> None:
    """Fold a "with this" colocation's dependent preferences into `rsc`'s scores."""
    other = coloc.dependent
    factor = f32(f32(float(coloc.score)) / f32(float(scores.INFINITY)))
    flags = SELECT_ACTIVE
    if not has_influence(coloc):
        return
    if rsc.variant == m.CLONE:
        flags |= SELECT_NONNEGATIVE
    result = add_colocated_node_scores(other, rsc, rsc.allowed, coloc, factor, flags)
    if result is not None:
        rsc.allowed = result
