"""The pieces every family builder shares (build_resources, build_constraints, build_options):
elements, attribute sets, rules and scores, the draft a builder returns, and the CIB context.

Apart from `build` itself so that the builders it dispatches to never import it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from lark import Token, Tree

from crmshell.lang import vocabulary as vocab
from crmshell.lang.errors import DefinitionError
from crmshell.lang.nvpairs import split_nvpair


class BuildContext:
    """What building needs from the CIB it builds for: objects, node names, agent providers.

    `providers(type)` lists the installed OCF providers of an agent type (see agents_fs);
    without it, a bare agent type is taken to be ocf:heartbeat, crmsh's fallback.
    """

    def __init__(self, configuration=None, *, providers: Callable[[str], list[str]] | None = None) -> None:
        self.configuration = configuration
        self.providers = providers

    def find(self, ident: str):
        """The configuration element whose id (or node uname) is `ident`, or None."""
        if self.configuration is None:
            return None
        for elem in self.configuration.xpath(".//*[@id=$x]", x=ident):
            if elem.tag in _OBJECT_TAGS or (elem.tag == "meta_attributes" and
                                            elem.getparent().tag in ("rsc_defaults", "op_defaults")):
                return elem
        found = self.configuration.xpath("nodes/node[@uname=$x]", x=ident)
        return found[0] if found else None

    def node_names(self) -> list[str]:
        if self.configuration is None:
            return []
        return [n.get("uname") or n.get("id") for n in self.configuration.iterfind("nodes/node")]

    def provider(self, ra_type: str) -> str:
        found = list(self.providers(ra_type)) if self.providers is not None else []
        if not found or "heartbeat" in found:
            return "heartbeat"
        if "pacemaker" in found:
            return "pacemaker"
        return sorted(found)[0]


_OBJECT_TAGS = frozenset({"node", "primitive", "group", "clone", "master", "template", "bundle",
                         "rsc_location", "rsc_colocation", "rsc_order", "rsc_ticket",
                         "cluster_property_set", "acl_role", "acl_target", "acl_group",
                         "acl_user", "tag", "alert"})


@dataclass
class Draft:
    """What a family builder returns before ids are filled in."""

    element: object
    section: str
    id_prefix: str = ""
    members: list[str] = field(default_factory=list)
    target: str | None = None
    object_id: str | None = None
    kind: str | None = None      # when it differs from the statement's (xml)
    replaces: list = field(default_factory=list)


# -- shared pieces -------------------------------------------------------------------------
def E(tag: str, *attrs: tuple[str, str | None]):
    """An element with attributes in the given order (None values left out)."""
    from lxml import etree

    elem = etree.Element(tag)
    for name, value in attrs:
        if value is not None:
            elem.set(name, value)
    return elem


def sub(parent, tag: str, *attrs: tuple[str, str | None]):
    child = E(tag, *attrs)
    parent.append(child)
    return child


def stuff_comments(elem, comments: list[str]) -> None:
    """Comment lines go first in the element, in order, as crmsh stores them."""
    from lxml import etree

    for index, text in enumerate(comments):
        elem.insert(index, etree.Comment(text))


def score_attribute(score: str) -> tuple[str, str]:
    """crmsh's reading of `<score>:` (without the colon): a number, inf, or an attribute."""
    lowered = score.lower()
    if lowered in vocab.SCORE_WORDS:
        return "score", vocab.SCORE_WORDS[lowered]
    if vocab.NUMERIC_SCORE.fullmatch(score):
        return "score", re.sub("inf(inity)?|INF(INITY)?", "INFINITY", score)
    return "score-attribute", score


def nvpair_element(token: Token):
    pair = split_nvpair(token)
    if pair.idref is not None:
        return E("nvpair", ("id-ref", pair.idref), ("name", pair.name))
    if pair.id is not None:
        return E("nvpair", ("id", pair.id), ("name", pair.name), ("value", pair.value))
    return E("nvpair", ("name", pair.name), ("value", pair.value))


NVPAIR_TYPES = ("NVPAIR", "NVPAIR_ID", "NVPAIR_REF", "NVKEY")


def attr_set(tag: str, parts: list) -> object:
    """An attribute set from the parts of an attr_list ($id, score, rules, nvpairs)."""
    elem = E(tag)
    for part in parts:
        if isinstance(part, Tree):
            elem.append(rule_element(part))
        elif part.type == "SET_IDREF":
            elem.set("id-ref", part.split("=", 1)[1])
        elif part.type == "SET_ID":
            elem.set("id", part.split("=", 1)[1])
        elif part.type == "SCORE":
            elem.set("score", part[:-1])
        else:
            elem.append(nvpair_element(part))
    return elem


def rule_element(tree: Tree):
    rule = E("rule")
    parts = tree.children[1:]
    has_score = False
    bool_op = None
    for part in parts:
        if isinstance(part, Tree):
            rule.append(_EXPRESSIONS[part.data](part))
            continue
        kind = part.type
        if kind == "SET_IDREF":
            rule.set("id-ref", part.split("=", 1)[1])
        elif kind == "SET_ID":
            rule.set("id", part.split("=", 1)[1])
        elif kind == "ROLE_ATTR":
            rule.set("role", part.split("=", 1)[1])
        elif kind == "SCORE":
            rule.set(*score_attribute(part[:-1]))
            has_score = True
        elif kind == "BOOL_OP":
            bool_op = part.lower()
    if "id-ref" in rule.attrib:
        return rule
    if not has_score:
        # the score goes after id and role, before the expressions' boolean-op
        rule.set("score", "INFINITY")
    if bool_op == "or":
        rule.set("boolean-op", "or")
    return rule


_VALUE_SOURCE = re.compile(r"(?P<src>[^\s{}]+)\{(?P<val>\S+)\}")


def _binary(tree: Tree):
    attr, binop, value = (str(t) for t in tree.children)
    typ, _, operation = binop.lower().rpartition(":")
    elem = E("expression", ("operation", operation), ("attribute", attr), ("type", typ or None))
    match = _VALUE_SOURCE.fullmatch(value)
    if match:
        elem.set("value", match.group("val"))
        elem.set("value-source", match.group("src"))
    else:
        elem.set("value", value)
    return elem


def _unary(tree: Tree):
    operation, attr = tree.children
    return E("expression", ("operation", operation.lower()), ("attribute", str(attr)))


def _date(tree: Tree):
    operation = vocab.DATE_OPERATIONS[tree.children[1].lower()]
    elem = E("date_expression", ("operation", operation))
    if operation in ("lt", "gt"):
        elem.set("end" if operation == "lt" else "start", str(tree.children[2]))
        return elem
    pairs = []
    for token in tree.children[2:]:
        name, _, value = str(token).partition("=")
        pairs.append((name, value))
    names = {name for name, _ in pairs}
    if names == set(vocab.DATE_RANGE_ATTRS):
        for name, value in pairs:
            elem.set(name, value)
        return elem
    detail = sub(elem, "duration" if operation == "in_range" else "date_spec")
    for name, value in pairs:
        (elem if name in vocab.DATE_RANGE_ATTRS else detail).set(name, value)
    return elem


_EXPRESSIONS = {"binary_exp": _binary, "unary_exp": _unary, "date_exp": _date}


def resolve_references(elem, context: BuildContext) -> None:
    """`$id-ref=<object>` may name an object instead of a set: use the object's first set."""
    for node in elem.iter():
        if not isinstance(node.tag, str) or "id-ref" not in node.attrib:
            continue
        target = context.find(node.get("id-ref"))
        if target is None:
            continue
        for inner in target.iter(node.tag):
            if inner is not target:
                if inner.get("id"):
                    node.set("id-ref", inner.get("id"))
                break


def object_id(token: Token) -> str:
    value = str(token)
    return value[3:] if value.startswith("id=") else value


def token_of(tree: Tree, *types: str) -> Token | None:
    for child in tree.children:
        if isinstance(child, Token) and child.type in types:
            return child
    return None


def require_context(context: BuildContext, what: str) -> None:
    if context.configuration is None:
        raise DefinitionError(f"{what} needs the CIB it is defined in")
