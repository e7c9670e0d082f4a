"""Nodes and resources (primitive, rsc_template, group, clone, ms, bundle) in `show` syntax.

Each function returns the parts of one object (head first); the caller joins them with
crmsh's continuation and puts comments in front. Parts are refused with NotRepresentable
where crmsh's parser would not rebuild the same XML, so the object falls back to `xml`.
"""

from __future__ import annotations

import re

from lxml import etree

from crmshell.lang.render_rules import attribute_set
from crmshell.lang.render_text import (
    NotRepresentable,
    RenderContext,
    attr,
    head_id,
    is_comment,
    join_parts,
    pair,
    require_ascii,
    require_attrs,
    require_token,
)

_NODE_TYPES = frozenset(("normal", "member", "ping", "remote"))
_NODE_SETS = {"instance_attributes": "attributes", "utilization": "utilization"}
_PRIMITIVE_SETS = {
    "instance_attributes": "params",
    "meta_attributes": "meta",
    "utilization": "utilization",
}
_CONTAINER_SETS = {"instance_attributes": "params", "meta_attributes": "meta"}
_OP_SETS = {"instance_attributes": "op_params", "meta_attributes": "op_meta"}
# Operation attributes of the pacemaker-3.x schema; crmsh reads any other name back as an
# op_params pair, so an op carrying one cannot be shown in the language.
OP_ATTRIBUTES = frozenset((
    "id", "name", "interval", "description", "start-delay", "interval-origin", "timeout",
    "enabled", "record-pending", "role", "on-fail"))
_CHILD_RESOURCES = ("primitive", "group")


def description_part(elem: etree._Element) -> list[str]:
    desc = elem.get("description")
    if not desc:
        return []
    require_ascii(desc)
    return [pair("description", desc)]


def node(elem: etree._Element, ctx: RenderContext) -> list[str]:
    require_attrs(elem, {"id", "uname", "type", "description"})
    uname = elem.get("uname")
    ident = elem.get("id") or uname
    if not uname or ":" in uname or not elem.get("id"):
        raise NotRepresentable("node without uname or id")
    require_token(uname, "node name")
    head = "node"
    if ident != uname:
        head = "%s %s" % (head, head_id(ident))
    head = "%s %s" % (head, uname)
    node_type = attr(elem, "type")
    if node_type:
        if node_type not in _NODE_TYPES:
            raise NotRepresentable("node type %r" % node_type)
        head = "%s:%s" % (head, node_type)
    parts = [head] + description_part(elem)
    for child in elem:
        if is_comment(child):
            continue
        keyword = _NODE_SETS.get(child.tag)
        if keyword is None:
            raise NotRepresentable("node child %s" % child.tag)
        parts.append(attribute_set(child, keyword, ctx))
    return parts


def agent_spec(elem: etree._Element) -> str:
    """`[class:[provider:]]type`, with ocf:heartbeat (and bare ocf) agents shortened."""
    klass = elem.get("class")
    provider = elem.get("provider")
    typ = elem.get("type") or ""
    if (klass is None and provider is None) or (klass == "ocf" and provider is None) \
            or provider == "heartbeat":
        klass = provider = None
    return "".join(("%s:" % klass if klass else "", "%s:" % provider if provider else "", typ))


def _check_agent(elem: etree._Element) -> None:
    klass = elem.get("class")
    provider = elem.get("provider")
    typ = elem.get("type")
    if not typ or not klass:
        raise NotRepresentable("primitive without class or type")
    for part in (klass, provider):
        if part is not None and (not re.match(r"[a-z0-9_-]+\Z", part, re.IGNORECASE)):
            raise NotRepresentable("agent name %r" % part)
    # the type may hold a slash (cluster-glue's stonith:external/ssh) or a dot
    # (systemd:foo.service): the language reads both back as the same type
    if not re.match(r"[a-z0-9_-][a-z0-9_./-]*\Z", typ, re.IGNORECASE):
        raise NotRepresentable("agent name %r" % typ)
    if klass == "ocf" and provider is None:
        raise NotRepresentable("ocf agent without provider")


def operation(op: etree._Element, ctx: RenderContext) -> str:
    """One `op` with its op_params/op_meta lines (crmsh breaks those lines inside the op)."""
    name = op.get("name")
    if not name:
        raise NotRepresentable("op without name")
    require_token(name, "op name")
    words = ["op", name]
    for key, value in op.attrib.items():
        if key in ("id", "name"):
            continue
        if key not in OP_ATTRIBUTES:
            raise NotRepresentable("op attribute %s" % key)
        require_ascii(value)
        words.append(pair(key, value))
    if "interval" not in op.attrib:
        raise NotRepresentable("op without interval")
    parts = [" ".join(words)]
    # crmsh prints an op's description twice: once as an attribute, once as a description line
    parts += description_part(op)
    for child in op:
        keyword = _OP_SETS.get(child.tag)
        if keyword is None:
            raise NotRepresentable("op child %s" % child.tag)
        parts.append(attribute_set(child, keyword, ctx))
    return join_parts(parts)


def operations(elem: etree._Element, ctx: RenderContext) -> list[str]:
    require_attrs(elem, {"id", "id-ref"})
    parts = []
    lead = ""
    ident = elem.get("id")
    if ident:
        require_token(ident, "operations id")
        lead = pair("$id", ident)
    ref = elem.get("id-ref")
    if ref:
        require_token(ref, "operations reference")
        lead = "%s %s" % (lead, pair("$id-ref", ref))
    if lead:
        parts.append("operations %s" % lead)
    for op in elem:
        if op.tag != "op":
            raise NotRepresentable("operations child %s" % op.tag)
        parts.append(operation(op, ctx))
    return parts


def primitive(elem: etree._Element, ctx: RenderContext) -> list[str]:
    """primitive and rsc_template (a template is a primitive that cannot use a template)."""
    keyword = "primitive" if elem.tag == "primitive" else "rsc_template"
    template = elem.get("template") if elem.tag == "primitive" else None
    if template:
        require_attrs(elem, {"id", "template", "description"})
        require_token(template, "template reference")
        spec = "@%s" % template
    else:
        require_attrs(elem, {"id", "class", "provider", "type", "description"})
        _check_agent(elem)
        spec = agent_spec(elem)
    ident = elem.get("id") or ""
    require_token(ident, "resource id")
    parts = ["%s %s %s" % (keyword, ident, spec)] + description_part(elem)
    for child in elem:
        if is_comment(child):
            continue
        set_keyword = _PRIMITIVE_SETS.get(child.tag)
        if set_keyword is not None:
            parts.append(attribute_set(child, set_keyword, ctx))
        elif child.tag == "operations":
            ops = operations(child, ctx)
            if ops:
                parts.append(join_parts(ops))
        else:
            raise NotRepresentable("primitive child %s" % child.tag)
    return parts


def container(elem: etree._Element, ctx: RenderContext) -> list[str]:
    """group, clone and ms: the head lists the child resources, then params and meta."""
    require_attrs(elem, {"id", "description"})
    keyword = {"group": "group", "clone": "clone", "master": "ms"}[elem.tag]
    children = [c.get("id") or "" for c in elem if c.tag in _CHILD_RESOURCES]
    if elem.tag == "group":
        if any(c.tag == "group" for c in elem):
            raise NotRepresentable("group in a group")
    elif len(children) != 1:
        raise NotRepresentable("%s with %d children" % (keyword, len(children)))
    ident = elem.get("id") or ""
    require_token(ident, "resource id")
    parts = ["%s %s %s" % (keyword, ident, " ".join(children))] + description_part(elem)
    for child in elem:
        if is_comment(child) or child.tag in _CHILD_RESOURCES:
            continue
        set_keyword = _CONTAINER_SETS.get(child.tag)
        if set_keyword is None:
            raise NotRepresentable("%s child %s" % (keyword, child.tag))
        parts.append(attribute_set(child, set_keyword, ctx))
    return parts


_BUNDLE_MAPPINGS = ("port-mapping", "storage-mapping")


def _bundle_part(child: etree._Element, ctx: RenderContext) -> str:
    """docker/network/storage/primitive lines; mappings ride on their network/storage line."""
    words = [child.tag]
    if child.tag in ("docker", "network"):
        if child.tag == "docker" and len(child):
            raise NotRepresentable("docker with children")
        for key, value in child.attrib.items():
            require_ascii(value)
            words.append(pair(key, value))
    elif child.tag == "storage" and child.attrib:
        raise NotRepresentable("storage attributes")
    for sub in child:
        if sub.tag not in _BUNDLE_MAPPINGS or len(sub):
            raise NotRepresentable("%s child %s" % (child.tag, sub.tag))
        if (child.tag == "network") != (sub.tag == "port-mapping"):
            raise NotRepresentable("%s in %s" % (sub.tag, child.tag))
        words.append(sub.tag)
        for key, value in sub.attrib.items():
            require_ascii(value)
            words.append(pair(key, value))
    return " ".join(words)


def bundle(elem: etree._Element, ctx: RenderContext) -> list[str]:
    require_attrs(elem, {"id", "description"})
    ident = elem.get("id") or ""
    require_token(ident, "resource id")
    parts = ["bundle %s" % ident] + description_part(elem)
    tail = []
    for child in elem:
        if is_comment(child):
            continue
        if child.tag == "meta_attributes":
            parts.append(attribute_set(child, "meta", ctx))
        elif child.tag in ("docker", "network", "storage"):
            parts.append(_bundle_part(child, ctx))
        elif child.tag == "primitive":
            # crmsh's loader moves child resources behind everything else
            tail.append("primitive %s" % (child.get("id") or ""))
        else:
            raise NotRepresentable("bundle child %s" % child.tag)
    return parts + tail
