"""Rules, expressions, scores and name-value sets in crmsh's `show` syntax.

These pieces are shared by locations, property sets, primitive parameters and operation
attributes, so they are written once here. Each function also refuses (NotRepresentable)
the variants that crmsh cannot read back into the same XML, which is exactly when crmsh
itself falls back to showing the object as XML.
"""

from __future__ import annotations

import re

from lxml import etree

from crmshell.lang.render_text import (
    NotRepresentable,
    RenderContext,
    attr,
    is_comment,
    pair,
    quote,
    require_ascii,
    require_attrs,
    require_token,
)

_NUMERIC_SCORE = re.compile(r"[+-]?(inf(inity)?|INF(INITY)?|[0-9]+)\Z")
_SCORE_KEYWORDS = {"advisory": "0", "mandatory": "INFINITY"}
_BINARY_OPS = frozenset(("lt", "gt", "lte", "gte", "eq", "ne"))
_UNARY_OPS = frozenset(("defined", "not_defined"))
_EXPRESSION_TYPES = frozenset(("string", "version", "number", "integer"))
_DATE_FIELDS = frozenset(
    "hours monthdays weekdays yearsdays months weeks years weekyears moon".split())
_IDENT_START = re.compile(r"[a-z0-9_#$-][^=]*\Z", re.IGNORECASE)
_RESERVED_WORDS = frozenset(("and", "or", "date", "defined", "not_defined"))

_RULE_ATTRS = frozenset(("id", "id-ref", "score", "score-attribute", "role", "boolean-op"))
_EXPR_ATTRS = frozenset(("id", "attribute", "operation", "value", "type", "value-source"))
_DATE_ATTRS = frozenset(("id", "operation", "start", "end"))


def shown_score(elem: etree._Element) -> str:
    """`score` with INFINITY spelled `inf`, else `score-attribute`, else empty."""
    score = elem.get("score")
    if score:
        return score.replace("INFINITY", "inf")
    return elem.get("score-attribute") or ""


def reparsed_score(text: str) -> tuple[str, str]:
    """What crmsh's parser makes of a printed `<score>:` token: (attribute, value)."""
    keyword = _SCORE_KEYWORDS.get(text.lower())
    if keyword is not None:
        return "score", keyword
    if _NUMERIC_SCORE.match(text):
        return "score", re.sub("inf(inity)?|INF(INITY)?", "INFINITY", text)
    return "score-attribute", text


def check_score_round_trip(elem: etree._Element, printed: str) -> None:
    """The printed score must read back as the very attribute it came from."""
    name, value = reparsed_score(printed)
    if elem.get(name) != value:
        raise NotRepresentable("%s: score %r" % (elem.tag, printed))
    require_token(printed.rstrip(":") or "x", "score")


def date_expression(node: etree._Element) -> str:
    require_attrs(node, _DATE_ATTRS)
    operation = node.get("operation")
    keyword = {"in_range": "in", "date_spec": "spec"}.get(operation, operation)
    words = ["date", keyword or ""]
    children = [c for c in node if not is_comment(c)]
    if len(children) != len(node):
        raise NotRepresentable("comment in a date expression")
    if operation in ("lt", "gt"):
        bound, other = ("end", "start") if operation == "lt" else ("start", "end")
        value = node.get(bound)
        if value is None or node.get(other) is not None or children:
            raise NotRepresentable("date %s without its bound" % operation)
        require_ascii(value)
        words.append(quote(value))
        return " ".join(words)
    if operation not in ("in_range", "date_spec"):
        raise NotRepresentable("date operation %r" % operation)
    count = 0
    if operation == "in_range":
        for name in ("start", "end"):
            if name in node.attrib:
                words.append(pair(name, node.get(name)))
                count += 1
    elif "start" in node.attrib or "end" in node.attrib:
        raise NotRepresentable("date_spec with a range")
    wanted = "duration" if operation == "in_range" else "date_spec"
    for child in children:
        if child.tag not in ("duration", "date_spec"):
            raise NotRepresentable("date expression child %s" % child.tag)
        if child.tag != wanted or len(child) or set(child.attrib.keys()) <= {"id"}:
            raise NotRepresentable("date expression child %s" % child.tag)
        for name, value in child.attrib.items():
            if name == "id":
                continue
            if name not in _DATE_FIELDS or not value:
                raise NotRepresentable("date field %s" % name)
            words.append(pair(name, value))
            count += 1
    if len(children) > 1 or count < (2 if operation == "in_range" else 1):
        raise NotRepresentable("date %s needs more fields" % keyword)
    return " ".join(words)


def expression(node: etree._Element) -> str:
    require_attrs(node, _EXPR_ATTRS)
    if len(node):
        raise NotRepresentable("expression with children")
    operation = node.get("operation") or ""
    typ = attr(node, "type")
    attribute = node.get("attribute") or ""
    value = node.get("value")
    if not _IDENT_START.match(attribute) or attribute.lower() in _RESERVED_WORDS:
        raise NotRepresentable("expression attribute %r" % attribute)
    require_token(attribute, "expression attribute")
    shown_op = "%s:%s" % (typ, operation) if typ else operation
    if not value:
        if operation not in _UNARY_OPS or typ or value is not None or "value-source" in node.attrib:
            raise NotRepresentable("expression %s without value" % operation)
        return "%s %s" % (shown_op, attribute)
    if operation.lower() not in _BINARY_OPS or (typ and typ.lower() not in _EXPRESSION_TYPES):
        raise NotRepresentable("expression operation %r" % shown_op)
    require_token(value, "expression value")
    source = node.get("value-source")
    if not source:
        # crmsh reads `x{y}` as value y taken from source x
        if "{" in value or "}" in value:
            raise NotRepresentable("expression value with braces")
        return "%s %s %s" % (attribute, shown_op, value)
    if source == "literal" or "{" in source or "}" in source:
        raise NotRepresentable("value-source %r" % source)
    require_token(source, "value-source")
    return "%s %s %s{%s}" % (attribute, shown_op, source, value)


def rule_expressions(rule: etree._Element) -> str:
    bool_op = attr(rule, "boolean-op") or "and"
    if bool_op not in ("and", "or"):
        raise NotRepresentable("boolean-op %r" % bool_op)
    parts = []
    for child in rule:
        if child.tag == "expression":
            parts.append(expression(child))
        elif child.tag == "date_expression":
            parts.append(date_expression(child))
        else:
            raise NotRepresentable("rule child %s" % child.tag)
    if not parts:
        raise NotRepresentable("rule without expressions")
    if bool_op == "or" and len(parts) == 1:
        raise NotRepresentable("boolean-op=or with one expression")
    return (" %s " % bool_op).join(parts)


def rule(node: etree._Element, ctx: RenderContext) -> str:
    """`rule [$id=..] [$role=..] [score:] expressions` or `rule $id-ref=..`."""
    require_attrs(node, _RULE_ATTRS)
    words = ["rule"]
    ident = node.get("id")
    if ctx.is_id_referenced("rule", ident):
        words.append(pair("$id", ident))
    else:
        ref = node.get("id-ref")
        if ref is not None:
            if len(node.attrib) != 1 or len(node):
                raise NotRepresentable("rule reference with content")
            require_token(ref, "rule reference")
            return "rule %s" % pair("$id-ref", ref)
    role = node.get("role")
    if role:
        require_token(role, "rule role")
        words.append(pair("$role", role))
    score = node.get("score")
    if score != "INFINITY":
        printed = shown_score(node)
        if not printed:
            raise NotRepresentable("rule without score")
        check_score_round_trip(node, printed)
        words.append("%s:" % printed)
    elif "score-attribute" in node.attrib:
        raise NotRepresentable("rule with score and score-attribute")
    words.append(rule_expressions(node))
    return " ".join(words)


def nvpair(node: etree._Element, ctx: RenderContext) -> str:
    """One name-value pair: `name=value`, `name`, `@ref`, `@ref:name` or `$id:name=value`."""
    ref = node.get("id-ref")
    name = node.get("name")
    if ref is not None:
        require_token(ref, "nvpair reference")
        if ":" in ref or "value" in node.attrib or "id" in node.attrib:
            raise NotRepresentable("nvpair reference with content")
        return "@%s:%s" % (ref, name) if name is not None else "@%s" % ref
    if name is None:
        raise NotRepresentable("nvpair without name")
    require_token(name, "nvpair name")
    if "=" in name or name[0] in "@$":
        raise NotRepresentable("nvpair name %r" % name)
    raw = node.get("value")
    if raw is None and (":" in name or name.lower() in NVPAIR_TERMINATORS):
        raise NotRepresentable("value-less nvpair %r" % name)
    if raw is not None:
        # crmsh decides before obscuring: the real value must read back
        require_ascii(raw)
    value = ctx.shown_value(name, raw)
    ident = node.get("id")
    if ident is not None and ctx.is_id_referenced("nvpair", ident):
        return "$%s:%s" % (ident, pair(name, value))
    return pair(name, value)


NVPAIR_TERMINATORS = frozenset((
    "params", "meta", "utilization", "operations", "op", "op_params", "op_meta", "rule",
    "attributes"))

_SET_ATTRS = frozenset(("id", "id-ref", "score"))


def attribute_set(node: etree._Element, keyword: str, ctx: RenderContext) -> str:
    """A params/meta/utilization/attributes/op_params/op_meta line for one nvpair set.

    Rules come first, then the pairs, whatever their order in the XML: that is the only order
    the language has, and crmsh compares the read-back XML without regard to child order.
    """
    require_attrs(node, _SET_ATTRS)
    words = [keyword]
    ident = node.get("id")
    ref = node.get("id-ref")
    if ident is not None and ctx.is_id_referenced(node.tag, ident):
        words.append(pair("$id", ident))
    elif ref is not None:
        require_token(ref, "set reference")
        words.append(pair("$id-ref", ref))
        if len(node) or "score" in node.attrib:
            raise NotRepresentable("set reference with content")
    score = node.get("score")
    if score:
        printed = score  # crmsh prints a set's score as written (`+INFINITY:`), unlike rules
        check_score_round_trip(node, printed)
        words.append("%s:" % printed)
    rules = []
    pairs = []
    for child in node:
        if child.tag == "rule":
            rules.append(rule(child, ctx))
        elif child.tag == "nvpair":
            pairs.append(nvpair(child, ctx))
        else:
            raise NotRepresentable("%s child %s" % (node.tag, child.tag))
    words.extend(rules)
    words.extend(pairs)
    return " ".join(words)
