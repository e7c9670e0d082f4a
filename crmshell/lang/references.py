"""How constraints and tags refer to resources, and how those references follow edits.

crmsh keeps configurations sane when resources are grouped, cloned, renamed or deleted:
constraints are redirected to the new container, shrink when a set member goes, turn back
into simple constraints when a set is left with two resources, and disappear when they no
longer constrain anything. These functions do that on lxml elements and report what changed;
turning a set constraint into a simple one needs the language (render, re-parse), so the
caller passes that conversion in.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

# The attributes of a simple constraint that name resources.
CONSTRAINT_RSC_ATTRS = ("rsc", "with-rsc", "first", "then")

Convert = Callable[[object], object]  # set constraint -> equivalent simple constraint element


def refers_to(constraint, rsc_id: str) -> bool:
    if any(constraint.get(a) == rsc_id for a in CONSTRAINT_RSC_ATTRS):
        return True
    return any(r.get("id") == rsc_id for r in constraint.iterfind("resource_set/resource_ref"))


def _set_refs(constraint) -> list:
    return list(constraint.iterfind("resource_set/resource_ref"))


def _rename_simple(constraint, old: str, new: str) -> bool:
    changed = False
    for attr in CONSTRAINT_RSC_ATTRS:
        if constraint.get(attr) == old:
            constraint.set(attr, new)
            changed = True
    return changed


def _rename_in_sets(constraint, old: str, new: str, convert: Convert):
    changed = False
    counts: Counter[str] = Counter()
    for ref in _set_refs(constraint):
        if ref.get("id") == old:
            ref.set("id", new)
            changed = True
        counts[ref.get("id")] += 1
    # A resource named twice (e.g. two members of one new group) is kept once: the last one.
    for ref in _set_refs(constraint):
        rid = ref.get("id")
        if counts[rid] > 1:
            counts[rid] -= 1
            ref.getparent().remove(ref)
    if sum(counts.values()) == 2:
        constraint = _convert_to_simple(constraint, convert)
    return changed, constraint


def rename_reference(constraint, old: str, new: str, convert: Convert):
    """Point a constraint at `new` instead of `old`; returns (changed, element now in the tree)."""
    if _rename_simple(constraint, old, new):
        return True, constraint
    return _rename_in_sets(constraint, old, new, convert)


def delete_reference(constraint, rsc_id: str, convert: Convert):
    """Drop `rsc_id` from a constraint; returns (changed, element now in the tree)."""
    changed = False
    for attr in CONSTRAINT_RSC_ATTRS:
        if constraint.get(attr) == rsc_id:
            del constraint.attrib[attr]
            changed = True
    if changed:
        return True, constraint
    for ref in _set_refs(constraint):
        if ref.get("id") == rsc_id:
            ref.getparent().remove(ref)
            changed = True
    total = 0
    unordered_set = False
    for rset in list(constraint.iterfind("resource_set")):
        n = len(rset.findall("resource_ref"))
        if n == 0:
            constraint.remove(rset)
            changed = True
        elif n > 1 and rset.get("sequential", "true").lower() in ("false", "no", "off", "0", "n"):
            unordered_set = True
        total += n
    if not unordered_set and total == 2:
        constraint = _convert_to_simple(constraint, convert)
    return changed, constraint


def _convert_to_simple(constraint, convert: Convert):
    sets = constraint.findall("resource_set")
    if not sets:
        return constraint
    for rset in sets:
        rset.attrib.pop("sequential", None)
    simple = convert(constraint)
    if simple is None or simple is constraint:
        return constraint
    parent = constraint.getparent()
    parent.replace(constraint, simple)
    if len(sets) == 1 and simple.tag == "rsc_colocation":
        # A colocation set lists resources in placement order; a simple one names the
        # dependent first, so the two ends swap.
        rsc, with_rsc = simple.get("rsc"), simple.get("with-rsc")
        if with_rsc is not None:
            simple.set("rsc", with_rsc)
        if rsc is not None:
            simple.set("with-rsc", rsc)
    return simple


def is_pointless(constraint, rsc_id: str) -> bool:
    """A constraint left constraining nothing (or a resource with itself) after an edit."""
    refs = _set_refs(constraint)
    single_sided = constraint.tag in ("rsc_location", "rsc_ticket")
    if refs:
        return len(refs) < 1 if single_sided else len(refs) <= 1
    present = [constraint.get(a) for a in CONSTRAINT_RSC_ATTRS if constraint.get(a) is not None]
    if single_sided:
        return len(present) < 1
    return present.count(rsc_id) == 2 or len(present) < 2
