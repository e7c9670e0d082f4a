"""What crmsh calls "objects": the configuration elements a user defines, shows and deletes.

Every object has a crmsh kind (`primitive`, `ms`, `location`, `property`, ...) and an id. Most
ids are the element's `id`; nodes go by their `uname` and the single fencing topology by
`fencing_topology`, as crmsh names them. Primitives and groups inside containers are objects
of their own.
"""

from __future__ import annotations

from typing import Iterator

from crmshell.lang.vocabulary import KIND_OF_TAG, XML_TAGS

RESOURCE_KINDS = {t: k for t, (k, section) in XML_TAGS.items() if section == "resources"}
CONSTRAINT_KINDS = {t: k for t, (k, section) in XML_TAGS.items() if section == "constraints"}
ACL_KINDS = {t: k for t, (k, section) in XML_TAGS.items() if section == "acls"}
CONTAINER_TAGS = ("group", "clone", "master", "bundle")
CHILD_TAGS = ("primitive", "group")
FENCING_TOPOLOGY_ID = "fencing_topology"


def object_kind(elem) -> str | None:
    tag = elem.tag
    if not isinstance(tag, str) or tag in ("rsc_defaults", "op_defaults"):
        return None  # these sections are not objects; their meta_attributes sets are
    if tag == "meta_attributes":
        parent = elem.getparent()
        if parent is not None and parent.tag in ("rsc_defaults", "op_defaults"):
            return parent.tag
        return None
    return KIND_OF_TAG.get(tag)


def object_id(elem) -> str:
    if elem.tag == "node":
        return elem.get("uname") or elem.get("id", "")
    if elem.tag == "fencing-topology":
        return FENCING_TOPOLOGY_ID
    return elem.get("id", "")


def _resources(parent) -> Iterator:
    for child in parent:
        if child.tag in RESOURCE_KINDS:
            yield child
            if child.tag in CONTAINER_TAGS:
                yield from _resources(child)


def iter_objects(configuration) -> Iterator:
    """All objects, in document order, section by section."""
    for section in configuration:
        tag = section.tag
        if tag == "resources":
            yield from _resources(section)
        elif tag in ("nodes", "constraints", "crm_config", "tags", "alerts", "acls",
                     "rsc_defaults", "op_defaults"):
            for child in section:
                if object_kind(child) is not None:
                    yield child
        elif tag == "fencing-topology":
            yield section


def is_constraint(elem) -> bool:
    return elem.tag in CONSTRAINT_KINDS


def is_resource(elem) -> bool:
    return elem.tag in RESOURCE_KINDS


def container_of(elem):
    """The group/clone/ms/bundle holding a resource, or None at top level."""
    parent = elem.getparent()
    if parent is not None and parent.tag in CONTAINER_TAGS:
        return parent
    return None


def child_resources(elem) -> list:
    return [c for c in elem if c.tag in CHILD_TAGS]


class ObjectIndex:
    """id -> element for one configuration; rebuilt when the staged CIB says it changed."""

    def __init__(self, configuration) -> None:
        self.by_id: dict[str, object] = {}
        self.nodes: dict[str, object] = {}
        for elem in iter_objects(configuration):
            oid = object_id(elem)
            if elem.tag == "node":
                self.nodes[oid] = elem
                self.nodes.setdefault(elem.get("id", ""), elem)
            else:
                self.by_id.setdefault(oid, elem)

    def find(self, oid: str):
        elem = self.by_id.get(oid)
        return elem if elem is not None else self.nodes.get(oid)
