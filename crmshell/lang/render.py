"""Pacemaker CIB XML to the exact text of crmsh 4.4's `configure show` (and `show xml`).

Public API:
    render_object(elem, *, context=None) -> str
    render_configuration(cib_or_configuration, *, ids=None, obscure=...) -> str
    render_xml(cib_or_configuration_or_object, *, ids=None, obscure=...) -> str
    collect_objects(cib_or_configuration) -> list[ShownObject]
    build_context(configuration, *, obscure=...) -> RenderContext

The renderer is pure (elements in, text out) and linear in the size of the configuration;
it never looks at the status section. Colour is not its business: the highlighter works on
the text. Where crmsh's language cannot carry an object (crmsh finds out by printing and
re-parsing it), the object is shown as an `xml <...>` block, as crmsh does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from lxml import etree

from crmshell.lang import render_admin, render_constraints, render_resources
from crmshell.lang.render_text import (
    DEFAULT_OBSCURE,
    NotRepresentable,
    RenderContext,
    RenderInputError,
    comment_line,
    is_comment,
    join_parts,
)
from crmshell.lang.render_xml import xml_document, xml_fallback

from crmshell.lang.vocabulary import KIND_OF_TAG  # noqa: E402  (tag -> crmsh's kind)

# crmsh's `show` order: kinds in this rank, then ids; kinds sharing a rank mix by id.
_KIND_RANK = {}
for _rank, _kinds in enumerate((
        ("node",), ("rsc_template",), ("primitive",), ("bundle",), ("group",), ("ms",),
        ("clone",), ("op",), ("tag",), ("location", "colocation", "order"),
        ("rsc_ticket", "fencing_topology"), ("property",), ("rsc_defaults",),
        ("op_defaults",), ("role",), ("acl_target", "acl_group", "user"), ("alert",))):
    for _kind in _kinds:
        _KIND_RANK[_kind] = _rank
del _rank, _kinds, _kind
_LAST_RANK = 1000

# crmsh's load order (used by `show xml`): by XML tag rank, document order within a rank.
_LOAD_RANK = {}
for _rank, _tags in enumerate((
        ("node",), ("template",), ("primitive",), ("bundle",), ("group",), ("master",),
        ("clone",), ("op",), ("tag",), ("rsc_location", "rsc_colocation", "rsc_order"),
        ("rsc_ticket", "fencing-topology"), ("cluster_property_set",), ("rsc_defaults",),
        ("op_defaults",), ("acl_role",), ("acl_target", "acl_group", "acl_user"),
        ("alert",))):
    for _tag in _tags:
        _LOAD_RANK[_tag] = _rank
del _rank, _tags, _tag

# Where each kind's element lives below <configuration> (for `show xml`).
_SECTION_OF_TAG = {
    "node": "nodes", "primitive": "resources", "group": "resources", "clone": "resources",
    "master": "resources", "bundle": "resources", "template": "resources",
    "rsc_location": "constraints", "rsc_colocation": "constraints",
    "rsc_order": "constraints", "rsc_ticket": "constraints",
    "cluster_property_set": "crm_config", "rsc_defaults": "rsc_defaults",
    "op_defaults": "op_defaults", "acl_target": "acls", "acl_group": "acls",
    "acl_user": "acls", "acl_role": "acls", "fencing-topology": "", "tag": "tags",
    "alert": "alerts",
}

_REFERENCE_TAGS = ("rule", "operations", "cluster_property_set", "meta_attributes")


@dataclass(frozen=True)
class ShownObject:
    """One object of `show`: its kind (crmsh's word), id, element and enclosing object.

    For rsc_defaults/op_defaults the element is the `meta_attributes` set (one object per
    set) and `tag` is the section's tag; `parent` is the id of the containing resource for
    resources nested in groups, clones and bundles.
    """

    kind: str
    obj_id: str
    elem: etree._Element
    tag: str
    parent: str | None

    @property
    def sort_key(self) -> tuple[int, str]:
        return _KIND_RANK.get(self.kind, _LAST_RANK), self.obj_id


def configuration_of(source: etree._Element) -> etree._Element:
    """The <configuration> element of a <cib>, or the element itself."""
    if source.tag == "cib":
        conf = source.find("configuration")
        if conf is None:
            raise RenderInputError("<cib> without <configuration>")
        return conf
    if source.tag != "configuration":
        raise RenderInputError("expected <cib> or <configuration>, got <%s>" % source.tag)
    return source


def _object_id(elem: etree._Element) -> str:
    if elem.tag == "fencing-topology":
        return "fencing_topology"
    return elem.get("id") or elem.get("uname") or ""


def collect_objects(source: etree._Element) -> list[ShownObject]:
    """Every object `show` knows, in crmsh's load order (tag rank, then document order)."""
    conf = configuration_of(source)
    found: list[tuple[int, int, ShownObject]] = []
    parents: dict[etree._Element, str] = {}
    position = 0
    for elem in conf.iter(*KIND_OF_TAG):
        position += 1
        parent_elem = elem.getparent()
        parent_id = parents.get(parent_elem) if parent_elem is not None else None
        if elem.tag in ("primitive", "group", "clone", "master", "bundle"):
            parents[elem] = elem.get("id") or ""
        rank = _LOAD_RANK.get(elem.tag, _LAST_RANK)
        if elem.tag in ("rsc_defaults", "op_defaults"):
            for mset in elem.iterchildren("meta_attributes"):
                obj = ShownObject(elem.tag, mset.get("id") or "", mset, elem.tag, None)
                found.append((rank, position, obj))
                position += 1
            continue
        obj = ShownObject(KIND_OF_TAG[elem.tag], _object_id(elem), elem, elem.tag, parent_id)
        found.append((rank, position, obj))
    found.sort(key=lambda item: (item[0], item[1]))
    return [obj for _, _, obj in found]


def build_context(source: etree._Element, *,
                  obscure: Sequence[str] = DEFAULT_OBSCURE) -> RenderContext:
    """Whole-configuration facts for rendering single objects (see RenderContext)."""
    conf = configuration_of(source)
    refs: dict[str, str] = {}
    for elem in conf.iter(*_REFERENCE_TAGS):
        ref = elem.get("id-ref")
        if ref is None:
            continue
        if elem.tag == "meta_attributes":
            parent = elem.getparent()
            if parent is None or parent.tag not in ("rsc_defaults", "op_defaults"):
                continue
        refs[ref] = elem.tag
    unames = sorted(n.get("uname") or "" for n in conf.iterfind("nodes/node"))
    return RenderContext(id_refs=refs, node_unames=tuple(unames), obscure=tuple(obscure))


def _context_for(elem: etree._Element) -> RenderContext:
    root = elem.getroottree().getroot()
    conf = root if root.tag == "configuration" else root.find("configuration")
    if conf is None:
        return RenderContext()
    return build_context(conf)


def _defaults_set(elem: etree._Element, ctx: RenderContext) -> list[str]:
    parent = elem.getparent()
    keyword = parent.tag if parent is not None else ""
    if keyword not in ("rsc_defaults", "op_defaults"):
        raise RenderInputError("meta_attributes outside rsc_defaults/op_defaults")
    return render_admin.property_set(elem, keyword, ctx)


def _property_set(elem: etree._Element, ctx: RenderContext) -> list[str]:
    return render_admin.property_set(elem, "property", ctx)


PartsFormatter = Callable[[etree._Element, RenderContext], list[str]]

# XML tag of an object element -> the function giving its parts (ACL tags are added per renderer).
_FORMATTERS: dict[str, PartsFormatter] = {
    "node": render_resources.node,
    "primitive": render_resources.primitive,
    "template": render_resources.primitive,
    "group": render_resources.container,
    "clone": render_resources.container,
    "master": render_resources.container,
    "bundle": render_resources.bundle,
    "rsc_location": render_constraints.location,
    "rsc_colocation": render_constraints.colocation,
    "rsc_order": render_constraints.order,
    "rsc_ticket": render_constraints.rsc_ticket,
    "cluster_property_set": _property_set,
    "meta_attributes": _defaults_set,
    "fencing-topology": render_admin.fencing_topology,
    "tag": render_admin.tag,
    "alert": render_admin.alert,
}


class ObjectRenderer:
    """Renders objects of one configuration; keeps the context and ACL patterns to reuse."""

    def __init__(self, ctx: RenderContext) -> None:
        self.ctx = ctx
        acl = render_admin.AclFormatter()
        self._formatters = dict(_FORMATTERS)
        for tag in ("acl_role", "acl_user", "acl_target", "acl_group"):
            self._formatters[tag] = acl.acl_object

    def parts(self, elem: etree._Element) -> list[str]:
        """The head and continuation parts of one object; NotRepresentable if crmsh shows XML."""
        formatter = self._formatters.get(elem.tag)
        if formatter is None:
            raise RenderInputError("<%s> is not a configuration object" % elem.tag)
        return formatter(elem, self.ctx)

    def render(self, elem: etree._Element) -> str:
        comments = [comment_line(c) for c in elem if is_comment(c)]
        try:
            text = join_parts(self.parts(elem))
        except NotRepresentable:
            return xml_fallback(elem)
        if comments:
            return "\n".join(comments + [text])
        return text


def render_object(elem: etree._Element, *, context: RenderContext | None = None) -> str:
    """One object as `show` prints it (comment lines first, no trailing newline).

    For rsc_defaults/op_defaults pass the `meta_attributes` set. Without a context, the one
    of the tree the element belongs to is computed (use build_context for many objects).
    """
    ctx = context if context is not None else _context_for(elem)
    return ObjectRenderer(ctx).render(elem)


def _select(objects: list[ShownObject],
            ids: Iterable[str | etree._Element] | None) -> list[ShownObject]:
    """The selected objects in the order of the selection (crmsh's order for `show xml`);
    an id selects every object with that id, in load order."""
    if ids is None:
        return list(objects)
    by_id: dict[str, list[ShownObject]] = {}
    by_elem: dict[etree._Element, ShownObject] = {}
    for obj in objects:
        by_id.setdefault(obj.obj_id, []).append(obj)
        by_elem[obj.elem] = obj
    chosen: dict[int, ShownObject] = {}
    for item in ids:
        if isinstance(item, str):
            for obj in by_id.get(item, ()):
                chosen.setdefault(id(obj), obj)
        else:
            obj = by_elem.get(item)
            if obj is not None:
                chosen.setdefault(id(obj), obj)
    return list(chosen.values())


def render_configuration(source: etree._Element, *,
                         ids: Iterable[str | etree._Element] | None = None,
                         obscure: Sequence[str] = DEFAULT_OBSCURE) -> str:
    """The whole `configure show` text (newline-terminated; empty when nothing to show).

    ids: restrict to these objects (ids or elements); the output keeps crmsh's order.
    obscure: fnmatch patterns of parameter names whose values print as `******`.
    """
    objects = _select(collect_objects(source), ids)
    if not objects:
        return ""
    renderer = ObjectRenderer(build_context(source, obscure=obscure))
    objects.sort(key=lambda o: o.sort_key)
    return "\n".join(renderer.render(o.elem) for o in objects) + "\n"


def _top_object(obj: ShownObject, by_elem: dict[etree._Element, ShownObject]) -> ShownObject:
    current = obj
    while True:
        parent = current.elem.getparent()
        parent_obj = by_elem.get(parent) if parent is not None else None
        if parent_obj is None:
            return current
        current = parent_obj


def render_xml(source: etree._Element, *,
               ids: Iterable[str | etree._Element] | None = None,
               obscure: Sequence[str] = DEFAULT_OBSCURE) -> str:
    """`show xml`: a `<cib>` document holding the selected objects (all by default).

    source is a <cib> or <configuration>, or a single object element of a tree (then that
    object alone is shown). Selected children of groups/clones bring their top parent, as
    in crmsh. Parameter values matching `obscure` print as `******`.
    """
    if source.tag not in ("cib", "configuration"):
        root = source.getroottree().getroot()
        return render_xml(root, ids=[source], obscure=obscure)
    objects = collect_objects(source)
    by_elem = {o.elem: o for o in objects}
    tops: dict[etree._Element, ShownObject] = {}
    for obj in _select(objects, ids):
        top = _top_object(obj, by_elem)
        tops.setdefault(top.elem, top)
    cib = source if source.tag == "cib" else source.getparent()
    cib_attrib = list(cib.attrib.items()) if cib is not None and cib.tag == "cib" else []
    ctx = RenderContext(obscure=tuple(obscure))
    placed = [(_SECTION_OF_TAG[o.tag], o.elem) for o in tops.values()]
    return xml_document(cib_attrib, placed, ctx)


__all__ = [
    "ShownObject",
    "RenderContext",
    "RenderInputError",
    "build_context",
    "collect_objects",
    "render_configuration",
    "render_object",
    "render_xml",
]

