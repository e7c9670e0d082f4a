"""Everything that is not a node, resource or constraint: property sets and defaults, the
fencing topology, tags, alerts, ACLs and the `xml` escape hatch."""

from __future__ import annotations

import copy
from collections import defaultdict

from lark import Token, Tree

from crmshell.lang import checks
from crmshell.lang import vocabulary as vocab
from crmshell.lang.build_parts import (E, Draft, attr_set, nvpair_element, object_id, rule_element,
                                 sub, token_of)
from crmshell.lang.errors import DefinitionError

_SECTIONS = {"property": "crm_config", "rsc_defaults": "rsc_defaults",
             "op_defaults": "op_defaults"}
_SET_TAGS = {"property": "cluster_property_set", "rsc_defaults": "meta_attributes",
             "op_defaults": "meta_attributes"}


def _option_set(kind: str):
    def build(tree: Tree, context) -> Draft:
        elem = E(_SET_TAGS[kind])
        for part in tree.children[1:]:
            if isinstance(part, Tree):
                elem.append(rule_element(part))
            elif part.type == "SETNAME":
                elem.set("id", part[:-1])
            elif part.type in ("SET_ID", "SET_IDREF"):
                elem.set("id" if part.type == "SET_ID" else "id-ref", part.split("=", 1)[1])
            else:
                elem.append(nvpair_element(part))
        if "id" not in elem.attrib:
            elem.set("id", vocab.DEFAULT_SET_IDS[kind])
        return Draft(elem, _SECTIONS[kind], object_id=elem.get("id"))
    return build


def fencing_topology(tree: Tree, context) -> Draft:
    levels: list[tuple[object, str]] = []
    target: object = None
    for token in tree.children[1:]:
        if token.type == "FT_ATTR":
            name, _, value = token[len("attr:"):].partition("=")
            target = (name, value)
        elif token.type == "FT_PATTERN":
            target = (None, token[len("pattern:"):])
        elif token.type == "FT_TARGET":
            target = str(token[:-1])
        else:
            levels.append((target, str(token)))
    if levels and levels[0][0] is None:
        # no target given first: every level applies to every node
        if context.configuration is None:
            raise DefinitionError("fencing_topology without targets needs the CIB's node list",
                                  object_id="fencing_topology")
        levels = [(name, devices) for name in sorted(context.node_names())
                  for _target, devices in levels]
    elem = E("fencing-topology")
    index: defaultdict = defaultdict(lambda: 1)
    for target, devices in levels:
        if isinstance(target, tuple):
            key = target[0] if target[0] is not None else target[1]
            level = sub(elem, "fencing-level", ("index", str(index[key])), ("devices", devices))
            if target[0] is None:
                level.set("target-pattern", target[1])
            else:
                level.set("target-attribute", target[0])
                level.set("target-value", target[1])
        else:
            key = target
            sub(elem, "fencing-level", ("target", target), ("index", str(index[key])),
                ("devices", devices))
        index[key] += 1
    return Draft(elem, "fencing-topology", "fencing", object_id="fencing_topology")


def tag(tree: Tree, context) -> Draft:
    ident = str(token_of(tree, "TAG_ID")).rstrip(":")
    elem = E("tag", ("id", ident))
    for token in tree.children[2:]:
        sub(elem, "obj_ref", ("id", str(token)))
    return Draft(elem, "tags", "tag", object_id=ident)


def alert(tree: Tree, context) -> Draft:
    ident = object_id(token_of(tree, "OBJ_ID"))
    elem = E("alert", ("id", ident), ("path", str(token_of(tree, "ALERT_PATH"))),
             ("description", _description(tree)))
    count = 0
    for part in tree.children:
        if not isinstance(part, Tree):
            continue
        if part.data == "alert_set":
            elem.append(_alert_set(part))
        elif part.data == "select":
            _select(elem, part)
        else:
            count += 1
            recipient = sub(elem, "recipient", ("id", f"{ident}-recipient-{count}"),
                            ("value", str(token_of(part, "RECIPIENT_VALUE"))),
                            ("description", _description(part)))
            for child in part.children:
                if isinstance(child, Tree):
                    recipient.append(_alert_set(child))
    return Draft(elem, "alerts", "alert", object_id=ident)


def _alert_set(tree: Tree):
    keyword, attr_list = tree.children
    tag_name = "instance_attributes" if keyword.lower() == "attributes" else "meta_attributes"
    return attr_set(tag_name, attr_list.children)


def _select(alert_elem, tree: Tree) -> None:
    selectors = tree.children[1:]
    if not selectors:
        return
    select = sub(alert_elem, "select")
    for selector in selectors:
        if isinstance(selector, Token):
            sub(select, f"select_{selector.lower()}")
            continue
        attributes = sub(select, "select_attributes")
        for name in selector.children[2:-1]:
            sub(attributes, "attribute", ("name", str(name)))


def _description(tree: Tree) -> str | None:
    token = token_of(tree, "DESCRIPTION")
    return token.split("=", 1)[1] if token is not None else None


def role(tree: Tree, context) -> Draft:
    ident = object_id(token_of(tree, "OBJ_ID"))
    elem = E("acl_role", ("id", ident), ("description", _description(tree)))
    for permission in tree.children:
        if isinstance(permission, Tree):
            elem.extend(_permissions(permission))
    return Draft(elem, "acls", "", object_id=ident)


def _permissions(tree: Tree) -> list:
    kind = tree.children[0].lower()
    head = E("acl_permission", ("kind", kind))
    given = token_of(tree, "SETNAME", "SET_ID")
    if given is not None:
        head.set("id", given[:-1] if given.type == "SETNAME" else given.split("=", 1)[1])
    description = _description(tree)
    if description is not None:
        head.set("description", description)
    specs: dict[str, str] = {}
    for token in tree.children:
        if isinstance(token, Token) and token.type == "ACL_SPEC":
            name, value = checks.acl_spec(None, token, old=False)
            specs[name] = value
    out = []
    for name in ("xpath", "reference", "object-type"):
        if name in specs:
            permission = copy.deepcopy(head)
            permission.set(name, specs[name])
            if name == "object-type" and "attribute" in specs:
                permission.set("attribute", specs["attribute"])
            out.append(permission)
    return out


def user(tree: Tree, context) -> Draft:
    ident = object_id(token_of(tree, "OBJ_ID"))
    elem = E("acl_user", ("id", ident))
    for part in tree.children[2:]:
        if isinstance(part, Token):
            sub(elem, "role_ref", ("id", part.split(":", 1)[1]))
            continue
        rule = sub(elem, part.children[0].lower())
        for token in part.children[1:]:
            name, value = checks.acl_spec(None, token, old=True)
            rule.set(name, value)
    return Draft(elem, "acls", "", object_id=ident)


def acl_members(tree: Tree, context) -> Draft:
    tag_name = "acl_target" if tree.data == "acl_target_def" else "acl_group"
    ident = object_id(token_of(tree, "OBJ_ID"))
    elem = E(tag_name, ("id", ident))
    for token in tree.children[2:]:
        sub(elem, "role", ("id", str(token)))
    return Draft(elem, "acls", "", object_id=ident)


def xml(tree: Tree, context) -> Draft:
    from crmshell.lang.xmldata import parse_xml_definition

    elem = parse_xml_definition(str(token_of(tree, "XML_DATA")))
    kind, section = vocab.XML_TAGS[elem.tag]
    if elem.tag in ("rsc_defaults", "op_defaults"):
        inner = elem.find("meta_attributes")
        if inner is None:
            raise DefinitionError(f"<{elem.tag}> holds no <meta_attributes>")
        elem = inner
    if elem.tag in ("cluster_property_set", "meta_attributes") and not elem.get("id"):
        elem.set("id", vocab.DEFAULT_SET_IDS[kind])
    ident = elem.get("uname") if elem.tag == "node" else elem.get("id")
    if elem.tag == "fencing-topology":
        ident = "fencing_topology"
    draft = Draft(elem, section, _XML_PREFIX.get(elem.tag, ""), object_id=ident, kind=kind)
    if elem.tag in ("group", "clone", "master", "bundle"):
        # resources given inline replace the existing ones of the same id (crmsh moves the
        # inline version in); `place` checks they are free to move
        for child in elem:
            if child.tag in ("primitive", "group") and child.get("id"):
                existing = context.find(child.get("id"))
                if existing is not None and existing.tag == child.tag:
                    draft.replaces.append(existing)
    return draft


_XML_PREFIX = {"node": "node", "primitive": "rsc", "template": "rsc", "master": "grp",
               "group": "grp", "clone": "grp", "rsc_location": "location",
               "fencing-topology": "fencing"}


BUILDERS = {
    "property": _option_set("property"),
    "rsc_defaults": _option_set("rsc_defaults"),
    "op_defaults": _option_set("op_defaults"),
    "fencing_topology": fencing_topology,
    "tag": tag,
    "alert": alert,
    "role": role,
    "user": user,
    "acl_target": acl_members,
    "acl_group": acl_members,
    "xml": xml,
}
