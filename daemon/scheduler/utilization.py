"""Utilization and placement strategies (Pacemaker's pcmk_sched_utilization.c and the
strategy-dependent parts of its node and resource sorting).

Nodes have a capacity per utilization attribute (their `<utilization>` nvpairs), resources a
need (theirs). A node's table holds what remains: assigning a resource consumes its need,
unassigning releases it. With `placement-strategy` other than `default`:

- a resource (with the resources colocated with it that are not placed yet) may only go to
  a node with enough remaining capacity of every attribute it needs (ban_insufficient_capacity);
- resources are placed highest priority first, then by their score where they run, then by
  their score on each node in node order (sort_resources);
- `balanced` prefers the node with more free capacity before the one with fewer resources;
  `minimal` looks at scores and names only (sort key in node_order).
"""

from __future__ import annotations

import re
from functools import lru_cache

from daemon.scheduler import colocation as col
from daemon.scheduler import model as m
from daemon.scheduler import rules
from daemon.scheduler import scores
from daemon.scheduler.glib_sort import merge_sort
from daemon.scheduler.model import Node, Resource
from daemon.status.ghash import hash_order

DEFAULT = "default"
UTILIZATION = "utilization"
MINIMAL = "minimal"
BALANCED = "balanced"

_INT_MIN = -(2 ** 31)
_INT_MAX = 2 ** 31 - 1
_LEADING_INT = re.compile(r"\s*([+-]?\d+)")


def value(text: str | None) -> int:
    """utilization_value(): the integer of a utilization value (0 when absent or invalid),
    clamped to a C int as Pacemaker's scan is."""
    if text is None:
        return 0
    match = _LEADING_INT.match(text)
    if match is None:
        return 0
    return max(_INT_MIN, min(_INT_MAX, int(match.group(1))))


def unpack_resource_utilization(ws, rsc: Resource, xml) -> None:
    """A resource's `<utilization>` blocks (rules evaluated without a node, as Pacemaker)."""
    rsc.utilization = {}
    if xml is not None:
        rules.unpack_nvpair_sets(xml, "utilization", rules.RuleInput(now=ws.now),
                                 rsc.utilization, lookup=ws.lookup_id)


@lru_cache(maxsize=64)
def _table_order(node_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The order Pacemaker walks a resource's allowed-node table: a GLib hash table keyed by
    node id with Pacemaker's string hash, modelled by daemon/status/ghash.py (crm_mon lists
    tickets from the same kind of table). Where Pacemaker keeps the first of equal nodes
    met, or sorts the table's values, this order decides; every resource of a cluster has
    the same node ids, hence the cache."""
    return tuple(hash_order(node_ids))


def iteration_order(node_ids) -> tuple[str, ...]:
    return _table_order(tuple(node_ids))


# ---- node capacities ------------------------------------------------------------------

def compare_capacities(node1: Node, node2: Node) -> int:
    """pcmk__compare_node_capacities(): negative when node1 has more free capacity (one
    step per attribute where it has more), positive when node2 has."""
    result = 0
    u1, u2 = node1.utilization, node2.utilization
    for key, text in u1.items():
        c1, c2 = value(text), value(u2.get(key))
        if c1 > c2:
            result -= 1
        elif c1 < c2:
            result += 1
    for key, text in u2.items():
        if key in u1:
            continue
        c2 = value(text)
        if c2 > 0:
            result += 1
        elif c2 < 0:
            result -= 1
    return result


def consume(capacity: dict[str, str], rsc: Resource) -> None:
    """pcmk__consume_node_capacity(): subtract the resource's needs (an attribute the node
    lacks becomes 0)."""
    for key, need in rsc.utilization.items():
        current = capacity.get(key)
        result = value(current) - value(need) if current is not None else 0
        capacity[key] = str(result)


def release(capacity: dict[str, str], needs: dict[str, str]) -> None:
    """pcmk__release_node_capacity(): add needs back (also how needs are summed)."""
    for key, need in needs.items():
        capacity[key] = str(value(capacity.get(key)) + value(need))


def have_enough(node: Node, needs: dict[str, str]) -> bool:
    capacity = node.utilization
    for key, need in needs.items():
        if value(need) > value(capacity.get(key)):
            return False
    return True


# ---- resources colocated with a resource ------------------------------------------------

def colocated_resources(rsc: Resource, orig: Resource | None, found: list[Resource]
                        ) -> list[Resource]:
    """The colocated_resources() method: `rsc` and every resource that a mandatory
    colocation chain ties to its node."""
    if orig is None:
        orig = rsc
    if rsc.variant == m.GROUP:
        if rsc.group_colocated or (rsc.parent is not None and rsc.parent.variant == m.CLONE):
            found.insert(0, rsc)
            for member in rsc.children:
                found = colocated_resources(member, orig, found)
        elif rsc.children:
            found = _colocated_resources(rsc, orig, found)
        return found
    return _colocated_resources(rsc, orig, found)


def _colocated_resources(rsc: Resource, orig: Resource, found: list[Resource]
                         ) -> list[Resource]:
    if rsc in found:
        return found
    found.insert(0, rsc)
    for c in col.this_with(rsc):
        primary = c.primary
        if primary is orig:
            continue
        if c.score == scores.INFINITY \
                and col.affects(rsc, primary, c, True) == col.AFFECTS_LOCATION:
            found = colocated_resources(primary, orig, found)
    for c in col.with_this(rsc):
        dependent = c.dependent
        if dependent is orig:
            continue
        if rsc.variant == m.CLONE and dependent.variant != m.CLONE:
            continue
        if c.score == scores.INFINITY \
                and col.affects(dependent, rsc, c, True) == col.AFFECTS_LOCATION:
            found = colocated_resources(dependent, orig, found)
    return found


def add_utilization(rsc: Resource, orig: Resource, all_rscs: list[Resource],
                    total: dict[str, str]) -> None:
    """The add_utilization() method: add what `rsc` still needs (nothing once placed)."""
    if not rsc.unassigned:
        return
    if rsc.variant == m.PRIMITIVE:
        release(total, rsc.utilization)
    elif rsc.variant == m.GROUP:
        if rsc.group_colocated or (rsc.parent is not None and rsc.parent.variant == m.CLONE):
            members = rsc.children
        else:
            members = rsc.children[:1]
        for member in members:
            if member.unassigned and member not in all_rscs:
                add_utilization(member, orig, all_rscs, total)
    else:
        existing = False
        for child in rsc.children:
            if child in all_rscs:
                existing = True
                continue
            for member in child.children:
                if member in all_rscs:
                    add_utilization(child, orig, all_rscs, total)
                    existing = True
                    break
        if not existing and rsc.children:
            add_utilization(rsc.children[0], orig, all_rscs, total)


def ban_insufficient_capacity(ws, rsc: Resource) -> Node | None:
    """pcmk__ban_insufficient_capacity(): ban `rsc` from the nodes without room for it and
    the unplaced resources colocated with it; when no node has room for them all, ban only
    the nodes without room for `rsc` alone and return the node with most free capacity."""
    if ws.options.placement_strategy == DEFAULT:
        return None
    found = colocated_resources(rsc, None, [])
    if not found:
        return None
    if rsc not in found:
        found.append(rsc)
    needs: dict[str, str] = {}
    for other in found:
        add_utilization(other, rsc, found, needs)
    any_capable = False
    most_capable = None
    # In the order Pacemaker's allowed-node table iterates: the first of equally free nodes
    # stays the most capable one.
    by_id = {node.id: (node, score) for node, score in rsc.allowed.items()}
    for node, score in (by_id[i] for i in iteration_order(by_id)):
        if not node.available(score, consider_score=True):
            continue
        if have_enough(node, needs):
            any_capable = True
        if most_capable is None or compare_capacities(node, most_capable) < 0:
            most_capable = node
    if not any_capable:
        needs = rsc.utilization
    else:
        most_capable = None
    from daemon.scheduler.unpack_resources import resource_location
    for node, score in list(rsc.allowed.items()):
        if node.available(score, consider_score=True) and not have_enough(node, needs):
            resource_location(ws, rsc, node, -scores.INFINITY, "__limit_utilization__")
    return most_capable


# ---- ordering -----------------------------------------------------------------------------

def compare_nodes(strategy: str, node1: Node, score1: int, node2: Node, score2: int,
                  preferred: Node | None) -> int:
    """compare_nodes() of pcmk__sort_nodes(): negative when node1 goes first."""
    if not node1.available():
        score1 = -scores.INFINITY
    if not node2.available():
        score2 = -scores.INFINITY
    if score1 != score2:
        return -1 if score1 > score2 else 1
    if strategy != MINIMAL:
        if strategy == BALANCED:
            result = compare_capacities(node1, node2)
            if result:
                return -1 if result < 0 else 1
        if node1.num_resources != node2.num_resources:
            return -1 if node1.num_resources < node2.num_resources else 1
        if preferred is not None:
            if node1 is preferred:
                return -1
            if node2 is preferred:
                return 1
    if node1.name == node2.name:
        return 0
    return -1 if node1.name < node2.name else 1


def sort_nodes(strategy: str, nodes: dict[Node, int], preferred: Node | None,
               table: bool = True) -> list[tuple[Node, int]]:
    """pcmk__sort_nodes() under a non-default strategy (GLib's merge sort: `balanced`
    compares capacities, which is not a total order with several attributes, so the input
    order counts). `table`: `nodes` is a resource's allowed-node table, which Pacemaker
    hands over as g_hash_table_get_values() lists it (the reverse of its iteration order);
    otherwise the nodes are a list, in the given order."""
    items = list(nodes.items())
    if table:
        by_id = {node.id: (node, score) for node, score in items}
        items = [by_id[i] for i in reversed(iteration_order(by_id))]
    return merge_sort(items, lambda a, b: compare_nodes(
        strategy, a[0], a[1], b[0], b[1], preferred))


def sort_resources(ws) -> None:
    """pcmk__sort_resources(): the order in which resources are assigned."""
    from daemon.scheduler.assign import current_node
    strategy = ws.options.placement_strategy
    nodes = [node for node, _ in sort_nodes(strategy, {n: n.weight for n in ws.nodes}, None,
                                            table=False)]
    cache: dict[str, dict[Node, int]] = {}

    def colocated_scores(rsc: Resource) -> dict[Node, int]:
        got = cache.get(rsc.id)
        if got is None:
            got = col.add_colocated_node_scores(rsc, rsc, None, None, 1.0,
                                                col.SELECT_THIS_WITH) or {}
            cache[rsc.id] = got
        return got

    def score_on(node: Node | None, table: dict[Node, int]) -> int:
        if node is None:
            return -scores.INFINITY
        return table.get(node, -scores.INFINITY)

    def cmp(r1: Resource, r2: Resource) -> int:
        if r1.priority != r2.priority:
            return -1 if r1.priority > r2.priority else 1
        if not nodes:
            return 0
        t1, t2 = colocated_scores(r1), colocated_scores(r2)
        s1 = score_on(current_node(r1) if r1.running_on else None, t1)
        s2 = score_on(current_node(r2) if r2.running_on else None, t2)
        if s1 != s2:
            return -1 if s1 > s2 else 1
        for node in nodes:
            s1, s2 = score_on(node, t1), score_on(node, t2)
            if s1 != s2:
                return -1 if s1 > s2 else 1
        return 0

    ws.resources[:] = merge_sort(ws.resources, cmp)
