"""Resource and node administration on a CIB, as crm_resource and crm_attribute do it.

`resource stop`, `move`, `node standby` and friends are configuration edits: a meta attribute,
a `cli-prefer-`/`cli-ban-` location constraint, a node attribute. On a CIB file they are done
here, with the ids Pacemaker's tools give them, so a file edited offline and one edited on a
live cluster look the same. (Through the node daemon they will be the same patches.)
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from lxml import etree

from crmshell.errors import ShellError
from crmshell.staging import objects as obj
from crmshell.staging.attributes import delete_value, insert_set, set_value

if TYPE_CHECKING:
    from crmshell.staging.staged import StagedCib


# -- resources -------------------------------------------------------------------------------
def resources_named(staged: "StagedCib", names: list[str]) -> list:
    """The resources named, tags standing for their members; every name must resolve."""
    out: list = []
    for name in names:
        elem = staged.find(name)
        if elem is None:
            raise ShellError(f"resource {name} does not exist")
        members = [staged.find(r.get("id")) for r in elem.iterfind("obj_ref")] \
            if elem.tag == "tag" else [elem]
        for member in members:
            if member is None or not obj.is_resource(member) or member.tag == "template":
                raise ShellError(f"{name} is not a resource")
            if member not in out:
                out.append(member)
    return out


def _meta_target(elem):
    """crmsh's rule: a group member keeps its own attribute; anything else goes to the top."""
    if elem.tag == "primitive" and elem.getparent().tag == "group":
        return elem
    while obj.container_of(elem) is not None:
        elem = obj.container_of(elem)
    return elem


def set_meta(staged: "StagedCib", elem, name: str, value: str) -> str:
    """Set a meta attribute the way `crm resource start|stop|manage|unmanage` does; returns the
    id of the resource that got it (a clone for its child, for instance)."""
    target = _meta_target(elem)
    staged.begin_change()
    if target.tag in ("clone", "master"):
        for child in obj.child_resources(target):
            delete_value(staged, child, "meta_attributes", name, drop_empty=True)
    pairs = [p for p in target.iterfind("meta_attributes/nvpair") if p.get("name") == name]
    if pairs:
        for pair in pairs:
            pair.set("value", value)
    else:
        sets = target.findall("meta_attributes")
        if sets:
            meta = sets[0]
        else:
            meta = etree.Element("meta_attributes", id=staged.ids.make(f"{target.get('id')}-meta_attributes"))
            insert_set(target, meta)
        etree.SubElement(meta, "nvpair", id=staged.ids.make(f"{meta.get('id')}-{name}"),
                         name=name, value=value)
    staged.mark_changed([target.get("id")])
    return target.get("id")


def require_node(staged: "StagedCib", uname: str):
    for node in staged.configuration.iterfind("nodes/node"):
        if node.get("uname") == uname or (node.get("uname") is None and node.get("id") == uname):
            return node
    raise ShellError(f"node {uname} does not exist")


def _constraints(staged: "StagedCib"):
    conf = staged.configuration
    section = conf.find("constraints")
    if section is None:
        section = etree.SubElement(conf, "constraints")
    return section


def _replace_location(staged: "StagedCib", location) -> None:
    section = _constraints(staged)
    for old in section.iterfind("rsc_location"):
        if old.get("id") == location.get("id"):
            staged.ids.release_tree(old)
            section.replace(old, location)
            break
    else:
        section.append(location)
    staged.ids.hold_tree(location)


def move(staged: "StagedCib", rsc: str, node: str, *, lifetime: str | None = None,
         now: datetime.datetime | None = None) -> str:
    """Prefer `node` for `rsc` (crm_resource --move): constraint cli-prefer-<rsc>."""
    ids = (f"cli-prefer-rule-{rsc}", f"cli-prefer-expr-{rsc}", f"cli-prefer-lifetime-end-{rsc}")
    return _place(staged, f"cli-prefer-{rsc}", rsc, node, "INFINITY", lifetime, ids, now)


def ban(staged: "StagedCib", rsc: str, node: str, *, lifetime: str | None = None,
        now: datetime.datetime | None = None) -> str:
    """Keep `rsc` off `node` (crm_resource --ban): constraint cli-ban-<rsc>-on-<node>."""
    cid = f"cli-ban-{rsc}-on-{node}"
    ids = (f"{cid}-rule", f"{cid}-expr", f"{cid}-lifetime")
    return _place(staged, cid, rsc, node, "-INFINITY", lifetime, ids, now)


def _place(staged: "StagedCib", cid: str, rsc: str, node: str, score: str,
           lifetime: str | None, rule_ids: tuple[str, str, str], now) -> str:
    """The location constraint move and ban leave: on the node, or by a rule until the
    lifetime passes."""
    resources_named(staged, [rsc])
    require_node(staged, node)
    staged.begin_change()
    location = etree.Element("rsc_location", id=cid, rsc=rsc, role="Started")
    if lifetime is None:
        location.set("node", node)
        location.set("score", score)
    else:
        _lifetime_rule(location, rule_ids, score, node, lifetime, now)
    _replace_location(staged, location)
    staged.mark_changed([cid])
    return cid


def _lifetime_rule(location, ids: tuple[str, str, str], score: str, node: str, lifetime: str,
                   now) -> None:
    """A rule that holds on `node` until `lifetime` from now (crm_resource --lifetime); `ids`
    are the rule's, the node expression's and the date expression's, as Pacemaker names them."""
    end = (now or datetime.datetime.now(datetime.timezone.utc)) + parse_lifetime(lifetime)
    rule = etree.SubElement(location, "rule", id=ids[0], score=score)
    rule.set("boolean-op", "and")
    etree.SubElement(rule, "expression", id=ids[1], attribute="#uname",
                     operation="eq", value=node, type="string")
    etree.SubElement(rule, "date_expression", id=ids[2], operation="lt",
                     end=end.strftime("%Y-%m-%d %H:%M:%SZ"))


def clear(staged: "StagedCib", rsc: str) -> list[str]:
    """Remove what move and ban left for `rsc` (crm_resource --clear)."""
    resources_named(staged, [rsc])
    section = staged.configuration.find("constraints")
    gone = [c for c in (section if section is not None else [])
            if c.tag == "rsc_location" and (c.get("id") == f"cli-prefer-{rsc}"
                                            or c.get("id", "").startswith(f"cli-ban-{rsc}-on-"))]
    if gone:
        staged.begin_change()
    for location in gone:
        staged.ids.release_tree(location)
        section.remove(location)
        staged.changed.pop(location.get("id"), None)
    return [c.get("id") for c in gone]


def parse_lifetime(text: str) -> datetime.timedelta:
    """An ISO 8601 duration as crm_resource takes it (PT1H, P1D, P1DT12H30M)."""
    import re

    match = re.fullmatch(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text)
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise ShellError(f"'{text}' is not an ISO 8601 duration such as PT1H or P1DT12H")
    weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return datetime.timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes,
                              seconds=seconds)


# -- nodes -----------------------------------------------------------------------------------
def set_node_attribute(staged: "StagedCib", uname: str, name: str, value: str) -> None:
    """A permanent node attribute (crm_attribute -N node -n name -v value -l forever)."""
    node = require_node(staged, uname)
    set_value(staged, node, "instance_attributes", f"nodes-{node.get('id')}", name, value)
    staged.mark_changed([uname])
