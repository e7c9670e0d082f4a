"""The fields of the daemons' messages other than CIB updates: sync offers, the winner's
CIB, and actions the DC asks another node to execute. Decoding checks every field of a
peer's message and names the one that is wrong (a `WireError`), as `values` does for
updates."""

from __future__ import annotations

from types import MappingProxyType

from daemon.replication.wire import Envelope, WireError
from daemon.scheduler.graph import GraphAction, GraphResource


# ---- sync ------------------------------------------------------------------------------------
# A round is named (leader node id, leader pid, the leader's count): see replication.sync.
def start(origin: str, round_) -> Envelope:
    return Envelope("sync-request", origin, 0, {"round": list(round_)})


def read_start(env: Envelope) -> tuple[int, int, int]:
    return _round(env.fields)


def offer(origin: str, round_, version, digest: str) -> Envelope:
    return Envelope("sync-offer", origin, 0,
                    {"round": list(round_), "version": list(version), "digest": digest})


def read_offer(env: Envelope) -> tuple[tuple[int, int, int], tuple[int, int, int], str]:
    f = env.fields
    version = f.get("version")
    if (not isinstance(version, list) or len(version) != 3
            or not all(_is_int(v) and v >= 0 for v in version)):
        raise WireError("fields.version: expected [admin_epoch, epoch, num_updates]")
    digest = f.get("digest")
    if not isinstance(digest, str) or len(digest) > 128:
        raise WireError("fields.digest: expected a digest string")
    return _round(f), tuple(version), digest


def whole_cib(origin: str, round_, cib: bytes) -> Envelope:
    return Envelope("sync", origin, 0, {"round": list(round_)}, cib)


def read_whole_cib(env: Envelope) -> tuple[tuple[int, int, int], bytes]:
    if not env.body:
        raise WireError("body: the CIB is missing")
    return _round(env.fields), env.body


def _round(fields: dict) -> tuple[int, int, int]:
    value = fields.get("round")
    if (not isinstance(value, list) or len(value) != 3
            or not all(_is_int(x) and x >= 0 for x in value)):
        raise WireError("fields.round: expected [nodeid, pid, count]")
    return tuple(value)


# ---- actions --------------------------------------------------------------------------------
_ACTION_STR = ("kind", "task", "key", "transition_key")
_ACTION_INT = ("id", "interval_ms", "timeout_ms", "expected_rc")


def execute(origin: str, action: GraphAction) -> Envelope:
    doc = {name: getattr(action, name) for name in _ACTION_STR + _ACTION_INT}
    doc.update(node=action.node, node_id=action.node_id, params=dict(action.params),
               meta=dict(action.meta))
    if action.rsc is not None:
        r = action.rsc
        doc["rsc"] = {"id": r.id, "long_id": r.long_id, "standard": r.standard,
                      "provider": r.provider, "type": r.type}
    return Envelope("execute", origin, 0, {"action": doc})


def read_execute(env: Envelope) -> GraphAction:
    doc = env.fields.get("action")
    if not isinstance(doc, dict):
        raise WireError("fields.action: expected an object")
    kw = {}
    for name in _ACTION_STR:
        kw[name] = _str(doc, name)
    for name in _ACTION_INT:
        value = doc.get(name)
        if not _is_int(value):
            raise WireError(f"fields.action.{name}: expected an integer")
        kw[name] = value
    for name in ("node", "node_id"):
        kw[name] = _str(doc, name)
    for name in ("params", "meta"):
        items = doc.get(name, {})
        if not isinstance(items, dict) or not all(isinstance(v, str) for v in items.values()):
            raise WireError(f"fields.action.{name}: expected an object of strings")
        kw[name] = MappingProxyType(dict(items))
    rsc = doc.get("rsc")
    if rsc is not None:
        if not isinstance(rsc, dict):
            raise WireError("fields.action.rsc: expected an object")
        provider = rsc.get("provider")
        if provider is not None and not isinstance(provider, str):
            raise WireError("fields.action.rsc.provider: expected a string")
        rsc = GraphResource(_str(rsc, "id", "rsc."), _str(rsc, "long_id", "rsc."),
                            _str(rsc, "standard", "rsc."), provider, _str(rsc, "type", "rsc."))
    return GraphAction(rsc=rsc, inputs=(), **kw)


def _str(doc: dict, name: str, prefix: str = "") -> str:
    value = doc.get(name)
    if not isinstance(value, str):
        raise WireError(f"fields.action.{prefix}{name}: expected a string")
    return value


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
