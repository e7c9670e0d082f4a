"""How to name the grammar's terminals to a person, and which definitions exist.

Error messages say what would have fitted ("expected a score or 'rule'"), so each terminal
has a phrase. Some terminals are always possible but rarely what the user is after
(`description=`, `$id=`); they are left out of a message unless nothing else fits.
"""

from __future__ import annotations

# The first words of definitions, aliases included, and the kind each one defines.
DEFINITION_KINDS: dict[str, str] = {
    "node": "node",
    "primitive": "primitive",
    "resource": "primitive",
    "rsc_template": "rsc_template",
    "group": "group",
    "clone": "clone",
    "ms": "ms",
    "master": "ms",
    "bundle": "bundle",
    "location": "location",
    "colocation": "colocation",
    "collocation": "colocation",
    "order": "order",
    "rsc_ticket": "rsc_ticket",
    "property": "property",
    "rsc_defaults": "rsc_defaults",
    "op_defaults": "op_defaults",
    "fencing_topology": "fencing_topology",
    "fencing-topology": "fencing_topology",
    "tag": "tag",
    "alert": "alert",
    "role": "role",
    "user": "user",
    "acl_target": "acl_target",
    "acl_group": "acl_group",
    "xml": "xml",
    "monitor": "monitor",
}

DEFINITION_KEYWORDS: frozenset[str] = frozenset(DEFINITION_KINDS)

# Regular-expression terminals; keywords are described as themselves ('params').
_PHRASES: dict[str, str] = {
    "OBJ_ID": "an identifier",
    "UNAME": "a node name",
    "RA_TYPE": "a resource agent ([class:[provider:]]type)",
    "TEMPLATE_REF": "@<template>",
    "SCORE": "a score",
    "KIND": "a kind (Mandatory:, Optional:, Serialize:)",
    "TICKET": "a ticket (<ticket>:)",
    "RSC": "a resource",
    "RSC_PATTERN": "/<regular expression>/",
    "CHILD_RSC": "a resource",
    "GROUP_MEMBER": "a resource",
    "RSET_RSC": "a resource",
    "TAG_MEMBER": "a resource",
    "BUNDLE_CHILD": "a primitive",
    "NODE_REF": "a node name",
    "NVPAIR": "<name>=<value>",
    "NVPAIR_ID": "$<id>:<name>=<value>",
    "NVPAIR_REF": "@<id>",
    "NVKEY": "<name>",
    "SET_ID": "$id=<id>",
    "SET_IDREF": "$id-ref=<id>",
    "SETNAME": "<id>:",
    "DESCRIPTION": "description=<text>",
    "ROLE_ATTR": "role=<role>",
    "LOC_ATTR": "role=<role> or resource-discovery=<mode>",
    "SETATTR": "sequential=<bool> or require-all=<bool>",
    "SYMMETRICAL": "symmetrical=<bool>",
    "NODE_ATTRIBUTE": "node-attribute=<attribute>",
    "LOSS_POLICY": "loss-policy=stop|demote|fence|freeze",
    "BINOP": "a comparison (lt, gt, lte, gte, eq, ne, optionally typed as in number:lt)",
    "EXPR_ATTR": "an attribute name",
    "EXPR_VALUE": "a value",
    "DATE_VALUE": "a date",
    "DATE_KV": "a date field (start=, end=, hours=, weekdays=, ...)",
    "BOOL_OP": "'and' or 'or'",
    "OP_NAME": "an operation name",
    "TAG_ID": "a tag name",
    "ACL_SPEC": "an ACL target (xpath:, ref:, tag:, attr: or a shortcut such as meta:<rsc>:<name>)",
    "ROLE_REF": "role:<role>",
    "ACL_ROLE_ID": "a role",
    "ALERT_PATH": "the path of the alert agent",
    "RECIPIENT_VALUE": "a recipient",
    "SELECT_ATTR_NAME": "an attribute name",
    "SELECT_ATTRIBUTES": "'attributes'",
    "FT_ATTR": "attr:<name>=<value>",
    "FT_PATTERN": "pattern:<regular expression>",
    "FT_TARGET": "a fencing target (<node>:)",
    "FT_DEVICES": "fencing devices",
    "MON_RSC": "<resource>[:<role>]",
    "MON_INTERVAL": "<interval>[:<timeout>]",
    "XML_DATA": "an XML element",
    "$END": "the end of the statement",
}

# Mentioned only when nothing else fits.
_QUIET = frozenset({"DESCRIPTION", "SET_ID", "SET_IDREF", "ROLE_ATTR", "LOC_ATTR", "NVKEY",
                    "NVPAIR_ID", "NVPAIR_REF", "SETATTR", "RSC_SET_MARK"})


def phrase(name: str, keyword_text: dict[str, str]) -> str:
    if name in keyword_text:
        return f"'{keyword_text[name]}'"
    return _PHRASES.get(name, name.lower())


def describe_expected(names: list[str], keyword_text: dict[str, str]) -> tuple[str, ...]:
    """Distinct phrases for the acceptable terminals, the noisy ones left out if possible."""
    loud = [n for n in names if n not in _QUIET] or list(names)
    # word classes first (a score, a resource), then keywords, then the end of the statement
    loud.sort(key=lambda n: (n == "$END", n in keyword_text))
    if len(loud) > 12 and all(n in keyword_text for n in loud):
        starters = [n for n in loud if keyword_text[n] in DEFINITION_KINDS]
        if len(starters) == len(loud):
            return ("a definition (node, primitive, group, clone, ms, location, colocation, "
                    "order, property, ...)",)
    out: list[str] = []
    for name in loud:
        text = phrase(name, keyword_text)
        if text not in out:
            out.append(text)
    return tuple(out)


def join_alternatives(phrases: tuple[str, ...]) -> str:
    if not phrases:
        return "nothing"
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " or " + phrases[-1]
