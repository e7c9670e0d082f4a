"""Constraints: location, colocation, order and rsc_ticket, with crmsh's resource sets.

Two resources (one for a ticket) make a simple constraint (`rsc`/`with-rsc`, `first`/`then`);
anything else becomes resource sets: brackets open non-sequential sets (`[ ]` also not
require-all), and a change of role or action starts a new set.
"""

from __future__ import annotations

from lark import Token, Tree

from crmshell.lang import vocabulary as vocab
from crmshell.lang.build_parts import E, Draft, object_id, rule_element, score_attribute, token_of


def resource_sets(tokens: list[str], qualifier: str) -> list:
    """crmsh's reading of a resource-set word list into <resource_set> elements."""
    names = vocab.ROLES if qualifier == "role" else vocab.ACTIONS
    sets: list = []
    refs: list[str] = []
    state = {"q": "", "attr": "", "sequential": True, "require_all": True}

    def save() -> None:
        if not refs:
            return
        rset = E("resource_set", ("require-all", None if state["require_all"] else "false"),
                 ("sequential", None if state["sequential"] else "false"),
                 (state["attr"], state["q"]) if state["attr"] else ("x", None))
        for rsc in refs:
            rset.append(E("resource_ref", ("id", rsc)))
        sets.append(rset)
        refs.clear()
        state["q"] = state["attr"] = ""

    for token in tokens:
        if token == "_rsc_set_":
            continue
        if token in ("(", "["):
            save()
            state["sequential"] = False
            state["require_all"] = token != "["
            continue
        if token in (")", "]"):
            save()
            state["sequential"] = state["require_all"] = True
            continue
        if "=" in token:
            name, _, value = token.partition("=")
            state["sequential" if name == "sequential" else "require_all"] = \
                value.lower() in vocab.BOOLEAN_TRUE
            continue
        rsc, _, q = token.partition(":")
        q = vocab.canonical(q, names) if q else ""
        if q != state["q"]:
            save()
            state["q"] = q
        state["attr"] = qualifier if q else ""
        refs.append(rsc)
    save()
    return sets


def _simple_end(token: str, name: str, qualifier: str) -> list[tuple[str, str]]:
    rsc, _, q = token.partition(":")
    out = [(name, rsc)]
    if q:
        if q.isdigit():
            out.append((f"{name}-instance", q))
        else:
            names = vocab.ROLES if qualifier == "role" else vocab.ACTIONS
            out.append((f"{name}-{qualifier}", vocab.canonical(q, names)))
    return out


def _resources(elem, rsc_list: Tree, *, ends: tuple[str, ...], qualifier: str) -> None:
    items = rsc_list.children
    if len(items) == len(ends) and all(t.type == "RSET_RSC" for t in items):
        for token, name in zip(items, ends):
            for attr, value in _simple_end(str(token), name, qualifier):
                elem.set(attr, value)
        return
    for rset in resource_sets([str(t) for t in items], qualifier):
        elem.append(rset)


def _rsc_list(tree: Tree) -> Tree:
    return next(c for c in tree.children if isinstance(c, Tree) and c.data == "rsc_list")


def location(tree: Tree, context) -> Draft:
    ident = object_id(token_of(tree, "OBJ_ID"))
    elem = E("rsc_location", ("id", ident))
    rules = []
    for part in tree.children[2:]:
        if isinstance(part, Token):
            if part.type == "RSC":
                elem.set("rsc", str(part))
            elif part.type == "RSC_PATTERN":
                elem.set("rsc-pattern", part[1:-1])
            elif part.type == "LOC_ATTR":
                name, _, value = part.partition("=")
                elem.set(name.lstrip("$"), value)
        elif part.data == "location_set":
            words = [str(t) for t in part.children if t.type not in ("LBRACE", "RBRACE")]
            for rset in resource_sets(words, "role"):
                elem.append(rset)
        elif part.data == "location_node":
            score, node_ref = part.children[0], part.children[1]
            elem.set(*score_attribute(score[:-1]))
            elem.set("node", str(node_ref))
            if len(part.children) > 2 and "role" not in elem.attrib:
                elem.set("role", part.children[2].split("=", 1)[1])
        elif part.data == "rule":
            rules.append(rule_element(part))
    for rule in rules:
        elem.append(rule)
    return Draft(elem, "constraints", "location", object_id=ident)


def colocation(tree: Tree, context) -> Draft:
    ident = object_id(token_of(tree, "OBJ_ID"))
    elem = E("rsc_colocation", ("id", ident))
    elem.set(*score_attribute(token_of(tree, "SCORE")[:-1]))
    node_attribute = token_of(tree, "NODE_ATTRIBUTE")
    if node_attribute is not None:
        elem.set("node-attribute", node_attribute.split("=", 1)[1].lower())
    _resources(elem, _rsc_list(tree), ends=("rsc", "with-rsc"), qualifier="role")
    return Draft(elem, "constraints", "", object_id=ident)


def order(tree: Tree, context) -> Draft:
    ident = object_id(token_of(tree, "OBJ_ID"))
    elem = E("rsc_order", ("id", ident))
    kind = token_of(tree, "KIND")
    score = token_of(tree, "SCORE")
    if kind is not None:
        elem.set("kind", vocab.canonical(kind[:-1], vocab.ORDER_KINDS))
    elif score is not None:
        elem.set("kind", order_kind(score[:-1]))
    symmetrical = token_of(tree, "SYMMETRICAL")
    if symmetrical is not None:
        value = symmetrical.split("=", 1)[1].lower()
        elem.set("symmetrical", "true" if value in vocab.BOOLEAN_TRUE else "false")
    _resources(elem, _rsc_list(tree), ends=("first", "then"), qualifier="action")
    return Draft(elem, "constraints", "", object_id=ident)


def order_kind(score: str) -> str:
    """The kind an order's legacy score stands for (`0:` is Optional, any other Mandatory)."""
    attr, value = score_attribute(score)
    if attr != "score" or score.lower() in vocab.SCORE_WORDS:
        raise ValueError(f"'{score}:' is not a kind (Mandatory, Optional, Serialize) or a score")
    return "Optional" if value == "0" else "Mandatory"


def rsc_ticket(tree: Tree, context) -> Draft:
    ident = object_id(token_of(tree, "OBJ_ID"))
    elem = E("rsc_ticket", ("id", ident), ("ticket", token_of(tree, "TICKET")[:-1]))
    policy = token_of(tree, "LOSS_POLICY")
    if policy is not None:
        elem.set("loss-policy", policy.split("=", 1)[1].lower())
    _resources(elem, _rsc_list(tree), ends=("rsc",), qualifier="role")
    return Draft(elem, "constraints", "", object_id=ident)


BUILDERS = {
    "location": location,
    "colocation": colocation,
    "order": order,
    "rsc_ticket": rsc_ticket,
}
