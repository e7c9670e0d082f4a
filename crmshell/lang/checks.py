"""What the grammar cannot say: checks on a parsed definition that still belong to syntax.

crmsh refuses these while parsing (a group naming a member twice, `and` mixed with `or` in
one rule, an unbalanced resource set, an ACL shortcut with too many parts, ...), so they are
ParseErrors here too, pointing at the word at fault. `check` also works out the statement's
kind and the id of the object it defines.
"""

from __future__ import annotations

import re
from typing import Callable

from lark import Token, Tree

from crmshell.lang import vocabulary as vocab
from crmshell.lang.errors import ParseError
from crmshell.lang.words import Logical

_KIND_OF_RULE = {
    "node_def": "node", "primitive_def": "primitive", "template_def": "rsc_template",
    "group_def": "group", "clone_def": "clone", "ms_def": "ms", "bundle_def": "bundle",
    "location_def": "location", "colocation_def": "colocation", "order_def": "order",
    "ticket_def": "rsc_ticket", "property_def": "property", "rsc_defaults_def": "rsc_defaults",
    "op_defaults_def": "op_defaults", "fencing_def": "fencing_topology", "tag_def": "tag",
    "alert_def": "alert", "role_def": "role", "user_def": "user",
    "acl_target_def": "acl_target", "acl_group_def": "acl_group", "xml_def": "xml",
    "monitor_def": "monitor",
}


class _Context:
    def __init__(self, logical: Logical) -> None:
        self.logical = logical

    def fail(self, token: Token | None, message: str) -> ParseError:
        offset = token.start_pos if token is not None else 0
        line, column = self.logical.position(offset or 0)
        found = str(token) if token is not None else None
        return ParseError(message, source=self.logical.source, line=line, column=column,
                          found=found, statement=self.logical.text)


def check(definition: Tree, logical: Logical) -> tuple[str, str | None]:
    """Check a definition; returns (kind, id). Raises ParseError."""
    ctx = _Context(logical)
    kind = _KIND_OF_RULE[definition.data]
    for sub in definition.iter_subtrees():
        checker = _SUBTREE_CHECKS.get(sub.data)
        if checker is not None:
            checker(sub, ctx)
    ident = _IDENTIFY[kind](definition, ctx)
    return kind, ident


# -- helpers -------------------------------------------------------------------------------
def tokens(tree: Tree, *types: str) -> list[Token]:
    return [c for c in tree.children if isinstance(c, Token) and (not types or c.type in types)]


def first(tree: Tree, *types: str) -> Token | None:
    for child in tree.children:
        if isinstance(child, Token) and child.type in types:
            return child
    return None


def object_id(token: Token) -> str:
    value = str(token)
    return value[3:] if value.startswith("id=") else value


def _valid_id(ctx: _Context, token: Token, value: str, what: str = "id") -> str:
    if not vocab.VALID_ID.fullmatch(value):
        raise ctx.fail(token, f"'{value}' is not a valid {what}: an id starts with a letter or "
                              "'_' and holds only letters, digits, '.', '_' and '-'")
    return value


# -- kind and id ---------------------------------------------------------------------------
def _id_of_object(definition: Tree, ctx: _Context) -> str:
    token = first(definition, "OBJ_ID")
    return _valid_id(ctx, token, object_id(token))


def _id_of_node(definition: Tree, ctx: _Context) -> str:
    uname = str(first(definition, "UNAME"))
    if uname.startswith("id="):
        uname = uname[3:]
    name, _, _type = uname.partition(":")
    return name


def _id_of_set(kind: str) -> Callable[[Tree, _Context], str]:
    def identify(definition: Tree, ctx: _Context) -> str:
        head = first(definition, "SETNAME", "SET_ID", "SET_IDREF")
        if head is None:
            return vocab.DEFAULT_SET_IDS[kind]
        value = str(head)
        value = value[:-1] if head.type == "SETNAME" else value.split("=", 1)[1]
        return _valid_id(ctx, head, value)
    return identify


def _id_of_tag(definition: Tree, ctx: _Context) -> str:
    token = first(definition, "TAG_ID")
    return _valid_id(ctx, token, str(token).rstrip(":"))


def _id_of_monitor(definition: Tree, ctx: _Context) -> str:
    token = first(definition, "MON_RSC")
    parts = str(token).split(":")
    if len(parts) > 2:
        raise ctx.fail(token, f"expected <resource>[:<role>], found '{token}'")
    if len(parts) == 2 and parts[1] and not parts[1].isdigit() \
            and vocab.canonical(parts[1], vocab.ROLES) is None:
        raise ctx.fail(token, f"'{parts[1]}' is not a role ({', '.join(vocab.ROLES)})")
    interval = first(definition, "MON_INTERVAL")
    if len(str(interval).split(":")) > 2:
        raise ctx.fail(interval, f"expected <interval>[:<timeout>], found '{interval}'")
    return parts[0]


def _id_of_xml(definition: Tree, ctx: _Context) -> str | None:
    from crmshell.lang.xmldata import parse_xml_definition

    token = first(definition, "XML_DATA")
    try:
        elem = parse_xml_definition(str(token))
    except ValueError as exc:
        raise ctx.fail(token, str(exc)) from None
    if elem.tag == "node":
        return elem.get("uname") or elem.get("id")
    if elem.tag == "fencing-topology":
        return "fencing_topology"
    if elem.tag in ("rsc_defaults", "op_defaults"):
        inner = elem.find("meta_attributes")
        ident = inner.get("id") if inner is not None else None
        return ident or vocab.DEFAULT_SET_IDS[elem.tag]
    if elem.tag == "cluster_property_set":
        return elem.get("id") or vocab.DEFAULT_SET_IDS["property"]
    return elem.get("id")


_IDENTIFY: dict[str, Callable[[Tree, _Context], str | None]] = {
    "node": _id_of_node,
    "property": _id_of_set("property"),
    "rsc_defaults": _id_of_set("rsc_defaults"),
    "op_defaults": _id_of_set("op_defaults"),
    "fencing_topology": lambda definition, ctx: "fencing_topology",
    "tag": _id_of_tag,
    "monitor": _id_of_monitor,
    "xml": _id_of_xml,
}
for _kind in ("primitive", "rsc_template", "group", "clone", "ms", "bundle", "location",
              "colocation", "order", "rsc_ticket", "alert", "role", "user", "acl_target",
              "acl_group"):
    _IDENTIFY[_kind] = _id_of_object


# -- subtree checks ------------------------------------------------------------------------
def _check_ra_type(tree: Tree, ctx: _Context) -> None:
    token = first(tree, "RA_TYPE")
    if token is None:
        return
    parts = str(token).split(":")
    if len(parts) > 3 or not parts[-1]:
        raise ctx.fail(token, f"'{token}' is not a resource agent: expected [class:[provider:]]type")
    if len(parts) == 3 and parts[0] == "ocf" and not parts[1]:
        raise ctx.fail(token, f"'{token}' names no provider: expected ocf:<provider>:<type>")
    if not all(parts[:-1]) and len(parts) == 2:
        raise ctx.fail(token, f"'{token}' names no class: expected [class:[provider:]]type")


def _check_group(tree: Tree, ctx: _Context) -> None:
    seen: set[str] = set()
    for token in tokens(tree, "GROUP_MEMBER"):
        if str(token) in seen:
            raise ctx.fail(token, f"group member '{token}' is listed more than once")
        seen.add(str(token))


def _check_op(tree: Tree, ctx: _Context) -> None:
    """Op attributes first, then the few parameters an op takes inline; a name that is
    neither is refused with the closest op attribute, as `interva=10s` would otherwise
    silently become a parameter and leave the op with interval 0."""
    instance: Token | None = None
    for token in op_inline_pairs(tree):
        name = nvpair_name(token)
        if name in vocab.OP_ATTRIBUTES:
            if instance is not None:
                raise ctx.fail(token, f"operation attribute '{name}' must come before the "
                                      f"instance attributes ('{instance}')")
            continue
        if name is not None and name not in vocab.OP_PARAMETERS:
            raise ctx.fail(token, _unknown_op_attribute(name))
        if instance is None:
            instance = token


def _unknown_op_attribute(name: str) -> str:
    import difflib

    known = sorted(vocab.OP_ATTRIBUTES - {"id", "name"}) + sorted(vocab.OP_PARAMETERS)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else \
        f" (one of {', '.join(known)}; other parameters go in op_params)"
    return f"'{name}' is not an operation attribute{hint}"


_NVPAIR_TYPES = ("NVPAIR", "NVPAIR_ID", "NVPAIR_REF", "NVKEY")


def op_id_token(tree: Tree) -> Token | None:
    """`op monitor $id=NAME ...`: the `$id=` that names the op itself.

    The grammar reads a `$id=` after the op name as the start of an attribute set (crmsh's
    older form, which also takes a score or rules); without those it is the op's own id, and
    the pairs after it are the op's inline pairs."""
    implicit = _op_implicit(tree)
    if implicit is None:
        return None
    head, *rest = implicit.children
    if not isinstance(head, Token) or head.type != "SET_ID":
        return None
    plain = all(isinstance(c, Token) and c.type in _NVPAIR_TYPES for c in rest)
    return head if plain else None


def _op_implicit(tree: Tree) -> Tree | None:
    return next((c for c in tree.children if isinstance(c, Tree) and c.data == "op_implicit"),
                None)


def op_inline_pairs(tree: Tree) -> list[Token]:
    """The name=value words of an op before any attribute set (see `op_id_token`)."""
    pairs = tokens(tree, *_NVPAIR_TYPES)
    if op_id_token(tree) is not None:
        pairs += _op_implicit(tree).children[1:]
    return pairs


def nvpair_name(token: Token) -> str | None:
    """The name an nvpair word sets (None for a bare `@ref`)."""
    from crmshell.lang.nvpairs import split_nvpair

    return split_nvpair(token).name


def _check_rule(tree: Tree, ctx: _Context) -> None:
    ops = tokens(tree, "BOOL_OP")
    for token in ops[1:]:
        if str(token).lower() != str(ops[0]).lower():
            raise ctx.fail(token, f"a rule cannot mix '{ops[0]}' and '{token}': use one rule "
                                  "per combination")


def _check_date(tree: Tree, ctx: _Context) -> None:
    operation = tree.children[1]
    pairs = tokens(tree, "DATE_KV")
    if str(operation).lower() in ("in", "in_range") and len(pairs) < 2:
        raise ctx.fail(operation, "'date in' needs start= and end= or a duration "
                                  "(start=<date> years=<n> ...)")
    if str(operation).lower() in ("spec", "date_spec"):
        for token in pairs:
            name = str(token).split("=", 1)[0]
            if name in vocab.DATE_RANGE_ATTRS:
                raise ctx.fail(token, f"'date spec' takes date fields (hours=, weekdays=, ...), "
                                      f"not {name}=")


def _check_rsc_list(tree: Tree, ctx: _Context, *, qualifier: str, simple_count: int) -> None:
    items = tree.children
    simple = simple_count and len(items) == simple_count and all(t.type == "RSET_RSC" for t in items)
    opened: Token | None = None
    members = 0
    for token in items:
        kind = token.type
        if kind in ("LPAR", "LSQB"):
            if opened is not None:
                raise ctx.fail(token, "resource sets cannot be nested")
            opened, members = token, 0
        elif kind in ("RPAR", "RSQB"):
            if opened is None:
                raise ctx.fail(token, f"'{token}' closes no resource set")
            if (opened.type, kind) not in (("LPAR", "RPAR"), ("LSQB", "RSQB")):
                raise ctx.fail(token, f"'{token}' does not close '{opened}'")
            if not members:
                raise ctx.fail(token, "empty resource set")
            opened = None
        elif kind == "SETATTR":
            name, _, value = str(token).partition("=")
            if name in _TAIL_VALUES:
                raise ctx.fail(token, f"'{value}' is not a valid {name} ({_TAIL_VALUES[name]}), "
                                      "and it must come last")
            if name not in vocab.SET_ATTRIBUTES:
                raise ctx.fail(token, f"unknown resource set attribute '{name}' "
                                      "(sequential or require-all)")
            if not vocab.is_boolean(value):
                raise ctx.fail(token, f"'{value}' is not a boolean (true or false)")
        elif kind == "RSET_RSC":
            members += 1
            _check_reference(ctx, token, qualifier, allow_instance=simple)
    if opened is not None:
        raise ctx.fail(opened, f"'{opened}' is never closed")


_TAIL_VALUES = {"loss-policy": "stop, demote, fence or freeze",
                "symmetrical": "true or false", "node-attribute": "a node attribute name"}


def _check_reference(ctx: _Context, token: Token, qualifier: str, *, allow_instance: bool) -> None:
    parts = str(token).split(":")
    if len(parts) > 2:
        raise ctx.fail(token, f"expected <resource>[:<{qualifier}>], found '{token}'")
    if len(parts) < 2 or not parts[1]:
        return
    names = vocab.ROLES if qualifier == "role" else vocab.ACTIONS
    if vocab.canonical(parts[1], names) is None and not (allow_instance and parts[1].isdigit()):
        raise ctx.fail(token, f"'{parts[1]}' is not a valid {qualifier} for '{parts[0]}' "
                              f"({', '.join(names)})")


def _rsc_list_checker(kind_rule: str) -> Callable[[Tree, _Context], None]:
    qualifier = "action" if kind_rule == "order_def" else "role"
    simple_count = 1 if kind_rule == "ticket_def" else 2

    def checker(tree: Tree, ctx: _Context) -> None:
        score = first(tree, "SCORE")
        if kind_rule == "order_def" and score is not None:
            from crmshell.lang.build_constraints import order_kind
            try:
                order_kind(score[:-1])
            except ValueError as exc:
                raise ctx.fail(score, str(exc)) from None
        rsc_list = next(c for c in tree.children if isinstance(c, Tree) and c.data == "rsc_list")
        _check_rsc_list(rsc_list, ctx, qualifier=qualifier, simple_count=simple_count)
    return checker


def _check_location_set(tree: Tree, ctx: _Context) -> None:
    inner = Tree("rsc_list", [t for t in tree.children if t.type not in ("LBRACE", "RBRACE")])
    _check_rsc_list(inner, ctx, qualifier="role", simple_count=0)


def _check_permission(tree: Tree, ctx: _Context) -> None:
    seen: dict[str, str] = {}
    for token in tokens(tree, "ACL_SPEC"):
        kind, value = acl_spec(ctx, token, old=False)
        seen[kind] = value
    if "attribute" in seen and "object-type" not in seen:
        raise ctx.fail(first(tree, "READ", "WRITE", "DENY"),
                       "attr: is only valid together with tag: (or type:)")


def _check_old_rule(tree: Tree, ctx: _Context) -> None:
    for token in tokens(tree, "ACL_SPEC"):
        acl_spec(ctx, token, old=True)


def acl_spec(ctx: _Context | None, token: Token, *, old: bool) -> tuple[str, str]:
    """(attribute, value) of an ACL spec word, shortcuts expanded to xpath."""
    kind, sep, value = str(token).partition(":")
    if kind in vocab.ACL_SHORTCUTS:
        xpath = vocab.expand_acl_shortcut(kind, value if sep else None)
        if xpath is None:
            raise _fail(ctx, token, f"ACL shortcut '{kind}' does not take '{value}'"
                        if sep else f"ACL shortcut '{kind}' needs an argument ({kind}:<name>)")
        return "xpath", xpath
    if old:
        if kind not in vocab.OLD_ACL_SPECS:
            raise _fail(ctx, token, f"'{kind}:' is not valid in a user's rule "
                                    f"({', '.join(vocab.OLD_ACL_SPECS)} or a shortcut)")
        attribute = kind
    else:
        attribute = vocab.ACL_SPECS[kind]
    if not sep or not value:
        raise _fail(ctx, token, f"expected {kind}:<value>, found '{token}'")
    return attribute, value


def _fail(ctx: _Context | None, token: Token, message: str) -> Exception:
    return ctx.fail(token, message) if ctx is not None else ValueError(message)


_XML_NAME = re.compile(r"[A-Za-z_][\w.-]*")


def _attribute_names(tree: Tree, ctx: _Context) -> None:
    """Words that become XML attribute names (location attributes, bundle options)."""
    for token in tokens(tree, "LOC_ATTR", "NVPAIR"):
        name = str(token).split("=", 1)[0].lstrip("$")
        if not _XML_NAME.fullmatch(name):
            raise ctx.fail(token, f"'{name}' is not a valid attribute name")


def _check_explicit_ids(tree: Tree, ctx: _Context) -> None:
    for token in tokens(tree, "SET_ID"):
        _valid_id(ctx, token, str(token).split("=", 1)[1])


_SUBTREE_CHECKS: dict[str, Callable[[Tree, _Context], None]] = {
    "primitive_def": _check_ra_type,
    "template_def": _check_ra_type,
    "group_def": _check_group,
    "op": _check_op,
    "rule": _check_rule,
    "date_exp": _check_date,
    "colocation_def": _rsc_list_checker("colocation_def"),
    "order_def": _rsc_list_checker("order_def"),
    "ticket_def": _rsc_list_checker("ticket_def"),
    "location_set": _check_location_set,
    "location_def": _attribute_names,
    "container": _attribute_names,
    "network": _attribute_names,
    "storage": _attribute_names,
    "mapping": _attribute_names,
    "permission": _check_permission,
    "old_acl_rule": _check_old_rule,
    "attr_list": _check_explicit_ids,
    "implicit_attrs": _check_explicit_ids,
    "op_implicit": _check_explicit_ids,
}
