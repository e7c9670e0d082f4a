"""One pass over `<configuration>` that collects what every check looks things up in.

Checks then work on dictionaries, never on repeated XPath searches: verify has to stay well
under a second on 20,000 objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RESOURCE_TAGS = frozenset({"primitive", "group", "clone", "master", "bundle"})
CONTAINER_TAGS = frozenset({"group", "clone", "master", "bundle"})
CONSTRAINT_TAGS = frozenset({"rsc_location", "rsc_colocation", "rsc_order", "rsc_ticket"})
# Elements whose `id` names something defined elsewhere instead of defining an id.
_REFERENCE_ID_TAGS = frozenset({"resource_ref", "obj_ref", "role_ref"})
_ACL_HOLDERS = frozenset({"acl_target", "acl_group", "acl_user"})
# Tags whose `id` needs a second look: nodes (a namespace of their own) and references.
_SPECIAL_ID_TAGS = _REFERENCE_ID_TAGS | {"node", "role"}


@dataclass
class CibIndex:
    conf: object
    ids: dict[str, object] = field(default_factory=dict)
    """First element defining each id (nodes excluded: their ids are a namespace of their own)."""
    duplicates: list[tuple[str, object, object]] = field(default_factory=list)
    resources: dict[str, object] = field(default_factory=dict)
    templates: dict[str, object] = field(default_factory=dict)
    primitives: list[object] = field(default_factory=list)
    containers: list[object] = field(default_factory=list)
    tags: dict[str, object] = field(default_factory=dict)
    node_names: set[str] = field(default_factory=set)
    """Node ids and unames, lower-cased (crmsh compares node names without case)."""
    node_ids: dict[str, object] = field(default_factory=dict)
    duplicate_nodes: list[tuple[str, object, object]] = field(default_factory=list)
    constraints: list[object] = field(default_factory=list)
    id_refs: list[object] = field(default_factory=list)
    fencing_levels: list[object] = field(default_factory=list)
    acl_role_refs: list[object] = field(default_factory=list)
    acl_permissions: list[object] = field(default_factory=list)
    property_sets: list[object] = field(default_factory=list)
    rsc_defaults: list[object] = field(default_factory=list)
    op_defaults: list[object] = field(default_factory=list)

    def is_stonith(self, primitive) -> bool:
        """A fence device: class stonith, directly or through its template."""
        if primitive.get("class") == "stonith":
            return True
        template = self.templates.get(primitive.get("template") or "")
        return template is not None and template.get("class") == "stonith"

    def resolve_ref(self, elem):
        """The element an `id-ref` points at (None if it dangles), or `elem` itself."""
        ref = elem.get("id-ref")
        return self.ids.get(ref) if ref else elem


def build_index(conf) -> CibIndex:
    """Index `conf` in one walk (configurations reach 100,000 elements: the loop body is kept
    to a few dictionary operations per element)."""
    from lxml import etree

    index = CibIndex(conf)
    ids = index.ids
    duplicates = index.duplicates
    id_refs = index.id_refs
    handlers = _HANDLERS
    for elem in conf.iter(etree.Element):  # elements only, no comments
        tag = elem.tag
        ident = elem.get("id")
        if ident is not None:
            if tag in _SPECIAL_ID_TAGS:
                if tag == "node":
                    _add_node(index, elem, ident)
                elif tag == "role" and elem.getparent().tag not in _ACL_HOLDERS:
                    _add_id(ids, duplicates, ident, elem)
            else:  # the common case, inlined
                first = ids.setdefault(ident, elem)
                if first is not elem:
                    duplicates.append((ident, first, elem))
        elif tag == "node":
            _add_node(index, elem, None)
        elif elem.get("id-ref") is not None:
            id_refs.append(elem)
        if tag in handlers:
            handlers[tag](index, elem, ident)
    return index


def _add_id(ids: dict, duplicates: list, ident: str, elem) -> None:
    first = ids.setdefault(ident, elem)
    if first is not elem:
        duplicates.append((ident, first, elem))


def _add_node(index: CibIndex, elem, ident) -> None:
    if ident is not None:
        first = index.node_ids.setdefault(ident, elem)
        if first is not elem:
            index.duplicate_nodes.append((ident, first, elem))
        index.node_names.add(ident.lower())
    uname = elem.get("uname")
    if uname:
        index.node_names.add(uname.lower())


def _resource(index: CibIndex, elem, ident) -> None:
    if ident is not None:
        index.resources.setdefault(ident, elem)
    if elem.tag == "primitive":
        index.primitives.append(elem)
    else:
        index.containers.append(elem)


def _template(index: CibIndex, elem, ident) -> None:
    if ident is not None:
        index.templates.setdefault(ident, elem)


def _tag(index: CibIndex, elem, ident) -> None:
    if ident is not None and elem.getparent().tag == "tags":
        index.tags.setdefault(ident, elem)


def _constraint(index: CibIndex, elem, ident) -> None:
    index.constraints.append(elem)


def _role(index: CibIndex, elem, ident) -> None:
    if elem.getparent().tag in _ACL_HOLDERS:
        index.acl_role_refs.append(elem)


def _collector(name: str):
    def collect(index: CibIndex, elem, ident) -> None:
        getattr(index, name).append(elem)
    return collect


def _defaults_set(index: CibIndex, elem, ident) -> None:
    parent = elem.getparent().tag
    if parent == "rsc_defaults":
        index.rsc_defaults.append(elem)
    elif parent == "op_defaults":
        index.op_defaults.append(elem)


_HANDLERS = {
    **{tag: _resource for tag in RESOURCE_TAGS},
    **{tag: _constraint for tag in CONSTRAINT_TAGS},
    "template": _template,
    "tag": _tag,
    "role": _role,
    "role_ref": _collector("acl_role_refs"),
    "acl_permission": _collector("acl_permissions"),
    "fencing-level": _collector("fencing_levels"),
    "cluster_property_set": _collector("property_sets"),
    "meta_attributes": _defaults_set,
}
