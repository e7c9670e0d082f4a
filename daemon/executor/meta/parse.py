"""Turn an agent's meta-data XML into an AgentMeta (pure: bytes in, value out).

Also holds the adjustments Pacemaker's fencer makes to fence-agent meta-data, so that what we
check a configuration against is what the cluster will accept, not the raw agent output.
"""

from __future__ import annotations

from daemon.executor.meta.model import AgentMeta, Parameter, make_action
from daemon.executor.model import AgentSpec


class MetadataError(ValueError):
    """The meta-data is not usable; the message says why (the caller adds the agent name)."""


_TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y"})


def _flag(value: str | None) -> bool:
    return value is not None and value.strip().lower() in _TRUE_WORDS


def _text(elem, tag: str) -> str:
    """Text of the child `tag`, English or unlabelled preferred, whitespace-trimmed."""
    best = None
    for child in elem.iterchildren(tag):
        lang = child.get("lang")
        if lang in (None, "en"):
            best = child
            break
        if best is None:
            best = child
    if best is None:
        return ""
    return "".join(best.itertext()).strip()


def parse_metadata(data: bytes, spec: AgentSpec) -> AgentMeta:
    """Parse `<resource-agent>` meta-data; raise MetadataError when it is not XML or lacks the
    parts every consumer relies on (a root `resource-agent`, named parameters and actions)."""
    from lxml import etree  # lazy: cached meta-data never needs lxml

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data.strip(), parser)
    except etree.XMLSyntaxError as err:
        raise MetadataError(f"meta-data is not well-formed XML: {err}") from None
    if root is None or root.tag != "resource-agent":
        tag = getattr(root, "tag", None)
        raise MetadataError(f"meta-data root is <{tag}>, expected <resource-agent>")
    return AgentMeta(
        spec=spec,
        shortdesc=_text(root, "shortdesc") or (root.get("shortdesc") or "").strip(),
        longdesc=_text(root, "longdesc"),
        version=_text(root, "version") or root.get("version") or "",
        parameters=tuple(_parameters(root)),
        actions=tuple(_actions(root)),
        ocf_version=_text(root, "version"),
    )


def _parameters(root):
    seen: set[str] = set()
    for params in root.iterchildren("parameters"):
        for index, p in enumerate(params.iterchildren("parameter"), start=1):
            name = (p.get("name") or "").strip()
            if not name:
                raise MetadataError(f"parameter #{index} has no name")
            if name in seen:
                continue
            seen.add(name)
            yield _parameter(p, name)


def _parameter(p, name: str) -> Parameter:
    content = p.find("content")
    ptype, default, allowed = "string", None, ()
    if content is not None:
        ptype = content.get("type") or "string"
        default = content.get("default")
        allowed = tuple(o.get("value") for o in content.iterchildren("option")
                        if o.get("value") is not None)
    deprecated_elem = p.find("deprecated")
    replaced_by = None
    if deprecated_elem is not None:
        replaced = deprecated_elem.find("replaced-with")
        replaced_by = replaced.get("name") if replaced is not None else None
    return Parameter(
        name=name,
        required=_flag(p.get("required")),
        unique=_flag(p.get("unique")),
        type=ptype,
        default=default,
        shortdesc=_text(p, "shortdesc"),
        longdesc=_text(p, "longdesc"),
        deprecated=_flag(p.get("deprecated")) or deprecated_elem is not None,
        obsoletes=p.get("obsoletes") or None,
        replaced_by=replaced_by,
        allowed=allowed,
        reloadable=_flag(p.get("reloadable")),
        private=_flag(p.get("private")),
    )


def _actions(root):
    for actions in root.iterchildren("actions"):
        for index, a in enumerate(actions.iterchildren("action"), start=1):
            name = (a.get("name") or "").strip()
            if not name:
                raise MetadataError(f"action #{index} has no name")
            attrs = [(k, v) for k, v in a.attrib.items() if k != "name"]
            yield make_action(name, attrs)


def adjust_fence_agent(meta: AgentMeta) -> AgentMeta:
    """What Pacemaker's fencer does to a fence agent's meta-data before anyone sees it.

    The fencer supplies `action` itself, so the agent's `required="1"` on it is dropped, and
    start/stop (which the fencer implements, not the agent) are advertised with a 20s timeout.
    """
    params = tuple(
        Parameter(**{**p.__dict__, "required": False}) if p.name == "action" else p
        for p in meta.parameters)
    names = meta.action_names
    extra = tuple(make_action(op, [("timeout", "20s")]) for op in ("stop", "start")
                  if op not in names)
    return AgentMeta(meta.spec, meta.shortdesc, meta.longdesc, meta.version, params,
                     meta.actions + extra)


def synthesized(spec: AgentSpec, shortdesc: str, longdesc: str,
                actions: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]) -> AgentMeta:
    """Meta-data for agents that have none of their own (LSB scripts, systemd units)."""
    return AgentMeta(spec=spec, shortdesc=shortdesc, longdesc=longdesc, version="1.0",
                     actions=tuple(make_action(name, list(attrs)) for name, attrs in actions))

