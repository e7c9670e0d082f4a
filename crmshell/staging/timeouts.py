"""`default-timeouts`: give primitives' operations the timeouts their agents advise.

Existing start/stop/monitor (and promote/demote in a promotable clone, migrate_* with
allow-migrate) ops take the advised timeout; the implied ones that are missing are added with
interval 0, as crmsh does, so a configuration starts from the agent author's numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from crmshell.errors import ShellError
from crmshell.staging import objects as obj

if TYPE_CHECKING:
    from crmshell.agents import AgentCatalog
    from crmshell.staging.staged import StagedCib

_TRUE = ("true", "yes", "on", "1", "y")


def _meta(elem, name: str) -> str | None:
    for pair in elem.iterfind("meta_attributes/nvpair"):
        if pair.get("name") == name:
            return pair.get("value")
    return None


def _promotable(container) -> bool:
    if container is None:
        return False
    if container.tag == "group":
        container = obj.container_of(container)
        if container is None:
            return False
    return container.tag == "master" or (
        container.tag == "clone" and (_meta(container, "promotable") or "").lower() in _TRUE)


def _agent_spec(prim, configuration) -> str:
    source = prim
    if prim.get("template"):
        source = next((t for t in configuration.iterfind("resources/template")
                       if t.get("id") == prim.get("template")), None)
        if source is None:
            raise ShellError(f"{prim.get('id')}: template {prim.get('template')} is not defined")
    cls, provider, kind = source.get("class"), source.get("provider"), source.get("type")
    return f"{cls}:{provider}:{kind}" if provider else f"{cls}:{kind}"


def default_timeouts(staged: "StagedCib", catalog: "AgentCatalog", ids: list[str]) -> None:
    prims = []
    for rid in ids:
        elem = staged.require(rid)
        if elem.tag != "primitive":
            raise ShellError(f"{rid} is a {obj.object_kind(elem)}, not a primitive")
        prims.append(elem)
    plans = [(p, catalog.metadata(_agent_spec(p, staged.configuration))) for p in prims]
    staged.begin_change()
    for prim, meta in plans:
        implied = ["start", "stop"]
        if _promotable(obj.container_of(prim)):
            implied += ["promote", "demote"]
        if (_meta(prim, "allow-migrate") or "").lower() in _TRUE:
            implied += ["migrate_to", "migrate_from"]
        operations = prim.find("operations")
        for op in prim.iterfind("operations/op"):
            name = op.get("name")
            if name in implied:
                implied.remove(name)
            elif name != "monitor":
                continue
            action = meta.action(name, op.get("role"), op.get("depth"))
            if action is not None and action.timeout:
                op.set("timeout", action.timeout)
        for name in implied:
            action = meta.action(name)
            if action is None or not action.timeout:
                continue
            if operations is None:
                operations = etree.SubElement(prim, "operations")
            op = etree.SubElement(operations, "op", name=name, timeout=action.timeout,
                                  interval="0")
            op.set("id", staged.ids.make(f"{prim.get('id')}-{name}-0"))
        staged.mark_changed([prim.get("id")])
