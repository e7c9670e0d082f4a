"""Renaming an object and every reference to it.

crmsh rewrites constraint references only; we also follow tags, templates used by
primitives, and fencing levels naming a renamed device, so a rename never leaves a dangling
reference behind for verify to find.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from crmshell.errors import ShellError
from crmshell.staging import objects as obj
from crmshell.lang import references as refs

if TYPE_CHECKING:
    from crmshell.staging.staged import StagedCib

# An XML ID (NCName) as Pacemaker accepts ids: a letter or '_' first, no colons or spaces.
VALID_ID = re.compile(r"^[A-Za-z_][\w.\-]*$")


def check_new_id(staged: "StagedCib", new: str) -> None:
    if not VALID_ID.match(new):
        raise ShellError(f"'{new}' is not a valid id: start with a letter or '_', then use "
                         "letters, digits, '_', '.' or '-'")
    if new in staged.ids:
        raise ShellError(f"id {new} is already in use")


def rename(staged: "StagedCib", old: str, new: str) -> None:
    from crmshell.staging.delete import set_to_simple

    elem = staged.require(old)
    if elem.tag in ("node", "fencing-topology"):
        raise ShellError(f"{obj.object_kind(elem)} {old} cannot be renamed")
    check_new_id(staged, new)
    staged.begin_change()
    conf = staged.configuration
    changed = [new]
    if obj.is_resource(elem):
        convert = lambda c: set_to_simple(staged, c)  # noqa: E731
        constraints = conf.find("constraints")
        for constraint in list(constraints if constraints is not None else []):
            if obj.is_constraint(constraint) and refs.refers_to(constraint, old):
                _, constraint = refs.rename_reference(constraint, old, new, convert)
                changed.append(constraint.get("id"))
        for ref in conf.iterfind("tags/tag/obj_ref"):
            if ref.get("id") == old:
                ref.set("id", new)
                changed.append(ref.getparent().get("id"))
        if elem.tag == "template":
            for prim in conf.iterfind("resources//primitive"):
                if prim.get("template") == old:
                    prim.set("template", new)
                    changed.append(prim.get("id"))
        if elem.tag == "primitive" and elem.get("class") == "stonith":
            for level in conf.iterfind("fencing-topology/fencing-level"):
                devices = level.get("devices", "").split(",")
                if old in devices:
                    level.set("devices", ",".join(new if d == old else d for d in devices))
                    changed.append("fencing_topology")
    elem.set("id", new)
    staged.ids.release(old)
    staged.ids.reserve(new)
    staged.changed.pop(old, None)
    staged.mark_changed(changed)
