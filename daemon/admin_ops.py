"""What an administrator's resource and node requests change in the status section.

`crm_resource --cleanup`, `--refresh`, `crm_failcount` and `crm_attribute -l reboot` all end
as status changes the cluster replicates; this module turns such a request and the CIB as it
is into those changes (plain values from daemon.cib.status_ops), and reads fail counts back.
Pure: the daemon applies the answer through the same replicated path as every other update.
"""

from __future__ import annotations

from dataclasses import dataclass

from daemon.cib.status_ops import (ClearFailures, ClearNode, DeleteResource, SetTransientAttr,
                                   StatusOp)
from daemon.scheduler.failcounts import clone_strip

RESOURCE_TAGS = ("primitive", "group", "clone", "master", "bundle")


class AdminError(ValueError):
    """A request naming something the CIB does not have; `code` is the API's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class NodeName:
    id: str
    name: str


def nodes(cib) -> list[NodeName]:
    """Every node the CIB knows, configured or seen in the status, by id (configured first)."""
    seen: dict[str, NodeName] = {}
    for node in cib.iterfind("configuration/nodes/node"):
        if node.get("id"):
            seen[node.get("id")] = NodeName(node.get("id"), node.get("uname") or node.get("id"))
    for state in cib.iterfind("status/node_state"):
        if state.get("id") and state.get("id") not in seen:
            seen[state.get("id")] = NodeName(state.get("id"), state.get("uname") or state.get("id"))
    return list(seen.values())


def find_node(cib, name: str) -> NodeName:
    for node in nodes(cib):
        if node.name == name or node.id == name:
            return node
    known = ", ".join(n.name for n in nodes(cib)) or "none"
    raise AdminError("not-found", f"node '{name}' is not in the cluster (known: {known})")


def primitives(cib, rsc_id: str) -> set[str]:
    """The primitives a resource stands for: itself, or every primitive inside a group,
    clone or bundle. Clone instance suffixes (`rsc:1`) are accepted and dropped."""
    base = clone_strip(rsc_id)
    for tag in RESOURCE_TAGS:
        found = cib.find(f"configuration/resources//{tag}[@id='{base}']") if _plain(base) else None
        if found is not None:
            if tag == "primitive":
                return {base}
            return {p.get("id") for p in found.iter("primitive") if p.get("id")}
    raise AdminError("not-found", f"resource '{rsc_id}' is not in the configuration")


def _plain(text: str) -> bool:
    """Ids that can go into an XPath literal as they are (ids never hold quotes)."""
    return "'" not in text and '"' not in text


def _matches(lrm_id: str, prims: set[str]) -> bool:
    return clone_strip(lrm_id) in prims


def _states(cib, node: NodeName | None):
    for state in cib.iterfind("status/node_state"):
        if node is None or state.get("id") == node.id:
            yield state


def _history_ids(state) -> list[str]:
    return [r.get("id") for r in state.iterfind("lrm/lrm_resources/lrm_resource") if r.get("id")]


def _failcount_rscs(state) -> set[str]:
    out = set()
    for nv in state.iterfind("transient_attributes/instance_attributes/nvpair"):
        name = nv.get("name") or ""
        for prefix in ("fail-count-", "last-failure-"):
            if name.startswith(prefix):
                out.add(name[len(prefix):].split("#", 1)[0])
    return out


def _failed_ids(state) -> set[str]:
    """Resources with a failed entry in their history on this node."""
    out = set()
    for rsc in state.iterfind("lrm/lrm_resources/lrm_resource"):
        for op in rsc.iterfind("lrm_rsc_op"):
            if op.get("id", "").endswith("_last_failure_0") or _failed(op):
                out.add(rsc.get("id"))
    return out


def _failed(op) -> bool:
    key = op.get("transition-key") or ""
    try:
        expected = int(key.split(":")[2])
        rc = int(op.get("rc-code", "0"))
        status = int(op.get("op-status", "0"))
    except (IndexError, ValueError):
        return False
    return status not in (0, -1, 1) or (status == 0 and rc != expected)


def cleanup(cib, rsc: str | None, node: str | None, *, refresh: bool,
            operation: str | None = None, interval_ms: int | None = None) -> tuple[StatusOp, ...]:
    """crm_resource --cleanup (failed history and fail counts) or --refresh (all history:
    the resource is probed again), for one resource or every one, on one node or all."""
    where = find_node(cib, node) if node else None
    prims = primitives(cib, rsc) if rsc else None
    ops: list[StatusOp] = []
    for state in _states(cib, where):
        node_id = state.get("id")
        if refresh:
            targets = set(_history_ids(state)) | _failcount_rscs(state)
        else:
            targets = _failed_ids(state) | _failcount_rscs(state)
        for lrm_id in sorted(targets):
            if prims is not None and not _matches(lrm_id, prims):
                continue
            ops.append(DeleteResource(node_id, lrm_id, only_failed=not refresh))
            ops.append(ClearFailures(node_id, lrm_id, operation, interval_ms))
    return tuple(ops)


def failcounts(cib, rsc: str | None, node: str | None) -> list[dict]:
    """Fail counts as crm_failcount reads them: per node, resource and operation."""
    where = find_node(cib, node) if node else None
    prims = primitives(cib, rsc) if rsc else None
    out = []
    for state in _states(cib, where):
        for nv in state.iterfind("transient_attributes/instance_attributes/nvpair"):
            name = nv.get("name") or ""
            if not name.startswith("fail-count-"):
                continue
            target, _, op = name[len("fail-count-"):].partition("#")
            if prims is not None and not _matches(target, prims):
                continue
            out.append({"node": state.get("uname") or state.get("id"), "resource": target,
                        "operation": op, "value": nv.get("value")})
    return out


def set_attribute(cib, node: str, name: str, value: str | None) -> tuple[StatusOp, ...]:
    """A transient (reboot-lifetime) node attribute set, or deleted with None."""
    target = find_node(cib, node)
    return (SetTransientAttr(target.id, target.name, name, value),)


def get_attribute(cib, node: str, name: str) -> str | None:
    target = find_node(cib, node)
    for state in _states(cib, target):
        for nv in state.iterfind("transient_attributes/instance_attributes/nvpair"):
            if nv.get("name") == name:
                return nv.get("value")
    return None


def clearstate(cib, node: str) -> tuple[StatusOp, ...]:
    """Forget a node's history and transient attributes (`crm node clearstate`)."""
    target = find_node(cib, node)
    return (ClearNode(target.id, lrm=True, attrs=True),)
