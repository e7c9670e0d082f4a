"""location, colocation, order and rsc_ticket constraints, with resource sets, in `show` syntax.

Resource sets are the delicate part: the language has no set boundaries of its own, only
brackets and role/action changes, so a configuration whose sets the parser would split or
merge differently cannot be shown in the language (crmsh then shows XML). `_reparse_sets`
replays how the printed tokens are read back, to decide that.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from crmshell.lang.render_rules import check_score_round_trip, rule, shown_score
from crmshell.lang.render_text import (
    NotRepresentable,
    RenderContext,
    attr,
    is_comment,
    require_attrs,
    require_token,
)

_TRUE_WORDS = ("yes", "true", "on", "1")
_ROLES = ("Stopped", "Started", "Promoted", "Unpromoted", "Slave", "Master")
_ACTIONS = ("start", "promote", "demote", "stop")
_ORDER_KINDS = ("Optional", "Mandatory", "Serialize")
_LOSS_POLICIES = ("stop", "demote", "fence", "freeze")


def _boolean_or_none(value: str | None) -> bool | None:
    if value is None:
        return None
    if not value:
        return False
    return value.lower() in _TRUE_WORDS


@dataclass(frozen=True)
class _Set:
    refs: tuple[str, ...]
    qualifier: str
    sequential: bool
    require_all: bool


def _reference(rsc: str, qualifier: str | None) -> str:
    return "%s:%s" % (rsc, qualifier) if qualifier else rsc


def resource_set_tokens(elem: etree._Element, kind: str) -> list[str]:
    """The printed words for the resource sets of one constraint (crmsh's exact spelling)."""
    tokens: list[str] = []
    count = 0
    sequential = require_all = None
    for rset in elem.iterchildren("resource_set"):
        sequential = _boolean_or_none(attr(rset, "sequential"))
        require_all = _boolean_or_none(attr(rset, "require-all"))
        if require_all is False:
            tokens.append("[")
        elif sequential is False:
            tokens.append("(")
        qualifier = rset.get("action") if kind == "order" else rset.get("role")
        for ref in rset.iterchildren("resource_ref"):
            tokens.append(_reference(ref.get("id") or "", qualifier))
            count += 1
        if require_all is False:
            if sequential in (None, True):
                tokens.append("sequential=true")
            tokens.append("]")
        elif sequential is False:
            tokens.append(")")
    # crmsh judges a "degenerate" set by the flags of the last set only
    plain_last = sequential in (None, True) and require_all in (None, True)
    if kind != "location" and ((plain_last and kind != "rsc_ticket" and count <= 2)
                               or (kind == "rsc_ticket" and count <= 1)):
        tokens.insert(0, "_rsc_set_")
    return tokens


def _reparse_sets(tokens: list[str], kind: str) -> list[_Set]:
    """How crmsh's set parser groups the printed tokens back into sets."""
    result: list[_Set] = []
    refs: list[str] = []
    prev_q = ""
    sequential = require_all = True
    opened = ""

    def save() -> None:
        nonlocal refs
        if refs:
            result.append(_Set(tuple(refs), prev_q, sequential, require_all))
        refs = []

    for token in tokens:
        if token == "_rsc_set_":
            continue
        if token in ("(", "["):
            if opened:
                raise NotRepresentable("nested sets")
            save()
            prev_q = ""
            sequential = False
            require_all = token != "["
            opened = token
            continue
        if token in (")", "]"):
            if not refs:
                raise NotRepresentable("empty set")
            save()
            prev_q = ""
            sequential = require_all = True
            opened = ""
            continue
        if "=" in token:
            sequential = True
            continue
        rsc, _, q = token.partition(":")
        if q != prev_q:
            save()
            prev_q = q
        refs.append(rsc)
    save()
    return result


def _check_sets(elem: etree._Element, kind: str, tokens: list[str]) -> None:
    qualifier_attr = "action" if kind == "order" else "role"
    allowed = {"id", "sequential", "require-all", qualifier_attr}
    expected = []
    for child in elem:
        if child.tag != "resource_set":
            continue
        require_attrs(child, allowed)
        for flag in ("sequential", "require-all"):
            value = attr(child, flag)
            if value is not None and value != "false":
                raise NotRepresentable("set %s=%s" % (flag, value))
        qualifier = child.get(qualifier_attr) or ""
        valid = _ACTIONS if kind == "order" else _ROLES
        if qualifier and qualifier not in valid:
            raise NotRepresentable("set %s %r" % (qualifier_attr, qualifier))
        refs = []
        for ref in child:
            if ref.tag != "resource_ref" or set(ref.attrib.keys()) != {"id"}:
                raise NotRepresentable("resource set member")
            require_token(ref.get("id") or "", "set member")
            refs.append(ref.get("id"))
        expected.append(_Set(tuple(refs), qualifier, attr(child, "sequential") is None,
                             attr(child, "require-all") is None))
    if _reparse_sets(tokens, kind) != expected:
        raise NotRepresentable("resource sets do not read back the same")


def _has_sets(elem: etree._Element) -> bool:
    return elem.find("resource_set") is not None


def _only_sets_and_comments(elem: etree._Element) -> None:
    for child in elem:
        if not (is_comment(child) or child.tag == "resource_set"):
            raise NotRepresentable("%s child %s" % (elem.tag, child.tag))


def _role_ref(elem: etree._Element, name: str, valid: tuple[str, ...]) -> str:
    rsc = elem.get(name) or ""
    require_token(rsc, "constraint resource")
    qualifier_attr = "%s-%s" % (name, "action" if valid is _ACTIONS else "role")
    qualifier = elem.get(qualifier_attr)
    instance = elem.get("%s-instance" % name)
    if qualifier:
        if qualifier not in valid:
            raise NotRepresentable("%s %r" % (qualifier_attr, qualifier))
        if instance:
            raise NotRepresentable("both %s and instance" % qualifier_attr)
        return "%s:%s" % (rsc, qualifier)
    if instance:
        if not instance.isdigit():
            raise NotRepresentable("instance %r" % instance)
        return "%s:%s" % (rsc, instance)
    return rsc


def _resources(elem: etree._Element, kind: str, simple_names: tuple[str, ...],
               valid: tuple[str, ...]) -> list[str]:
    if _has_sets(elem):
        if any(elem.get(n) is not None for n in simple_names):
            raise NotRepresentable("both sets and resources")
        _only_sets_and_comments(elem)
        tokens = resource_set_tokens(elem, kind)
        if len(tokens) == len(simple_names):
            # the parser takes exactly that many words for a constraint without sets
            raise NotRepresentable("resource set reads back as plain resources")
        _check_sets(elem, kind, tokens)
        return tokens
    _only_sets_and_comments(elem)
    return [_role_ref(elem, n, valid) for n in simple_names]


def _score_prefix(elem: etree._Element, printed: str) -> str:
    if not printed:
        return ""
    check_score_round_trip(elem, printed)
    return "%s: " % printed


def colocation(elem: etree._Element, ctx: RenderContext) -> list[str]:
    require_attrs(elem, {"id", "score", "score-attribute", "rsc", "with-rsc", "rsc-role", "with-rsc-role",
                         "rsc-instance", "with-rsc-instance", "node-attribute"})
    col = _resources(elem, "colocation", ("rsc", "with-rsc"), _ROLES)
    node_attr = elem.get("node-attribute")
    if node_attr:
        require_token(node_attr, "node-attribute")
        if node_attr != node_attr.lower():
            raise NotRepresentable("node-attribute with capitals")
        col.append("node-attribute=%s" % node_attr)
    score = shown_score(elem)
    if not score:
        raise NotRepresentable("colocation without score")
    return ["colocation %s %s%s" % (elem.get("id"), _score_prefix(elem, score), " ".join(col))]


def order(elem: etree._Element, ctx: RenderContext) -> list[str]:
    require_attrs(elem, {"id", "kind", "first", "then", "first-action", "then-action",
                         "first-instance", "then-instance", "symmetrical"})
    col = _resources(elem, "order", ("first", "then"), _ACTIONS)
    symmetrical = elem.get("symmetrical")
    if symmetrical:
        if symmetrical not in ("true", "false"):
            raise NotRepresentable("symmetrical=%s" % symmetrical)
        col.append("symmetrical=%s" % symmetrical)
    kind = elem.get("kind") or ""
    if kind and kind not in _ORDER_KINDS:
        raise NotRepresentable("order kind %r" % kind)
    prefix = "%s: " % kind if kind else ""
    return ["order %s %s%s" % (elem.get("id"), prefix, " ".join(col))]


def rsc_ticket(elem: etree._Element, ctx: RenderContext) -> list[str]:
    require_attrs(elem, {"id", "ticket", "rsc", "rsc-role", "loss-policy"})
    ticket = elem.get("ticket") or ""
    require_token(ticket, "ticket")
    if ":" in ticket:
        raise NotRepresentable("ticket %r" % ticket)
    col = _resources(elem, "rsc_ticket", ("rsc",), _ROLES)
    policy = elem.get("loss-policy")
    if policy:
        if policy not in _LOSS_POLICIES:
            raise NotRepresentable("loss-policy %r" % policy)
        col.append("loss-policy=%s" % policy)
    return ["rsc_ticket %s %s: %s" % (elem.get("id"), ticket, " ".join(col))]


def location(elem: etree._Element, ctx: RenderContext) -> list[str]:
    require_attrs(elem, {"id", "rsc", "rsc-pattern", "role", "resource-discovery", "score",
                         "score-attribute", "node"})
    if "rsc" in elem.attrib:
        rsc = elem.get("rsc") or ""
        require_token(rsc, "location resource")
        if "rsc-pattern" in elem.attrib:
            raise NotRepresentable("location with rsc and rsc-pattern")
    elif "rsc-pattern" in elem.attrib:
        pattern = elem.get("rsc-pattern") or ""
        require_token(pattern, "location pattern")
        rsc = "/%s/" % pattern
    elif _has_sets(elem):
        tokens = resource_set_tokens(elem, "location")
        _check_sets(elem, "location", tokens)
        rsc = "{ %s }" % " ".join(tokens)
    else:
        raise NotRepresentable("location without resource")
    head = "location %s %s" % (elem.get("id"), rsc)
    for name in ("role", "resource-discovery"):
        value = elem.get(name)
        if value is not None:
            require_token(value, name)
            head += " %s=%s" % (name, value)
    rules = []
    for child in elem:
        if child.tag == "rule":
            rules.append(rule(child, ctx))
        elif not (is_comment(child) or child.tag == "resource_set"):
            raise NotRepresentable("location child %s" % child.tag)
    node_name = elem.get("node")
    if node_name is not None:
        if rules:
            raise NotRepresentable("location with node and rules")
        require_token(node_name, "location node")
        score = shown_score(elem)
        if not score:
            raise NotRepresentable("location without score")
        head = "%s %s %s" % (head, _score_prefix(elem, score).rstrip(), node_name)
    elif not rules or "score" in elem.attrib or "score-attribute" in elem.attrib:
        raise NotRepresentable("location without node or rules")
    return [head] + rules
