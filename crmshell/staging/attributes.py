"""Name/value pairs in an element's attribute sets: parameters, meta attributes, utilization.

What `crm resource param|meta|utilization` and `crm node attribute|utilization` edit, with
the ids Pacemaker's tools give new sets and pairs (`<owner>-instance_attributes`,
`<set>-<name>`), so a CIB edited here looks like one edited with crm_resource.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    from crmshell.staging.staged import StagedCib

# Sets go after the other sets, before operations and member resources.
_AFTER_SETS = ("operations", "primitive", "group")


def insert_set(owner, attr_set) -> None:
    anchor = next((c for c in owner if c.tag in _AFTER_SETS), None)
    if anchor is None:
        owner.append(attr_set)
    else:
        anchor.addprevious(attr_set)


def get_value(owner, set_tag: str, name: str) -> str | None:
    for pair in owner.iterfind(f"{set_tag}/nvpair"):
        if pair.get("name") == name:
            return pair.get("value")
    return None


def set_value(staged: "StagedCib", owner, set_tag: str, set_id: str, name: str,
              value: str) -> None:
    """Set `name` in the owner's first `set_tag` set (created with `set_id` if none)."""
    staged.begin_change()
    pairs = [p for p in owner.iterfind(f"{set_tag}/nvpair") if p.get("name") == name]
    if pairs:
        pairs[0].set("value", value)
        return
    sets = owner.findall(set_tag)
    if sets:
        attr_set = sets[0]
    else:
        attr_set = etree.Element(set_tag, id=staged.ids.make(set_id))
        insert_set(owner, attr_set)
    etree.SubElement(attr_set, "nvpair", id=staged.ids.make(f"{attr_set.get('id')}-{name}"),
                     name=name, value=value)


def delete_value(staged: "StagedCib", owner, set_tag: str, name: str, *,
                 drop_empty: bool = False) -> bool:
    """Remove `name` from every `set_tag` set of the owner; False if it was not set.

    crm_resource keeps a set it empties; `drop_empty` removes it (crmsh does that when it
    moves a meta attribute from a clone's child to the clone)."""
    found = False
    for attr_set in list(owner.iterfind(set_tag)):
        for pair in [p for p in attr_set.iterfind("nvpair") if p.get("name") == name]:
            if not found:
                staged.begin_change()
                found = True
            staged.ids.release(pair.get("id"))
            attr_set.remove(pair)
        if found and drop_empty and len(attr_set) == 0:
            staged.ids.release(attr_set.get("id"))
            owner.remove(attr_set)
    return found
