"""Property and defaults sets, fencing_topology, tags, alerts and ACLs in `show` syntax."""

from __future__ import annotations

import re

from lxml import etree

from crmshell.lang.render_resources import description_part
from crmshell.lang.render_rules import attribute_set, nvpair, rule
from crmshell.lang.render_text import (
    NotRepresentable,
    RenderContext,
    head_id,
    is_comment,
    quote,
    require_ascii,
    require_attrs,
    require_token,
)


def property_set(elem: etree._Element, keyword: str, ctx: RenderContext) -> list[str]:
    """property / rsc_defaults / op_defaults: one line per rule or pair, in document order.

    The parser reads every rule before any pair, so a rule after a pair cannot come back.
    """
    require_attrs(elem, {"id"})
    ident = elem.get("id")
    if not ident:
        raise NotRepresentable("set without id")
    parts = ["%s %s" % (keyword, head_id(ident))]
    seen_pair = False
    for child in elem:
        if is_comment(child):
            continue
        if child.tag == "rule":
            if seen_pair:
                raise NotRepresentable("rule after a name-value pair")
            parts.append(rule(child, ctx))
        elif child.tag == "nvpair":
            seen_pair = True
            parts.append(nvpair(child, ctx))
        else:
            raise NotRepresentable("%s child %s" % (elem.tag, child.tag))
    return parts


_ATTR_TARGET = re.compile(r"[\w-]+\Z")


def fencing_topology(elem: etree._Element, ctx: RenderContext) -> list[str]:
    """Levels grouped per target, ordered by index; the one-line form when every node shares
    the same devices (crmsh checks only that the number of targets equals the number of nodes).
    """
    require_attrs(elem, set())
    levels: dict[object, dict[int, str]] = {}
    for level in elem:
        if is_comment(level):
            continue
        if level.tag != "fencing-level":
            raise NotRepresentable("fencing-topology child %s" % level.tag)
        require_attrs(level, {"id", "target", "target-pattern", "target-attribute",
                              "target-value", "index", "devices"})
        if "target-pattern" in level.attrib:
            target: object = (None, level.get("target-pattern"))
        elif "target-attribute" in level.attrib:
            target = (level.get("target-attribute"), level.get("target-value"))
        else:
            target = level.get("target")
        try:
            index = int(level.get("index") or "")
        except ValueError:
            raise NotRepresentable("fencing level index") from None
        per_target = levels.setdefault(target, {})
        if index in per_target:
            raise NotRepresentable("duplicate fencing level index")
        devices = level.get("devices") or ""
        require_token(devices, "fencing devices")
        per_target[index] = devices
    ordered = {t: [d[i] for i in sorted(d)] for t, d in levels.items()}
    for per_target in levels.values():
        if sorted(per_target) != list(range(1, len(per_target) + 1)):
            raise NotRepresentable("fencing level indexes are not 1..n")
    device_lines = {" ".join(devs) for devs in ordered.values()}
    if len(device_lines) == 1 and len(levels) == len(ctx.node_unames):
        if set(levels) != set(ctx.node_unames):
            raise NotRepresentable("short fencing_topology would name other targets")
        return ["fencing_topology %s" % device_lines.pop()]
    parts = ["fencing_topology"]
    for target, devs in ordered.items():
        if isinstance(target, tuple):
            name, value = target
            if name is None:
                require_token(value or "", "fencing pattern")
                shown = "pattern:%s" % value
            else:
                if not _ATTR_TARGET.match(name or "") or not _ATTR_TARGET.match(value or ""):
                    raise NotRepresentable("fencing attribute target")
                shown = "attr:%s=%s" % (name, value)
        else:
            if not target or ":" in target:
                raise NotRepresentable("fencing target %r" % target)
            require_token(target, "fencing target")
            shown = "%s:" % target
        parts.append("%s %s" % (shown, " ".join(devs)))
    return parts


def tag(elem: etree._Element, ctx: RenderContext) -> list[str]:
    require_attrs(elem, {"id"})
    refs = []
    for child in elem:
        if is_comment(child):
            continue
        if child.tag != "obj_ref" or set(child.attrib.keys()) != {"id"}:
            raise NotRepresentable("tag child %s" % child.tag)
        require_token(child.get("id") or "", "tag member")
        refs.append(child.get("id"))
    if not refs:
        raise NotRepresentable("empty tag")
    return [" ".join(["tag", elem.get("id") or ""] + refs)]


_ALERT_SETS = {"instance_attributes": "attributes", "meta_attributes": "meta"}
_SELECTORS = ("select_nodes", "select_fencing", "select_resources", "select_attributes")


def _alert_select(elem: etree._Element) -> str:
    require_attrs(elem, set())
    words = ["select"]
    for sel in elem:
        if sel.tag not in _SELECTORS:
            raise NotRepresentable("alert selector %s" % sel.tag)
        require_attrs(sel, set())
        words.append(sel.tag[len("select_"):])
        if sel.tag == "select_attributes":
            words.append("{")
            for item in sel:
                if item.tag != "attribute":
                    raise NotRepresentable("alert attribute selector %s" % item.tag)
                require_attrs(item, {"id", "name"})
                require_token(item.get("name") or "", "selected attribute")
                words.append(item.get("name"))
            words.append("}")
        elif len(sel):
            raise NotRepresentable("alert selector with children")
    return " ".join(words)


def alert(elem: etree._Element, ctx: RenderContext) -> list[str]:
    require_attrs(elem, {"id", "path", "description"})
    ident = elem.get("id") or ""
    require_token(ident, "alert id")
    path = elem.get("path") or ""
    require_ascii(path)
    parts = ["alert %s %s" % (ident, quote(path))] + description_part(elem)
    kinds = [c.tag for c in elem if c.tag in ("recipient",) + tuple(_ALERT_SETS)]
    # crmsh braces every recipient once alert-level sets follow the first recipient
    first = kinds.index("recipient") if "recipient" in kinds else len(kinds)
    braced = any(k != "recipient" for k in kinds[first + 1:])
    count = 0
    for child in elem:
        if is_comment(child):
            continue
        keyword = _ALERT_SETS.get(child.tag)
        if keyword is not None:
            parts.append(attribute_set(child, keyword, ctx))
        elif child.tag == "select":
            parts.append(_alert_select(child))
        elif child.tag == "recipient":
            count += 1
            require_attrs(child, {"id", "value"})
            if child.get("id") != "%s-recipient-%d" % (ident, count):
                raise NotRepresentable("recipient id crmsh would not give")
            value = child.get("value") or ""
            require_ascii(value)
            words = ["to"] + (["{"] if braced else []) + [quote(value)]
            for sub in child:
                sub_keyword = _ALERT_SETS.get(sub.tag)
                if sub_keyword is None:
                    raise NotRepresentable("recipient child %s" % sub.tag)
                words.append(attribute_set(sub, sub_keyword, ctx))
            if braced:
                words.append("}")
            parts.append(" ".join(words))
        else:
            raise NotRepresentable("alert child %s" % child.tag)
    return parts


# ACL xpath shortcuts: name and the xpath pieces, `@@` standing for one name each.
_ACL_SHORTCUTS = (
    ("meta", ("//primitive[@id='@@']/meta_attributes", "/nvpair[@name='@@']")),
    ("params", ("//primitive[@id='@@']/instance_attributes", "/nvpair[@name='@@']")),
    ("utilization", ("//primitive[@id='@@']/utilization",)),
    ("location", ("//rsc_location[@id='cli-prefer-@@' and @rsc='@@']",)),
    ("property", ("//crm_config/cluster_property_set", "/nvpair[@name='@@']")),
    ("nodeattr", ("//nodes/node/instance_attributes", "/nvpair[@name='@@']")),
    ("nodeutil", ("//nodes/node/utilization", "[@uname='@@']")),
    ("node", ("//nodes/node", "[@uname='@@']")),
    ("status", ("/cib/status",)),
    ("cib", ("/cib",)),
)
_ACL_NAME = r"([a-zA-Z_][a-zA-Z0-9_.-]*)"


def _shortcut_patterns() -> list[tuple[str, list[re.Pattern[str]]]]:
    result = []
    for name, pieces in _ACL_SHORTCUTS:
        escaped = [re.escape(p).replace("@@", _ACL_NAME) for p in pieces]
        result.append((name, [re.compile("".join(escaped[:i + 1]) + r"\Z")
                              for i in range(len(escaped))]))
    return result


def _expand_shortcut(pieces: tuple[str, ...], names: tuple[str, ...]) -> str:
    """The xpath crmsh's parser builds from a shortcut and its names: pieces without a
    placeholder are taken as they come, each name fills every `@@` of the next piece."""
    if not names:
        return pieces[0]
    xpath = ""
    index = 0
    for name in names:
        if index < len(pieces) and "@@" not in pieces[index]:
            xpath += pieces[index]
            index += 1
        if index < len(pieces):
            xpath += pieces[index].replace("@@", name)
            index += 1
    return xpath


class AclFormatter:
    """Formats ACL objects; holds the compiled shortcut patterns so they are built once."""

    def __init__(self) -> None:
        self._shortcuts = _shortcut_patterns()

    def xpath_spec(self, xpath: str) -> str:
        for (name, patterns), (_, pieces) in zip(self._shortcuts, _ACL_SHORTCUTS):
            for count, pattern in enumerate(patterns, 1):
                match = pattern.match(xpath)
                if match:
                    # crmsh keeps one name per piece matched, even if a piece holds two
                    names = match.groups()[:count]
                    if _expand_shortcut(pieces, names) != xpath:
                        raise NotRepresentable("xpath shortcut %s does not read back" % name)
                    args = ":".join(names)
                    return "%s:%s" % (name, args) if args else name
        require_ascii(xpath)
        return "xpath:%s" % quote(xpath)

    def permission(self, elem: etree._Element) -> str:
        require_attrs(elem, {"id", "kind", "xpath", "reference", "object-type", "attribute",
                             "description"})
        kind = elem.get("kind") or ""
        if kind not in ("read", "write", "deny") or len(elem):
            raise NotRepresentable("acl permission kind %r" % kind)
        present = [k for k in ("xpath", "reference", "object-type") if k in elem.attrib]
        if len(present) != 1 or ("attribute" in elem.attrib and present != ["object-type"]):
            raise NotRepresentable("acl permission needs exactly one target")
        words = [kind] + description_part(elem)
        for xml_name, cli_name in (("xpath", "xpath"), ("reference", "ref"),
                                   ("attribute", "attr"), ("object-type", "type")):
            value = elem.get(xml_name)
            if value is None:
                continue
            if xml_name == "xpath":
                words.append(self.xpath_spec(value))
            else:
                require_token(value, "acl %s" % cli_name)
                words.append("%s:%s" % (cli_name, value))
        return " ".join(words)

    def old_rule(self, elem: etree._Element) -> str:
        """read/write/deny elements of acl_user (ACL schema 1)."""
        require_attrs(elem, {"id", "xpath", "ref", "tag", "attribute"})
        words = [elem.tag]
        for name in ("xpath", "ref", "tag", "attribute"):
            value = elem.get(name)
            if not value:
                continue
            if name == "xpath":
                words.append(self.xpath_spec(value))
            else:
                require_token(value, "acl %s" % name)
                words.append("%s:%s" % (name, value))
        return " ".join(words)

    def acl_object(self, elem: etree._Element, ctx: RenderContext) -> list[str]:
        keyword = {"acl_role": "role", "acl_user": "user", "acl_target": "acl_target",
                   "acl_group": "acl_group"}[elem.tag]
        require_attrs(elem, {"id", "description"} if elem.tag == "acl_role" else {"id"})
        ident = elem.get("id") or ""
        require_token(ident, "acl id")
        parts = ["%s %s" % (keyword, ident)] + description_part(elem)
        for child in elem:
            if is_comment(child):
                continue
            if elem.tag == "acl_role" and child.tag == "acl_permission":
                parts.append(self.permission(child))
            elif elem.tag == "acl_user" and child.tag in ("read", "write", "deny"):
                parts.append(self.old_rule(child))
            elif elem.tag == "acl_user" and child.tag == "role_ref":
                require_attrs(child, {"id"})
                parts.append("role:%s" % child.get("id"))
            elif elem.tag in ("acl_target", "acl_group") and child.tag == "role":
                require_attrs(child, {"id"})
                require_token(child.get("id") or "", "acl role")
                parts.append(child.get("id") or "")
            else:
                raise NotRepresentable("%s child %s" % (elem.tag, child.tag))
        return parts

