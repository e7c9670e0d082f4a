"""Turning a two-resource set constraint back into a simple one, as crmsh does.

When grouping, renaming or deleting leaves a colocation or order with exactly two resources,
crmsh prints it, drops the set markers and parses it again, which yields the simple form
(`rsc`/`with-rsc`, `first`/`then`). `to_simple` computes that result directly. It returns None
where crmsh's round trip keeps resource sets (tickets, locations, `[ ]` sets, more than two
resources). Callers drop the `sequential` attributes first, as crmsh does.
"""

from __future__ import annotations

from crmshell.lang.build_parts import E
from crmshell.lang.build_constraints import order_kind


def to_simple(constraint):
    """The simple equivalent of a set constraint, or None when there is none."""
    if constraint.tag not in ("rsc_colocation", "rsc_order"):
        return None
    ends = []
    for rset in constraint.iterfind("resource_set"):
        if rset.get("require-all", "true").lower() in ("false", "no", "off", "0"):
            return None
        qualifier = rset.get("action" if constraint.tag == "rsc_order" else "role")
        for ref in rset.iterfind("resource_ref"):
            ends.append((ref.get("id"), qualifier))
    if len(ends) != 2:
        return None
    if constraint.tag == "rsc_colocation":
        return _colocation(constraint, ends)
    return _order(constraint, ends)


def _colocation(constraint, ends):
    elem = E("rsc_colocation", ("id", constraint.get("id")))
    if constraint.get("score") is not None:
        elem.set("score", constraint.get("score"))
    elif constraint.get("score-attribute") is not None:
        elem.set("score-attribute", constraint.get("score-attribute"))
    if constraint.get("node-attribute") is not None:
        elem.set("node-attribute", constraint.get("node-attribute").lower())
    for (rsc, role), name in zip(ends, ("rsc", "with-rsc")):
        elem.set(name, rsc)
        if role:
            elem.set(f"{name}-role", role)
    return elem


def _order(constraint, ends):
    elem = E("rsc_order", ("id", constraint.get("id")))
    kind = constraint.get("kind")
    if kind is None and constraint.get("score") is not None:
        try:
            kind = order_kind(constraint.get("score").replace("INFINITY", "inf"))
        except ValueError:
            kind = None
    if kind is not None:
        elem.set("kind", kind)
    symmetrical = constraint.get("symmetrical")
    if symmetrical is not None:
        elem.set("symmetrical", "true" if symmetrical.lower() in ("yes", "true", "on", "1") else "false")
    for (rsc, action), name in zip(ends, ("first", "then")):
        elem.set(name, rsc)
        if action:
            elem.set(f"{name}-action", action)
    return elem
