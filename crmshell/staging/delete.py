"""Deleting objects with crmsh's cascades, and erasing the configuration.

Deleting the only child of a container deletes the container too; deleting a container keeps
its children (they move to the top level) and hands its simple constraints to its first child;
tags and constraints that referred to a deleted resource shrink, and go when they no longer
mean anything. Every name is resolved before anything is touched, so a typo deletes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from crmshell.errors import ShellError
from crmshell.staging import objects as obj
from crmshell.lang import references as refs
from crmshell.lang.vocabulary import PROCESSING_ORDER

if TYPE_CHECKING:
    from crmshell.staging.staged import StagedCib


def processing_order(elems: Iterable) -> list:
    return sorted(elems, key=lambda e: (PROCESSING_ORDER.get(obj.object_kind(e) or "", 1000), obj.object_id(e)))


def delete(staged: "StagedCib", names: list[str], *, force: bool = False,
           log=None) -> list[str]:
    """Delete the named objects; returns the ids of everything removed (cascades included)."""
    targets = []
    missing = []
    for name in names:
        elem = staged.find(name)
        if elem is None:
            missing.append(name)
            continue
        if elem not in targets:
            targets.append(elem)
        if elem.tag == "template":
            for prim in staged.configuration.iterfind(".//resources//primitive"):
                if prim.get("template") == name and prim not in targets and prim.get("id") not in names:
                    if log:
                        log(f"primitive {prim.get('id')} uses template {name}: deleted too")
                    targets.append(prim)
    if missing and not force:
        raise ShellError(f"object{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                         f"do{'' if len(missing) > 1 else 'es'} not exist")
    if not targets:
        return []
    staged.begin_change()
    removed: list[str] = []
    for elem in reversed(processing_order(targets)):
        _delete_one(staged, elem, removed, log)
    staged.mark_changed([])
    for rid in removed:
        staged.changed.pop(rid, None)
    return removed


def _attached(elem) -> bool:
    node = elem
    while node is not None:
        if node.tag == "cib":
            return True
        node = node.getparent()
    return False


def _delete_one(staged: "StagedCib", elem, removed: list[str], log) -> None:
    parent = obj.container_of(elem)
    if parent is not None and len(obj.child_resources(parent)) == 1:
        _delete_one(staged, parent, removed, log)
    if _attached(elem):
        remove_object(staged, elem, removed, log)


def remove_object(staged: "StagedCib", elem, removed: list[str], log=None) -> None:
    """Remove one object: children move to the top, tags and constraints follow."""
    oid = obj.object_id(elem)
    children = obj.child_resources(elem) if elem.tag in obj.CONTAINER_TAGS else []
    resources = staged.configuration.find("resources")
    for child in children:
        resources.append(child)
    is_resource = obj.is_resource(elem)
    elem.getparent().remove(elem)
    staged.ids.release_tree(elem)
    removed.append(oid)
    conf = staged.configuration
    for tag in list(conf.iterfind("tags/tag")):
        hits = [r for r in tag.iterfind("obj_ref") if r.get("id") == oid]
        for ref in hits:
            tag.remove(ref)
        if hits and tag.find("obj_ref") is None:
            remove_object(staged, tag, removed, log)
            if log:
                log(f"tag {tag.get('id')} was left empty: deleted")
    if not is_resource:
        return
    convert = lambda c: set_to_simple(staged, c)  # noqa: E731
    for constraint in list(conf.find("constraints") if conf.find("constraints") is not None else []):
        if not obj.is_constraint(constraint) or not refs.refers_to(constraint, oid):
            continue
        if children and constraint.find("resource_set") is None:
            _, constraint = refs.rename_reference(constraint, oid, obj.object_id(children[0]), convert)
        changed, constraint = refs.delete_reference(constraint, oid, convert)
        if refs.is_pointless(constraint, oid):
            remove_object(staged, constraint, removed, log)
            if log:
                log(f"constraint {constraint.get('id')} no longer constrains anything: deleted")
        elif changed:
            staged.mark_changed([constraint.get("id")])


def erase(staged: "StagedCib", *, nodes: bool = False) -> None:
    """`erase`: everything but the nodes; `erase nodes`: only the nodes."""
    staged.begin_change()
    conf = staged.configuration
    if nodes:
        sections = [conf.find("nodes")]
    else:
        sections = [conf.find(name) for name in (
            "crm_config", "resources", "constraints", "rsc_defaults", "op_defaults",
            "fencing-topology", "tags", "alerts", "acls")]
    for section in sections:
        if section is None:
            continue
        if section.tag == "fencing-topology":
            conf.remove(section)
            staged.ids.release_tree(section)
            continue
        for child in list(section):
            section.remove(child)
            staged.ids.release_tree(child)
    staged.changed.clear()
    staged.mark_changed([])


def set_to_simple(staged: "StagedCib", constraint):
    """A set constraint left with two resources, as crmsh turns it back into a simple one."""
    from daemon.cib.ids import defined_ids

    from crmshell.lang.simplify import to_simple

    simple = to_simple(constraint)
    if simple is None:
        return None
    after = list(defined_ids(simple))
    for ident in defined_ids(constraint):
        if ident in after:
            after.remove(ident)
        else:
            staged.ids.release(ident)
    return simple
