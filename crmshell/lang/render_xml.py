"""The XML forms of `show`: the `xml <...>` fallback for one object and `show xml`.

crmsh prints XML from its loaded copy of the CIB, which it has tidied first: default-valued
attributes dropped, whitespace text removed, child resources moved behind a container's
attribute sets. `sanitized_copy` does the same to a private copy, never to the caller's tree.
"""

from __future__ import annotations

import copy
from typing import Iterable

from lxml import etree

from crmshell.lang.render_text import DEFAULTED_ATTRIBUTES, RenderContext, comment_line, is_comment

_CONTAINERS = ("group", "clone", "master", "bundle")
_CHILD_RESOURCES = ("group", "primitive")
# Sections crmsh's empty document always has, in this order; others follow as first used.
_REQUIRED_SECTIONS = ("crm_config", "nodes", "resources", "constraints")


def sanitize(elem: etree._Element) -> None:
    """Tidy a private copy the way crmsh's loader tidies the CIB (in place)."""
    for node in list(elem.iter()):
        if is_comment(node):
            continue
        if not isinstance(node.tag, str):
            continue
        node.text = None
        node.tail = None
        defaults = DEFAULTED_ATTRIBUTES.get(node.tag)
        if defaults:
            for name, value in defaults.items():
                if node.get(name) == value:
                    del node.attrib[name]
        if node.tag in _CONTAINERS:
            moved = [c for c in node if c.tag in _CHILD_RESOURCES]
            for child in moved:
                node.remove(child)
                node.append(child)


def document_depth(elem: etree._Element) -> int:
    """Depth of an element in the <cib> document (<configuration> is 1)."""
    depth = 0
    node: etree._Element | None = elem
    while node is not None and node.tag != "configuration":
        depth += 1
        node = node.getparent()
    return depth + 1 if node is not None else depth


def _format_comment_tails(elem: etree._Element, depth: int) -> None:
    """Give comments the whitespace that follows them in `cibadmin -Q` output.

    crmsh reads the CIB as cibadmin prints it (two spaces per level) and clears all text but
    the text after comments; that leftover whitespace shows in its XML output.
    """
    for child in elem:
        if is_comment(child):
            level = depth + 1 if child.getnext() is not None else depth
            child.tail = "\n" + "  " * level
        elif isinstance(child.tag, str):
            _format_comment_tails(child, depth + 1)


_OBJECT_TAGS_INSIDE = ("primitive", "group", "clone", "master", "bundle")


def _lift_comments(obj: etree._Element) -> None:
    """crmsh's loader moves an object's comments in front of its first element and makes
    each one start with `#` (its text stripped); the whitespace after them moves along.

    Its bookkeeping treats an element at index 0 as "no element seen yet", so comments move
    only behind a first element preceded by a comment, to that element's place.
    """
    first: int | None = None
    later = []
    for index, child in enumerate(obj):
        if is_comment(child):
            if first:
                later.append(child)
        elif not first:
            first = index
    if first:
        for offset, comment in enumerate(later):
            obj.insert(first + offset, comment)
    for comment in obj:
        if is_comment(comment):
            comment.text = comment_line(comment)


def sanitized_copy(elem: etree._Element) -> etree._Element:
    clone = copy.deepcopy(elem)
    clone.tail = None
    # the whitespace comes from where cibadmin printed the comment, before any reordering
    _format_comment_tails(clone, document_depth(elem))
    sanitize(clone)
    _lift_comments(clone)
    for inner in clone.iter(*_OBJECT_TAGS_INSIDE):
        if inner is not clone:
            _lift_comments(inner)
    return clone


def _pretty_lines(elem: etree._Element) -> list[str]:
    # crmsh serialises as ASCII: other characters become character references
    text = etree.tostring(elem, pretty_print=True, with_tail=False).decode("ascii")
    return [line for line in text.split("\n") if line]


def xml_fallback(elem: etree._Element) -> str:
    """`xml <element ...> \\` lines, as crmsh shows objects its language cannot express."""
    return "xml " + " \\\n".join(_pretty_lines(sanitized_copy(elem)))


def obscure_values(elem: etree._Element, ctx: RenderContext) -> None:
    for nvpair in elem.iter("nvpair"):
        if "value" in nvpair.attrib:
            nvpair.set("value", ctx.shown_value(nvpair.get("name"), nvpair.get("value")) or "")


def xml_document(cib_attrib: Iterable[tuple[str, str]], tops: list[tuple[str, etree._Element]],
                 ctx: RenderContext) -> str:
    """`show xml`: a fresh `<cib>` with the given top-level objects under their sections.

    tops: (section path, object element) in crmsh's order; the section path is relative to
    `configuration` (`resources`, `rsc_defaults`, or `` for fencing-topology).
    """
    cib = etree.Element("cib")
    for name, value in cib_attrib:
        cib.set(name, value)
    conf = etree.SubElement(cib, "configuration")
    sections = {name: etree.SubElement(conf, name) for name in _REQUIRED_SECTIONS}
    for section, elem in tops:
        if section:
            parent = sections.get(section)
            if parent is None:
                parent = sections[section] = etree.SubElement(conf, section)
        else:
            parent = conf
        parent.append(sanitized_copy(elem))
    obscure_values(cib, ctx)
    body = etree.tostring(cib, pretty_print=True).decode("ascii")
    # crmsh prints the pretty-printed document (newline-terminated) with print(): one more
    return '<?xml version="1.0" ?>\n' + body + "\n"
