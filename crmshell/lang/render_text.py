"""Lexical building blocks of crmsh's `show` text: quoting, name=value pairs, line joining.

crmsh decides quoting per value with one rule (word characters, dots and dashes stay bare;
everything else goes in double quotes, inner double quotes escaped). Getting this byte-exact
is what makes `show` output diff cleanly against the real crm, so it lives in one place.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Mapping

from lxml import etree

# Continuation between the parts of one object: backslash, newline, tab.
CONTINUATION = " \\\n\t"

_BARE_VALUE = re.compile(r"[\w.-]+\Z")

# Attributes that crmsh's loader drops when they carry their schema default, so `show` never
# sees them (its sanitising pass runs before anything is printed).
DEFAULTED_ATTRIBUTES: Mapping[str, Mapping[str, str]] = {
    "node": {"type": "normal"},
    "resource_set": {"sequential": "true", "require-all": "true"},
    "rule": {"boolean-op": "and"},
    "expression": {"type": "string"},
}

DEFAULT_OBSCURE = ("passw*",)


class RenderInputError(ValueError):
    """The renderer was handed something that is not a configuration or one of its objects
    (a caller's mistake, not a property of the CIB)."""


class NotRepresentable(Exception):
    """The object holds something crmsh's language cannot say; show it as `xml <...>`."""


@dataclass(frozen=True)
class RenderContext:
    """Facts about the whole configuration that change how single objects print.

    id_refs: ids that other objects reference with `$id-ref=`, mapped to the XML tag crmsh
    records for the reference (a referenced rule prints `$id=`).
    node_unames: sorted node names; fencing_topology uses the count for its short form.
    obscure: fnmatch patterns of nvpair names whose values print as `******`.
    """

    id_refs: Mapping[str, str] = field(default_factory=dict)
    node_unames: tuple[str, ...] = ()
    obscure: tuple[str, ...] = DEFAULT_OBSCURE

    def is_id_referenced(self, tag: str, ident: str | None) -> bool:
        return ident is not None and self.id_refs.get(ident) == tag

    def shown_value(self, name: str | None, value: str | None) -> str | None:
        if name is not None and value is not None:
            for pattern in self.obscure:
                if fnmatch.fnmatch(name, pattern):
                    return "******"
        return value


def is_bare(value: str) -> bool:
    """True when crmsh prints the value without quotes."""
    return _BARE_VALUE.match(value) is not None


def quote(value: str) -> str:
    if is_bare(value):
        return value
    if '"' in value:
        return '"%s"' % value.replace('"', '\\"')
    return '"%s"' % value


def pair(name: str, value: str | None) -> str:
    """`name=value` with crmsh's quoting; a pair without value prints as its bare name."""
    if value is None:
        return name
    return "%s=%s" % (name, quote(value))


_HEAD_ID_WORD = re.compile(r"[\w-]+\Z")


def head_id(ident: str) -> str:
    """Set and node ids in an object head: `id:` or, when not a plain word, `$id="id"`.

    crmsh reads `id:` back only for word characters and dashes, so an id with a dot (bare,
    hence printed as `id.x:`) does not come back.
    """
    if is_bare(ident):
        if not _HEAD_ID_WORD.match(ident):
            raise NotRepresentable("id %r in an object head" % ident)
        return "%s:" % ident
    if '"' in ident or not ident.isascii():
        raise NotRepresentable("id %r in an object head" % ident)
    return '$id="%s"' % ident


def join_parts(parts: list[str]) -> str:
    return CONTINUATION.join(parts)


def attr(elem: etree._Element, name: str) -> str | None:
    """An attribute as crmsh sees it after loading: schema defaults read as absent."""
    value = elem.get(name)
    if value is not None:
        defaults = DEFAULTED_ATTRIBUTES.get(elem.tag)
        if defaults is not None and defaults.get(name) == value:
            return None
    return value


def is_comment(node: etree._Element) -> bool:
    return node.tag is etree.Comment


def is_element(node: etree._Element) -> bool:
    return isinstance(node.tag, str)


def comment_line(node: etree._Element) -> str:
    """crmsh strips comment text and makes sure it starts with `#`."""
    text = (node.text or "").strip()
    if not text.startswith("#"):
        text = "# %s" % text
    return text


def require_attrs(elem: etree._Element, allowed: frozenset[str] | set[str]) -> None:
    """Refuse elements carrying attributes the language has no way to print."""
    for key in elem.attrib.keys():
        if key not in allowed:
            raise NotRepresentable("%s: attribute %s" % (elem.tag, key))


def require_token(text: str, what: str) -> None:
    """crmsh re-reads its own output with shlex; text that splits or quotes differently is lost."""
    if not text or any(c.isspace() or c in "\"'\\" for c in text) or not text.isascii():
        raise NotRepresentable("%s: %r is not a single word" % (what, text))


def require_ascii(text: str) -> None:
    """crmsh turns non-ASCII input into XML character references, so such text never round-trips."""
    if not text.isascii():
        raise NotRepresentable("non-ASCII text")
