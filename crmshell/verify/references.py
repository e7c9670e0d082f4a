"""Every reference must land: constraints, tags, fencing levels, `id-ref`, templates, ACL roles.

A reference to nothing is an error (Pacemaker drops or misreads the object). Node names that are
not in `<nodes>` are only warnings, as in crmsh: nodes can join later.
"""

from __future__ import annotations

from typing import Iterator

from crmshell.verify.findings import Finding, error, warning
from crmshell.verify.index import RESOURCE_TAGS, CibIndex

_CONSTRAINT_REF_ATTRS = {
    "rsc_location": ("rsc",),
    "rsc_colocation": ("rsc", "with-rsc"),
    "rsc_order": ("first", "then"),
    "rsc_ticket": ("rsc",),
}
_SECTIONS = frozenset({"crm_config", "nodes", "resources", "constraints", "rsc_defaults",
                       "op_defaults", "fencing-topology", "tags", "acls", "alerts",
                       "configuration"})


def owner_id(elem) -> str | None:
    """The configuration object an element belongs to: the nearest resource, or the top-level
    object (constraint, tag, property set...) that holds it."""
    node = elem
    while node is not None:
        parent = node.getparent()
        if node.tag in RESOURCE_TAGS or node.tag == "template" or (
                parent is not None and parent.tag in _SECTIONS):
            return node.get("id") or node.get("id-ref")
        node = parent
    return None


def _constraint_target_ok(index: CibIndex, ref: str) -> bool:
    return ref in index.resources or ref in index.templates or ref in index.tags


def _child_warning(index: CibIndex, constraint, cid: str, ref: str) -> Finding | None:
    """crmsh's advice when a constraint names a resource inside a container."""
    target = index.resources.get(ref)
    parent = target.getparent() if target is not None else None
    if parent is None or parent.tag not in RESOURCE_TAGS:
        return None
    if parent.tag == "group":
        if constraint.tag == "rsc_colocation":
            return warning(constraint, cid, f"{cid}: resource {ref} is grouped, constraints "
                                            "should apply to the group")
        return None
    return warning(constraint, cid, f"{cid}: resource {ref} ambiguous, apply constraints to "
                                    "container")


def check_constraints(index: CibIndex) -> Iterator[Finding]:
    for constraint in index.constraints:
        cid = constraint.get("id") or "?"
        for attr in _CONSTRAINT_REF_ATTRS[constraint.tag]:
            ref = constraint.get(attr)
            if ref is None:
                continue
            if not _constraint_target_ok(index, ref):
                yield error(constraint, cid, f"{cid}: {attr} refers to {ref}, which does not "
                                             "exist")
            else:
                advice = _child_warning(index, constraint, cid, ref)
                if advice is not None:
                    yield advice
        for rset in constraint.iterchildren("resource_set"):
            set_id = rset.get("id") or rset.get("id-ref") or "?"
            for ref_elem in rset.iterchildren("resource_ref"):
                ref = ref_elem.get("id")
                if ref is not None and not _constraint_target_ok(index, ref):
                    yield error(ref_elem, cid, f"{cid}: resource set {set_id} refers to {ref}, "
                                               "which does not exist")
        if constraint.tag == "rsc_location":
            yield from _location_nodes(index, constraint, cid)


def _location_nodes(index: CibIndex, constraint, cid: str) -> Iterator[Finding]:
    if not index.node_names:
        return  # no nodes configured at all: every name would be "unknown"
    names = [(constraint, constraint.get("node"))]
    names += [(expr, expr.get("value")) for expr in constraint.iter("expression")
              if expr.get("attribute") == "#uname" and expr.get("operation", "eq") == "eq"]
    for elem, name in names:
        if name and name.lower() not in index.node_names:
            yield warning(elem, cid, f"{cid}: referenced node {name} does not exist")


def check_tags(index: CibIndex) -> Iterator[Finding]:
    for tag_id, tag in index.tags.items():
        for ref_elem in tag.iterchildren("obj_ref"):
            ref = ref_elem.get("id")
            if ref is not None and ref not in index.ids and ref.lower() not in index.node_names:
                yield error(ref_elem, tag_id, f"{tag_id}: tag member {ref} does not exist")


def check_fencing_levels(index: CibIndex) -> Iterator[Finding]:
    for level in index.fencing_levels:
        lid = level.get("id") or "fencing-topology"
        target = level.get("target")
        if target and index.node_names and target.lower() not in index.node_names:
            yield warning(level, lid, f"{lid}: target {target} not a node")
        for device in filter(None, (level.get("devices") or "").split(",")):
            resource = index.resources.get(device)
            if resource is None:
                yield error(level, lid, f"{lid}: fencing device {device} does not exist")
            elif resource.tag != "primitive" or not index.is_stonith(resource):
                yield warning(level, lid, f"{lid}: {device} not a stonith resource")


def check_id_refs(index: CibIndex) -> Iterator[Finding]:
    for elem in index.id_refs:
        ref = elem.get("id-ref")
        owner = owner_id(elem)
        target = index.ids.get(ref)
        label = owner or ref
        if target is None:
            yield error(elem, owner, f"{label}: <{elem.tag}> id-ref {ref} does not exist")
        elif target.tag != elem.tag:
            yield warning(elem, owner, f"{label}: <{elem.tag}> id-ref {ref} points at a "
                                       f"<{target.tag}>")


def check_templates(index: CibIndex) -> Iterator[Finding]:
    for primitive in index.primitives:
        name = primitive.get("template")
        if name and name not in index.templates:
            pid = primitive.get("id")
            found = index.ids.get(name)
            what = "does not exist" if found is None else f"is a <{found.tag}>, not a template"
            yield error(primitive, pid, f"{pid}: template {name} {what}")


def check_acls(index: CibIndex) -> Iterator[Finding]:
    for role in index.acl_role_refs:
        ref = role.get("id")
        holder = role.getparent().get("id")
        found = index.ids.get(ref or "")
        if found is None or found.tag != "acl_role":
            yield error(role, holder, f"{holder}: role {ref} does not exist")
    for permission in index.acl_permissions:
        ref = permission.get("reference")
        if ref and ref not in index.ids:
            pid = permission.get("id")
            yield error(permission, owner_id(permission),
                        f"{owner_id(permission)}: permission {pid} refers to {ref}, which does "
                        "not exist")
