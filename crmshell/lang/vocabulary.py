"""The fixed names of the language: roles, actions, op attributes, date fields, ACL shortcuts.

These are what Pacemaker's schema (pacemaker-3.9) and crmsh accept; crmsh reads most of them
from the schema at run time, we keep them here. Pacemaker 2 and 3 role names are both valid
and are written as the user wrote them (case aside).
"""

from __future__ import annotations

import re

VALID_ID = re.compile(r"[A-Za-z_][\w.-]*")

ROLES = ("Stopped", "Started", "Promoted", "Unpromoted", "Master", "Slave")
ACTIONS = ("start", "promote", "demote", "stop")
ORDER_KINDS = ("Optional", "Mandatory", "Serialize")
SCORE_WORDS = {"advisory": "0", "mandatory": "INFINITY"}
NUMERIC_SCORE = re.compile(r"[+-]?(inf(inity)?|INF(INITY)?|[0-9]+)")

# <op> attributes; any other name=value after `op <name>` is an instance attribute.
OP_ATTRIBUTES = frozenset({"id", "name", "interval", "description", "start-delay",
                           "interval-origin", "timeout", "enabled", "record-pending", "role",
                           "on-fail"})
# The instance attributes an op may take inline (`op monitor OCF_CHECK_LEVEL=10`); any other
# name there is far more often a misspelt op attribute than a parameter, so it is refused
# (other parameters still go through `op_params`).
OP_PARAMETERS = frozenset({"OCF_CHECK_LEVEL"})

DATE_RANGE_ATTRS = ("start", "end")
DATE_OPERATIONS = {"lt": "lt", "gt": "gt", "in": "in_range", "in_range": "in_range",
                   "spec": "date_spec", "date_spec": "date_spec"}

BOOLEAN_TRUE = ("yes", "true", "on", "1")
BOOLEAN_FALSE = ("no", "false", "off", "0")
SET_ATTRIBUTES = {"sequential": "sequential", "require-all": "require-all"}

# ACL: `type:value` specs of Pacemaker 2 ACLs (acl_permission) and of the old acl_user rules.
ACL_SPECS = {"xpath": "xpath", "ref": "reference", "reference": "reference",
             "tag": "object-type", "type": "object-type", "attr": "attribute",
             "attribute": "attribute"}
OLD_ACL_SPECS = ("xpath", "ref", "tag", "attribute")
# shortcut -> xpath pieces; each "@@" takes the next ":"-separated part of the value, and a
# piece without "@@" is copied before the next one is filled in.
ACL_SHORTCUTS: dict[str, tuple[str, ...]] = {
    "meta": ("//primitive[@id='@@']/meta_attributes", "/nvpair[@name='@@']"),
    "params": ("//primitive[@id='@@']/instance_attributes", "/nvpair[@name='@@']"),
    "utilization": ("//primitive[@id='@@']/utilization",),
    "location": ("//rsc_location[@id='cli-prefer-@@' and @rsc='@@']",),
    "property": ("//crm_config/cluster_property_set", "/nvpair[@name='@@']"),
    "nodeattr": ("//nodes/node/instance_attributes", "/nvpair[@name='@@']"),
    "nodeutil": ("//nodes/node/utilization", "[@uname='@@']"),
    "node": ("//nodes/node", "[@uname='@@']"),
    "status": ("/cib/status",),
    "cib": ("/cib",),
}

# Elements the `xml` escape hatch may define: tag -> (kind, section of <configuration>).
XML_TAGS: dict[str, tuple[str, str]] = {
    "node": ("node", "nodes"),
    "primitive": ("primitive", "resources"),
    "group": ("group", "resources"),
    "clone": ("clone", "resources"),
    "master": ("ms", "resources"),
    "template": ("rsc_template", "resources"),
    "bundle": ("bundle", "resources"),
    "rsc_location": ("location", "constraints"),
    "rsc_colocation": ("colocation", "constraints"),
    "rsc_order": ("order", "constraints"),
    "rsc_ticket": ("rsc_ticket", "constraints"),
    "cluster_property_set": ("property", "crm_config"),
    "rsc_defaults": ("rsc_defaults", "rsc_defaults"),
    "op_defaults": ("op_defaults", "op_defaults"),
    "acl_target": ("acl_target", "acls"),
    "acl_group": ("acl_group", "acls"),
    "acl_user": ("user", "acls"),
    "acl_role": ("role", "acls"),
    "fencing-topology": ("fencing_topology", "fencing-topology"),
    "tag": ("tag", "tags"),
    "alert": ("alert", "alerts"),
}

# XML tag of a configuration object -> crmsh's word for its kind.
KIND_OF_TAG: dict[str, str] = {tag: kind for tag, (kind, _section) in XML_TAGS.items()}

# The order crmsh processes objects in (creating a loaded document, deleting in reverse):
# simple objects before the containers and constraints that name them.
PROCESSING_ORDER: dict[str, int] = {kind: rank for rank, kinds in enumerate([
    ("node",), ("rsc_template",), ("primitive",), ("bundle",), ("group",), ("ms",), ("clone",),
    ("monitor", "op"), ("tag",), ("location", "colocation", "order"),
    ("rsc_ticket", "fencing_topology"), ("property",), ("rsc_defaults",), ("op_defaults",),
    ("role",), ("acl_target", "acl_group", "user"), ("alert",)]) for kind in kinds}

DEFAULT_SET_IDS = {"property": "cib-bootstrap-options", "rsc_defaults": "rsc-options",
                   "op_defaults": "op-options"}


def canonical(value: str, names: tuple[str, ...]) -> str | None:
    """`value` spelled as in `names`, compared without case; None if it is not there."""
    lowered = value.lower()
    for name in names:
        if name.lower() == lowered:
            return name
    return None


def is_boolean(value: str) -> bool:
    return value.lower() in BOOLEAN_TRUE or value.lower() in BOOLEAN_FALSE


def expand_acl_shortcut(name: str, value: str | None) -> str | None:
    """The xpath a shortcut stands for; None when the value does not fit the shortcut."""
    pieces = ACL_SHORTCUTS[name]
    if value is None:
        return None if "@@" in pieces[0] else pieces[0]
    xpath = []
    index = 0
    for part in value.split(":"):
        if index < len(pieces) and "@@" not in pieces[index]:
            xpath.append(pieces[index])
            index += 1
        if index >= len(pieces):
            return None
        xpath.append(pieces[index].replace("@@", part))
        index += 1
    return "".join(xpath)
