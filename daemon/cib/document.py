"""Reading and writing CIB documents as lxml trees.

Parsing keeps line numbers for messages and accepts CIBs of hundreds of megabytes
(`huge_tree`: libxml2's default limits stop at about 10 MB of text in one node and refuse
deep or large documents, which is what makes crmsh fail with "Huge input lookup").
Blank text between elements is dropped so that serialising indents the tree afresh, as
Pacemaker's own files are, and so that sibling positions in patchsets count only elements
and comments. Entities are not expanded and nothing is fetched from the network.
"""

from __future__ import annotations

import re

from lxml import etree

from daemon.cib.errors import CibParseError

# What `cibadmin --empty` of Pacemaker 2.1.5 prints; kept as text so that the empty
# document is byte-for-byte the same once serialised.
EMPTY_CIB_XML = b"""\
<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes/>
    <resources/>
    <constraints/>
  </configuration>
  <status/>
</cib>
"""

# libxml2 stores line numbers in 16 bits; past this, sourceline is not the element's line.
LAST_EXACT_LINE = 65534

_LOCATION_SUFFIX = re.compile(r", line \d+, column \d+$")


# How every CIB is parsed, whole or as a stream: big documents allowed, layout whitespace and
# processing instructions dropped, no entities, no network.
PARSER_OPTIONS = dict(huge_tree=True, remove_blank_text=True, remove_pis=True,
                      resolve_entities=False, no_network=True)


def _parser() -> etree.XMLParser:
    # A parser object is not safe to share between threads; making one is cheap.
    return etree.XMLParser(**PARSER_OPTIONS)


def syntax_error(source: str, err: etree.XMLSyntaxError) -> CibParseError:
    """libxml2's complaint as a CibParseError naming source:line:column."""
    line, column = err.position if err.position else (1, 1)
    message = _LOCATION_SUFFIX.sub("", err.msg or "malformed XML")
    return CibParseError(source, max(line, 1), max(column, 1), message)


def empty_cib() -> etree._Element:
    """A new empty CIB, the same document as `cibadmin --empty` (Pacemaker 2.1.5) prints."""
    return etree.fromstring(EMPTY_CIB_XML, _parser())


def parse_cib(data: bytes, *, source: str) -> etree._Element:
    """Parse a whole CIB document (`<cib>` with a `<configuration>`).

    `source` names the input in messages (usually the file name). Raises CibParseError
    naming `source:line:column` for malformed XML, a root other than `<cib>` or a missing
    `<configuration>`.
    """
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as err:
        raise syntax_error(source, err) from None
    if root.tag != "cib":
        raise CibParseError(
            source, *_tag_location(data, root), f"the root element is <{root.tag}>, not <cib>"
        )
    if root.find("configuration") is None:
        raise CibParseError(
            source, *_tag_location(data, root), "<cib> has no <configuration> element"
        )
    return root


def serialize_cib(root: etree._Element) -> bytes:
    """The document as Pacemaker writes CIB files: UTF-8, two-space indent, no declaration."""
    return etree.tostring(root, encoding="utf-8", xml_declaration=False, pretty_print=True)


def _tag_location(data: bytes, elem: etree._Element) -> tuple[int, int]:
    """Line and column of an element's start tag, found again in the raw text."""
    line = elem.sourceline or 1
    if line > LAST_EXACT_LINE:
        return line, 1
    start = 0
    for _ in range(line - 1):
        start = data.find(b"\n", start) + 1
    end = data.find(b"\n", start)
    text = data[start : end if end >= 0 else len(data)]
    tag = elem.tag.encode() if isinstance(elem.tag, str) else b""
    match = re.search(rb"<" + re.escape(tag) + rb"[\s/>]", text) or re.search(rb"<", text)
    return line, (len(text[: match.start()].decode("utf-8", "replace")) + 1) if match else 1
