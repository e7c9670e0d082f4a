"""Nodes and resources: node, primitive, rsc_template, group, clone, ms, bundle, monitor."""

from __future__ import annotations

from lark import Token, Tree

from crmshell.lang import vocabulary as vocab
from crmshell.lang.build_parts import (E, Draft, attr_set, nvpair_element, object_id, sub,
                                 token_of)
from crmshell.lang.checks import op_id_token, op_inline_pairs
from crmshell.lang.nvpairs import split_nvpair

_SET_TAGS = {"params": "instance_attributes", "meta": "meta_attributes",
             "utilization": "utilization", "attributes": "instance_attributes",
             "op_params": "instance_attributes", "op_meta": "meta_attributes"}


def _keyword_set(tree: Tree):
    keyword, attr_list = tree.children
    return attr_set(_SET_TAGS[keyword.lower()], attr_list.children)


def node(tree: Tree, context) -> Draft:
    ident = token_of(tree, "SETNAME", "SET_ID")
    uname = str(token_of(tree, "UNAME"))
    if uname.startswith("id="):
        uname = uname[3:]
    name, _, node_type = uname.partition(":")
    ident_value = None
    if ident is not None:
        ident_value = ident[:-1] if ident.type == "SETNAME" else ident.split("=", 1)[1]
    elem = E("node", ("id", ident_value), ("uname", name), ("type", node_type.lower() or None),
             ("description", _description(tree)))
    _simple_sets(elem, tree)
    return Draft(elem, "nodes", "node", object_id=name)


def _description(tree: Tree) -> str | None:
    token = token_of(tree, "DESCRIPTION")
    return token.split("=", 1)[1] if token is not None else None


def _agent(token: Token, context) -> list[tuple[str, str | None]]:
    parts = str(token).split(":")
    if len(parts) == 3:
        klass, provider, agent = parts
    elif len(parts) == 2:
        klass, agent = parts
        provider = context.provider(agent) if klass == "ocf" else ""
    else:
        klass, agent = "ocf", parts[0]
        provider = context.provider(agent)
    return [("class", klass or None), ("provider", provider or None), ("type", agent or None)]


def primitive(tree: Tree, context) -> Draft:
    tag = "template" if tree.data == "template_def" else "primitive"
    ident = object_id(token_of(tree, "OBJ_ID"))
    template = token_of(tree, "TEMPLATE_REF")
    if template is not None:
        head = [("id", ident), ("template", template[1:])]
    else:
        head = [("id", ident)] + _agent(token_of(tree, "RA_TYPE"), context)
    elem = E(tag, *head, ("description", _description(tree)))
    operations = None
    for child in tree.children:
        if not isinstance(child, Tree):
            continue
        if child.data == "op":
            if operations is None:
                operations = sub(elem, "operations")
            operations.append(_op(child))
            continue
        operations = None
        if child.data == "operations":
            spec = child.children[1]
            operations = sub(elem, "operations")
            operations.set("id-ref" if spec.type == "SET_IDREF" else "id", spec.split("=", 1)[1])
        elif child.data == "implicit_attrs":
            elem.append(attr_set("instance_attributes", child.children))
        else:
            elem.append(_keyword_set(child))
    return Draft(elem, "resources", "rsc", object_id=ident)


def _op(tree: Tree):
    name = str(tree.children[1])
    op = E("op", ("name", name))
    instance = None
    has_interval = False
    own_id = op_id_token(tree)
    if own_id is not None:
        op.set("id", own_id.split("=", 1)[1])
    for part in op_inline_pairs(tree):
        pair = split_nvpair(part)
        if pair.name in vocab.OP_ATTRIBUTES and pair.idref is None:
            op.set(pair.name, pair.value if pair.value is not None else "")
            has_interval = has_interval or pair.name == "interval"
        else:
            if instance is None:
                instance = sub(op, "instance_attributes")
            instance.append(nvpair_element(part))
    if not has_interval:
        op.set("interval", "0")
    for part in tree.children[2:]:
        if isinstance(part, Tree):
            if part.data == "op_implicit":
                if own_id is not None:
                    continue
                op.append(attr_set("instance_attributes", part.children))
            else:
                op.append(_keyword_set(part))
    return op


def group(tree: Tree, context) -> Draft:
    ident = object_id(token_of(tree, "OBJ_ID"))
    elem = E("group", ("id", ident), ("description", _description(tree)))
    _simple_sets(elem, tree)
    members = [str(t) for t in tree.children if isinstance(t, Token) and t.type == "GROUP_MEMBER"]
    for member in members:
        sub(elem, "crmsh-ref", ("id", member))
    return Draft(elem, "resources", "grp", members, object_id=ident)


def clone(tree: Tree, context) -> Draft:
    tag = "clone" if tree.data == "clone_def" else "master"
    ident = object_id(token_of(tree, "OBJ_ID"))
    elem = E(tag, ("id", ident), ("description", _description(tree)))
    _simple_sets(elem, tree)
    child = str(token_of(tree, "CHILD_RSC"))
    sub(elem, "crmsh-ref", ("id", child))
    return Draft(elem, "resources", "grp", [child], object_id=ident)


def _simple_sets(elem, tree: Tree) -> None:
    """The attribute sets of a node, group, clone or ms (the implicit first one is params)."""
    for child in tree.children:
        if isinstance(child, Tree):
            if child.data == "implicit_attrs":
                elem.append(attr_set("instance_attributes", child.children))
            else:
                elem.append(_keyword_set(child))


def bundle(tree: Tree, context) -> Draft:
    ident = object_id(token_of(tree, "OBJ_ID"))
    elem = E("bundle", ("id", ident), ("description", _description(tree)))
    members: list[str] = []
    for item in tree.children:
        if not isinstance(item, Tree):
            continue
        if item.data == "bundle_primitive":
            member = str(item.children[1])
            members.append(member)
            sub(elem, "crmsh-ref", ("id", member))
        elif item.data == "bundle_meta":
            elem.append(attr_set("meta_attributes", item.children[1].children))
        else:
            _container(elem, item)
    return Draft(elem, "resources", "", members, object_id=ident)


def _container(bundle_elem, item: Tree) -> None:
    """docker/rkt/podman, network, storage: options as attributes, mappings as children."""
    tag = item.children[0].lower()
    existing = bundle_elem.find(tag)
    container = existing if existing is not None else E(tag)
    bundle_elem.append(container)
    for part in item.children[1:]:
        if isinstance(part, Token):
            name, _, value = part.partition("=")
            container.set(name, value)
            continue
        mapping = sub(container, part.children[0].lower())
        for option in part.children[1:]:
            name, _, value = option.partition("=")
            mapping.set(name, value)


def monitor(tree: Tree, context) -> Draft:
    rsc, _, role = str(token_of(tree, "MON_RSC")).partition(":")
    interval, _, timeout = str(token_of(tree, "MON_INTERVAL")).partition(":")
    op = E("op", ("name", "monitor"))
    if role:
        if role.isdigit():
            op.set("instance", role)
        else:
            op.set("role", vocab.canonical(role, vocab.ROLES))
    op.set("interval", interval)
    if timeout:
        op.set("timeout", timeout)
    return Draft(op, "resources", rsc, target=rsc, object_id=rsc)


BUILDERS = {
    "node": node,
    "primitive": primitive,
    "rsc_template": primitive,
    "group": group,
    "clone": clone,
    "ms": clone,
    "bundle": bundle,
    "monitor": monitor,
}
