"""Pacemaker's v2 patchsets: the difference between two CIBs, and applying it.

A patchset is what Pacemaker's CIB daemons exchange and what `crm_diff` prints:

    <diff format="2">
      <version><source admin_epoch= epoch= num_updates=/><target .../></version>
      <change operation="delete" path="/cib/configuration/resources/primitive[@id='d1']"/>
      <change operation="modify" path="...">
        <change-list><change-attr name="x" operation="set" value="1"/>...</change-list>
        <change-result><primitive ...every attribute after the change.../></change-result>
      </change>
      <change operation="create" path="PARENT" position="N"><new-element .../></change>
      <change operation="move" path="..." position="N"/>
    </diff>

`make_patchset` computes the changes the way Pacemaker 2.1 does (which elements match,
which count as moved, the order of the changes, the positions), so that for documents whose
elements are told apart by tag and id it writes what `crm_diff` writes. Where Pacemaker's
format cannot name an element (two siblings without ids sharing a tag, an id with a quote
or a slash, a changed comment among several), the nearest parent that can be named is
deleted and created again instead, so the patch is always right.
The matching itself lives in `daemon.cib.patch_diff`; applying in `daemon.cib.patch_apply`.
"""

from __future__ import annotations

from lxml import etree

from daemon.cib.errors import PatchError
from daemon.cib.patch_apply import apply_patchset, parse_path, patch_versions
from daemon.cib.patch_diff import DiffResult, compute_diff
from daemon.cib.versions import CibVersion, read_version

__all__ = ["apply_patchset", "changed_objects", "make_patchset", "patch_versions"]


def make_patchset(old: etree._Element, new: etree._Element) -> etree._Element:
    """The v2 patchset that turns `old` into `new` (neither is modified).

    The version in the patch is read from both roots: a caller that commits a
    configuration change bumps the epoch of `new` first (`versions.bump_epoch`), and the
    patch then carries that change of the `<cib>` attributes too.
    """
    if old.tag != new.tag or old.get("id") != new.get("id"):
        raise PatchError(f"cannot compare <{old.tag}> with <{new.tag}>: the roots differ")
    diff = compute_diff(old, new)
    return _render(read_version(old), read_version(new), diff)


def changed_objects(patch: etree._Element) -> set[tuple[str, str]]:
    """Every (tag, id) a patchset touches: each element with an id on each changed path,
    plus, for a creation, every element with an id in the created subtree.

    A caller intersects this with its own objects to say which of them a concurrent change
    touched (a changed nvpair names its primitive too, since the primitive is on its path).
    Deleted subtrees are named only by their top, as the patch holds nothing below it.
    """
    touched: set[tuple[str, str]] = set()
    for change in patch.iterchildren("change"):
        path = change.get("path")
        if path is None:
            raise PatchError("a <change> has no path")
        for tag, elem_id in parse_path(path):
            if elem_id is not None:
                touched.add((tag, elem_id))
        if change.get("operation") == "create":
            for created in change:
                if isinstance(created.tag, str):
                    touched.update(
                        (e.tag, e.get("id")) for e in created.iter() if e.get("id") is not None
                    )
    return touched


def _render(source: CibVersion, target: CibVersion, diff: DiffResult) -> etree._Element:
    patch = etree.Element("diff", format="2")
    version = etree.SubElement(patch, "version")
    for tag, value in (("source", source), ("target", target)):
        etree.SubElement(
            version,
            tag,
            admin_epoch=str(value.admin_epoch),
            epoch=str(value.epoch),
            num_updates=str(value.num_updates),
        )
    for path, position in diff.deletes:
        change = etree.SubElement(patch, "change", operation="delete", path=path)
        if position is not None:
            change.set("position", str(position))
    for step in diff.changes:
        step.render(patch)
    return patch
