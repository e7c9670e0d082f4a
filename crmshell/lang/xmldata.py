"""The `xml <...>` escape hatch: a CIB element given as XML inside a definition."""

from __future__ import annotations

from crmshell.lang.vocabulary import XML_TAGS


def parse_xml_definition(text: str):
    """The element `text` holds; ValueError (with lxml's reason) if it is not one we take."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True,
                             huge_tree=False)
    try:
        elem = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"the XML is not well formed: {exc.msg}") from None
    if not isinstance(elem.tag, str) or elem.tag not in XML_TAGS:
        raise ValueError(f"<{elem.tag}> is not an element a definition can hold "
                         f"(one of {', '.join(sorted(XML_TAGS))})")
    return elem
