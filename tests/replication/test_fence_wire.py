"""Fencing messages between daemons: round trips, and bad fields refused by name."""

from __future__ import annotations

import json

import pytest

from daemon.fencing.history import FenceRecord
from daemon.fencing.requests import FenceRequest
from daemon.replication import cluster_wire, wire
from daemon.replication.values import to_json

REQUEST = FenceRequest("0b7c", "node3", "reboot", "crmshell.42", "node2", 1_700_000_000_000)
RECORD = FenceRecord("0b7c", "node3", "reboot", "failed", "crmshell.42", "node2", "node1",
                     1_700_000_000_000, 1_700_000_002_500, "no fence device can reboot node3")


def _through_the_wire(env: wire.Envelope) -> wire.Envelope:
    return wire.decode(wire.encode(env))


def test_round_trips():
    assert cluster_wire.read_fence_request(
        _through_the_wire(cluster_wire.fence_request("2", REQUEST))) == REQUEST
    pending = FenceRecord("1", "node1", "off", "pending", "c", "node2")
    for record, manual in ((RECORD, True), (pending, False)):
        env = _through_the_wire(cluster_wire.fence_event("1", record, manual=manual))
        assert cluster_wire.read_fence_event(env) == (record, manual)
    many = [FenceRecord(f"id{i}", "node3", "reboot", "successful", "c", "node1", "node1", i, i)
            for i in range(500)]
    data = wire.encode(cluster_wire.fence_history("1", many))
    assert data[5] & wire.FLAG_COMPRESSED          # a full history travels compressed
    assert cluster_wire.read_fence_history(wire.decode(data)) == tuple(many)


def _request(**changes) -> wire.Envelope:
    doc = {**to_json(REQUEST), **changes}
    return wire.Envelope("fence-request", "2", 0, {"request": doc})


def _event(**changes) -> wire.Envelope:
    doc = {**to_json(RECORD), **changes}
    return wire.Envelope("fence-event", "1", 0, {"record": doc, "manual": True})


@pytest.mark.parametrize("env, words", [
    (wire.Envelope("fence-request", "2", 0, {}), "fields.request: expected an object"),
    (_request(action="on"), r"fields.request.action: 'on' is not one of reboot, off"),
    (_request(target=""), "fields.request: the id and the target may not be empty"),
    (_request(created_ms="soon"), "fields.request.created_ms: expected a 64-bit integer"),
    (_request(extra=1), r"fields.request: unknown field\(s\) 'extra'"),
    (_request(client="x" * 2000), "fields.request.client: longer than 1024"),
])
def test_bad_requests_are_named(env, words):
    with pytest.raises(wire.WireError, match=words):
        cluster_wire.read_fence_request(_through_the_wire(env))


@pytest.mark.parametrize("env, words", [
    (_event(state="maybe"), "fields.record.state: 'maybe' is not one of"),
    (_event(action="explode"), "fields.record.action: 'explode' is not one of"),
    (_event(delegate=7), "fields.record.delegate: expected a string"),
    (_event(completed_ms=-1), "fields.record: times may not be negative"),
    (_event(id=None), "fields.record.id: expected a string"),
    (wire.Envelope("fence-event", "1", 0, {"record": {}, "manual": "yes"}),
     "fields.manual: expected true or false"),
])
def test_bad_events_are_named(env, words):
    with pytest.raises(wire.WireError, match=words):
        cluster_wire.read_fence_event(_through_the_wire(env))


@pytest.mark.parametrize("body, words", [
    (b"\xff\xfe", "body: the fencing history is not JSON text"),
    (b"{}", "body: expected a list of fencing records"),
    (json.dumps([{}] * 1001).encode(), "body: 1001 fencing records, more than 1000"),
    (json.dumps([to_json(RECORD), {"id": 1}]).encode(), r"body\[1\]"),
])
def test_bad_histories_are_named(body, words):
    env = wire.Envelope("fence-history", "1", 0, {"count": 1}, body)
    with pytest.raises(wire.WireError, match=words):
        cluster_wire.read_fence_history(_through_the_wire(env))
