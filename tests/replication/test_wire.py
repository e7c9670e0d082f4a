"""Messages between daemons: round trips, and every kind of damage refused by name."""

from __future__ import annotations

import random

import pytest

from daemon.cib.status_ops import ClearFailures, RecordOp, SetNodeState, SetTransientAttr
from daemon.controller.messages import ActionResult, NodeRef
from daemon.replication import updates, wire
from daemon.replication.updates import Meta, Update

META = Meta("node1", "crmshell", "root", 1700000000.5)
NODE = NodeRef("1", "node1")


def _samples() -> list[Update]:
    record = RecordOp("1", "node1", "r1", "ocf", "heartbeat", "Dummy",
                      (("id", "r1_last_0"), ("rc-code", "0")))
    result = ActionResult(NODE, "r1", "r1_start_0", "start", 0, "3:1:0:uuid", 0, 0, "", 17)
    return [
        Update("patch", META, b"<diff format='2'/>", force=True),
        Update("replace", META, b"<configuration/>", section="configuration"),
        Update("status", META, ops=(record, SetTransientAttr("1", "node1", "a", None),
                                    ClearFailures("1", "r1", "monitor", 10000),
                                    SetNodeState("1", "node1", (("crmd", "online"),))),
               results=(result,)),
        Update("dc", META, dc=NODE, quorate=True, dc_version="crmshell-0.1", cluster_name="c"),
        Update("nodes", META, nodes=(NODE, NodeRef("2", "node2"))),
    ]


@pytest.mark.parametrize("update", _samples(), ids=lambda u: u.kind)
def test_round_trip(update):
    data = wire.encode(updates.to_envelope(update, "node1", 42))
    env = wire.decode(data)
    assert (env.origin, env.request) == ("node1", 42)
    assert updates.from_envelope(env) == update


def test_large_bodies_are_compressed_and_restored():
    body = b"<cib>" + b"<x/>" * 100_000 + b"</cib>"
    data = wire.encode(wire.Envelope("sync", "node2", 0, {}, body))
    assert len(data) < len(body) // 10
    assert wire.decode(data).body == body


@pytest.mark.parametrize("mangle, words", [
    (lambda d: d[:5], "shorter than its header"),
    (lambda d: b"XXXX" + d[4:], "bad magic"),
    (lambda d: d[:4] + b"\x09" + d[5:], "version 9"),
    (lambda d: d[:5] + b"\x80" + d[6:], "unknown flags"),
    (lambda d: d[:12] + b"{not json" + d[21:], "malformed"),
    (lambda d: d[:8] + b"\x7f\xff\xff\xff" + d[12:], "runs past"),
])
def test_damaged_messages_are_named(mangle, words):
    data = wire.encode(updates.to_envelope(_samples()[0], "node1", 1))
    with pytest.raises(wire.WireError, match=words):
        wire.decode(mangle(data))


@pytest.mark.parametrize("fields, words", [
    ({"update": "nope"}, "fields.update"),
    ({"update": "patch"}, "fields.meta"),
    ({"update": "patch", "meta": {"origin": "a", "client": "b", "user": "c", "when": "x"}},
     "fields.meta.when"),
    ({"update": "status", "meta": META.__dict__, "ops": [{"op": "Bogus"}], "results": []},
     r"fields.ops\[0\].op"),
    ({"update": "status", "meta": META.__dict__, "ops": [{"op": "DeleteOp", "node_id": "1",
                                                          "rsc_id": 3, "op_id": "x"}],
      "results": []}, r"fields.ops\[0\].rsc_id"),
    ({"update": "status", "meta": META.__dict__, "ops": [], "results": [{"node": 1}]},
     r"fields.results\[0\].node"),
])
def test_bad_fields_are_named(fields, words):
    env = wire.Envelope("update", "node1", 1, fields)
    with pytest.raises(wire.WireError, match=words):
        updates.from_envelope(wire.decode(wire.encode(env)))


def test_a_batch_keeps_the_order_requests_and_bodies_of_its_updates():
    items = [(5, _samples()[0]), (6, _samples()[2]), (9, _samples()[1])]
    env = wire.decode(wire.encode(updates.to_batch(items, "node1")))
    assert env.kind == "updates" and updates.from_batch(env) == items


def _batch(**entry_changes) -> wire.Envelope:
    env = updates.to_batch([(5, _samples()[0]), (6, _samples()[1])], "node1")
    entries = [dict(e) for e in env.fields["updates"]]
    for key, value in entry_changes.items():
        if value is None:
            entries[1].pop(key, None)
        else:
            entries[1][key] = value
    return wire.Envelope("updates", "node1", 0, {"updates": entries}, env.body)


@pytest.mark.parametrize("env, words", [
    (wire.Envelope("updates", "node1", 0, {"updates": []}), "fields.updates: expected a list"),
    (wire.Envelope("updates", "node1", 0, {"updates": [1]}), r"fields.updates\[0\]: expected an object"),
    (_batch(size=10_000), r"fields.updates\[1\].size: 10000 runs past the body"),
    (_batch(size=-1), r"fields.updates\[1\].size"),
    (_batch(request="x"), r"fields.updates\[1\].request"),
    (_batch(update="nope"), r"fields.updates\[1\].update"),
    (_batch(meta=None), r"fields.updates\[1\].meta"),
    (_batch(size=3), "bytes follow the last update"),
])
def test_bad_batches_are_named_by_entry(env, words):
    with pytest.raises(wire.WireError, match=words):
        updates.from_batch(wire.decode(wire.encode(env)))


def test_random_damage_never_escapes_as_anything_but_wire_error():
    rng = random.Random(7)
    samples = [wire.encode(updates.to_envelope(u, "node1", 1)) for u in _samples()]
    for _ in range(3000):
        data = bytearray(rng.choice(samples))
        for _ in range(rng.randint(1, 4)):
            if not data:
                break
            if rng.random() < 0.3:
                del data[rng.randrange(len(data)):]
            else:
                data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            updates.from_envelope(wire.decode(bytes(data)))
        except wire.WireError:
            pass
