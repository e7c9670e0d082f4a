"""The fields of the daemons' messages other than CIB updates: sync offers, the winner's
CIB, actions the DC asks another node to execute, the DC's idle answer, and fencing
requests, results and histories. Decoding checks every field of a
peer's message and names the one that is wrong (a `WireError`), as `values` does for
updates."""

from __future__ import annotations

import dataclasses
import json
from types import MappingProxyType

from daemon.fencing.agent_params import TARGET_ACTIONS
from daemon.fencing.history import MAX_HISTORY, STATES, FenceRecord
from daemon.fencing.requests import MANUAL_ACTIONS, FenceRequest
from daemon.replication.values import from_json, to_json
from daemon.replication.wire import Envelope, WireError, is_int, parse_json, shown
from daemon.scheduler.graph import GraphAction, GraphResource


# ---- sync ------------------------------------------------------------------------------------
# A round is named (leader node id, leader pid, the leader's count): see replication.sync.
def start(origin: str, round_) -> Envelope:
    return Envelope("sync-request", origin, 0, {"round": list(round_)})


def read_start(env: Envelope) -> tuple[int, int, int]:
    return _round(env.fields)


def offer(origin: str, round_, version, digest: str, peered: bool = False) -> Envelope:
    return Envelope("sync-offer", origin, 0, {"round": list(round_), "version": list(version),
                                              "digest": digest, "peered": peered})


def read_offer(env: Envelope) -> tuple[tuple[int, int, int], tuple[int, int, int], str, bool]:
    f = env.fields
    version = f.get("version")
    if (not isinstance(version, list) or len(version) != 3
            or not all(is_int(v, 0) for v in version)):
        raise WireError("fields.version: expected [admin_epoch, epoch, num_updates]")
    digest = f.get("digest")
    if not isinstance(digest, str) or len(digest) > 128:
        raise WireError("fields.digest: expected a digest string")
    peered = f.get("peered", False)
    if not isinstance(peered, bool):
        raise WireError("fields.peered: expected true or false")
    return _round(f), tuple(version), digest, peered


def whole_cib(origin: str, round_, cib: bytes) -> Envelope:
    return Envelope("sync", origin, 0, {"round": list(round_)}, cib)


def read_whole_cib(env: Envelope) -> tuple[tuple[int, int, int], bytes]:
    if not env.body:
        raise WireError("body: the CIB is missing")
    return _round(env.fields), env.body


def abort(origin: str, round_, cut: int) -> Envelope:
    return Envelope("sync-abort", origin, 0, {"round": list(round_), "cut": cut})


def read_abort(env: Envelope) -> tuple[tuple[int, int, int], int]:
    cut = env.fields.get("cut")
    if not is_int(cut, 0):
        raise WireError(f"fields.cut: expected a number of cuts, got {shown(cut)}")
    return _round(env.fields), cut


def _round(fields: dict) -> tuple[int, int, int]:
    value = fields.get("round")
    if (not isinstance(value, list) or len(value) != 3
            or not all(is_int(x, 0) for x in value)):
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
        if not is_int(value):
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


# ---- waits ----------------------------------------------------------------------------------
def idle(origin: str, transition: int | None) -> Envelope:
    """The DC's answer to the idle-queries delivered before it: idle after `transition`."""
    return Envelope("idle", origin, 0, {"transition": transition})


def read_idle(env: Envelope) -> int | None:
    value = env.fields.get("transition")
    if value is not None and not is_int(value, 0):
        raise WireError("fields.transition: expected a transition number or null")
    return value


# ---- fencing ------------------------------------------------------------------------------
# A request goes to every node (the executor acts on it, the others note it as pending);
# an event is one record's news from its executor; a history is a node's whole copy, sent
# when the membership grows, as JSON in the body (compressed when large, see wire).
MAX_TEXT = 1024                  # any one string of a fencing message
MAX_RECORDS = 2 * MAX_HISTORY    # a history copy, with room for a peer's larger bound


def fence_request(origin: str, request: FenceRequest) -> Envelope:
    return Envelope("fence-request", origin, 0, {"request": to_json(request)})


def read_fence_request(env: Envelope) -> FenceRequest:
    request = from_json(FenceRequest, env.fields.get("request"), "fields.request")
    _short_texts(request, "fields.request")
    if request.action not in MANUAL_ACTIONS:
        raise WireError(f"fields.request.action: {shown(request.action)} is not one of "
                        f"{', '.join(MANUAL_ACTIONS)}")
    if not request.id or not request.target:
        raise WireError("fields.request: the id and the target may not be empty")
    return request


def fence_event(origin: str, record: FenceRecord, *, manual: bool) -> Envelope:
    return Envelope("fence-event", origin, 0, {"record": to_json(record), "manual": manual})


def read_fence_event(env: Envelope) -> tuple[FenceRecord, bool]:
    manual = env.fields.get("manual")
    if not isinstance(manual, bool):
        raise WireError("fields.manual: expected true or false")
    return _record(env.fields.get("record"), "fields.record"), manual


def fence_history(origin: str, records) -> Envelope:
    body = json.dumps([to_json(r) for r in records], separators=(",", ":")).encode()
    return Envelope("fence-history", origin, 0, {"count": len(records)}, body)


def read_fence_history(env: Envelope) -> tuple[FenceRecord, ...]:
    try:
        items = parse_json(env.body)
    except WireError as err:
        raise WireError(f"body: the fencing history is not JSON text: {err}") from None
    if not isinstance(items, list):
        raise WireError("body: expected a list of fencing records")
    if len(items) > MAX_RECORDS:
        raise WireError(f"body: {len(items)} fencing records, more than {MAX_RECORDS}")
    return tuple(_record(item, f"body[{i}]") for i, item in enumerate(items))


def _record(doc, where: str) -> FenceRecord:
    record = from_json(FenceRecord, doc, where)
    _short_texts(record, where)
    if record.state not in STATES:
        raise WireError(f"{where}.state: {shown(record.state)} is not one of {', '.join(STATES)}")
    if record.action not in TARGET_ACTIONS:
        raise WireError(f"{where}.action: {shown(record.action)} is not one of "
                        f"{', '.join(TARGET_ACTIONS)}")
    if record.created_ms < 0 or record.completed_ms < 0:
        raise WireError(f"{where}: times may not be negative")
    if not record.id or not record.target:
        raise WireError(f"{where}: the id and the target may not be empty")
    return record


def _short_texts(value, where: str) -> None:
    for f in dataclasses.fields(value):
        text = getattr(value, f.name)
        if isinstance(text, str) and len(text) > MAX_TEXT:
            raise WireError(f"{where}.{f.name}: longer than {MAX_TEXT} characters")
