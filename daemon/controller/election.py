"""Who is DC: one answer per membership, the same on every node.

Corosync's process group gives every member the same membership in the same order of
events, so no vote is needed to agree: the DC is the member with the lowest node id among
the daemons in the group (the earliest-started process of that node, should one node hold
two). Every node computes it from its own configuration change and gets the same answer,
at once: no election round and no dc-deadtime on a cold start or after a failure.
"""

from __future__ import annotations

from collections.abc import Iterable


def choose_dc(members: Iterable[tuple[int, int]]) -> tuple[int, int] | None:
    """The (nodeid, pid) of the DC among the group's members, or None for no members."""
    ordered = sorted(members)
    return ordered[0] if ordered else None
