"""Fuzzing every decoder of the daemons' messages with hypothesis.

The property, for whatever bytes a peer (or a process in the group) may send: decoding
either gives a value or raises `WireError`, never any other exception, and a message whose
one field is wrong names that field. Valid messages come back equal. Inputs are arbitrary
bytes, bit flips and cuts of valid encodings, any value in a length field, wrong types,
missing and extra keys in every JSON field, and compressed bodies that are corrupt, cut
short, followed by garbage or expanding past the limit.

The settings are derandomized (the same examples on every run, so CI is deterministic) and
sized to keep the whole module to a few seconds.
"""

from __future__ import annotations

import dataclasses
import json
import struct
import types
import typing
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daemon.cib import status_ops
from daemon.controller.messages import ActionResult, NodeRef
from daemon.fencing.history import DONE, FenceRecord
from daemon.fencing.requests import FenceRequest
from daemon.replication import cluster_wire, updates, values, wire
from daemon.replication.updates import Meta, Update
from daemon.scheduler.graph import GraphAction, GraphResource

FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ROUND_TRIP = settings(FUZZ, max_examples=40)
HEADER = struct.Struct(">4sBBHI")
INT64 = st.integers(-(1 << 63), (1 << 63) - 1)
TEXT = st.text(max_size=12)


# ---- decoding everything a message may hold ---------------------------------------------
_READERS = {
    "sync-request": cluster_wire.read_start, "sync-offer": cluster_wire.read_offer,
    "sync": cluster_wire.read_whole_cib, "execute": cluster_wire.read_execute,
    "idle": cluster_wire.read_idle, "update": updates.from_envelope,
    "updates": updates.from_batch, "sync-abort": cluster_wire.read_abort,
    "fence-request": cluster_wire.read_fence_request, "fence-event": cluster_wire.read_fence_event,
    "fence-history": cluster_wire.read_fence_history,
}


def decode_all(data: bytes):
    """What the receiving node decodes of a message: the envelope, then its kind's fields."""
    env = wire.decode(data)
    reader = _READERS.get(env.kind)
    return env if reader is None else reader(env)


def refused_or_read(data: bytes) -> str | None:
    """The WireError's text, or None when the message was read; any other exception fails."""
    try:
        decode_all(data)
    except wire.WireError as err:
        assert str(err), "a WireError without a message"
        return str(err)
    return None


# ---- valid messages ---------------------------------------------------------------------
def _of_hint(hint) -> st.SearchStrategy:
    """Values of a status change's or result's field, as `values` declares them."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(st.none() if a is type(None) else _of_hint(a) for a in args))
    if origin is tuple:
        return st.lists(st.tuples(TEXT, TEXT), max_size=3).map(tuple)
    if dataclasses.is_dataclass(hint):
        return dataclass_values(hint)
    return {str: TEXT, int: INT64, bool: st.booleans(),
            float: st.floats(allow_nan=False, allow_infinity=False)}[hint]


def dataclass_values(cls) -> st.SearchStrategy:
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{f.name: _of_hint(hints[f.name]) for f in dataclasses.fields(cls)})


METAS = dataclass_values(Meta)
NODES = dataclass_values(NodeRef)
STATUS_OPS = st.one_of(*(dataclass_values(cls) for cls in values.STATUS_OPS.values()))
UPDATES = st.one_of(
    st.builds(Update, st.just("patch"), METAS, st.binary(max_size=64), force=st.booleans()),
    st.builds(Update, st.just("replace"), METAS, st.binary(max_size=64), force=st.booleans(),
              section=st.none() | TEXT),
    st.builds(Update, st.just("status"), METAS, ops=st.lists(STATUS_OPS, max_size=4).map(tuple),
              results=st.lists(dataclass_values(ActionResult), max_size=2).map(tuple)),
    st.builds(Update, st.just("dc"), METAS, dc=NODES, quorate=st.booleans(), dc_version=TEXT,
              cluster_name=st.none() | TEXT),
    st.builds(Update, st.just("nodes"), METAS, nodes=st.lists(NODES, max_size=3).map(tuple)),
)
STRINGS = st.dictionaries(TEXT, TEXT, max_size=3)
ACTIONS = st.builds(
    GraphAction, id=INT64, kind=TEXT, task=TEXT, key=TEXT, node=TEXT, node_id=TEXT,
    rsc=st.none() | st.builds(GraphResource, TEXT, TEXT, TEXT, st.none() | TEXT, TEXT),
    interval_ms=INT64, timeout_ms=INT64, expected_rc=INT64, transition_key=TEXT,
    inputs=st.just(()), params=STRINGS, meta=STRINGS)
ROUNDS = st.tuples(*[st.integers(0, wire.MAX_INT)] * 3)
JSON = st.recursive(st.none() | st.booleans() | INT64 | TEXT
                    | st.floats(allow_nan=False, allow_infinity=False),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8)
BODIES = st.binary(max_size=64) | st.tuples(st.binary(min_size=1, max_size=16), st.integers(
    wire.COMPRESS_ABOVE // 16 + 1, wire.COMPRESS_ABOVE // 8)).map(lambda t: t[0] * t[1])
ENVELOPES = st.builds(
    wire.Envelope, st.sampled_from(wire.KINDS), TEXT, st.integers(0, wire.MAX_INT),
    st.dictionaries(TEXT, JSON, max_size=4), BODIES, st.integers(0, wire.MAX_INT),
    st.integers(0, wire.MAX_PID))


def _samples() -> list[bytes]:
    """One valid message of every kind, and one with a compressed body."""
    request = FenceRequest("id-1", "node3", "reboot", "crmshell", "node1", 1700000000000)
    record = FenceRecord("id-1", "node3", "off", DONE, "crmshell", "node1", "node2",
                         1700000000000, 1700000001000, "")
    meta = Meta("node1", "crmshell", "root", 1700000000.5)
    action = GraphAction(3, "rsc", "start", "r1_start_0", "node2", "2",
                         GraphResource("r1", "r1", "ocf", "heartbeat", "Dummy"), 0, 20000, 0,
                         "3:1:0:uuid", (), {"a": "1"}, {"timeout": "20000"})
    result = ActionResult(NodeRef("1", "node1"), "r1", "r1_start_0", "start", 0, "3:1:0:uuid",
                          0, 0, "", 17)
    envs = [
        updates.to_envelope(Update("patch", meta, b"<diff format='2'/>"), "1", 7),
        updates.to_envelope(Update("status", meta, ops=(
            status_ops.RecordOp("1", "node1", "r1", "ocf", None, "Dummy", (("id", "x"),)),
            status_ops.ClearFailures("1", "r1", "monitor", 10000)), results=(result,)), "1", 8),
        updates.to_envelope(Update("dc", meta, dc=NodeRef("1", "node1"), quorate=True,
                                   dc_version="v", cluster_name=None), "1", 9),
        updates.to_envelope(Update("nodes", meta, nodes=(NodeRef("2", "node2"),)), "1", 10),
        cluster_wire.start("1", (1, 100, 2)),
        cluster_wire.abort("1", (1, 100, 2), 1),
        cluster_wire.offer("2", (1, 100, 2), (0, 5, 7), "ab" * 32),
        cluster_wire.whole_cib("1", (1, 100, 2), b"<cib>" + b"<x/>" * 17000 + b"</cib>"),
        cluster_wire.execute("1", action),
        cluster_wire.idle("1", 4),
        wire.Envelope("idle-query", "2", 3),
        cluster_wire.fence_request("1", request),
        cluster_wire.fence_event("2", record, manual=True),
        cluster_wire.fence_history("2", [record, request.record()]),
        updates.to_batch([(11, Update("patch", meta, b"<diff format='2'/>")),
                          (12, Update("nodes", meta, nodes=(NodeRef("3", "node3"),))),
                          (13, Update("replace", meta, b"<resources/>", section="resources"))],
                         "1"),
    ]
    return [wire.encode(dataclasses.replace(e, seq=i + 1, pid=4242)) for i, e in enumerate(envs)]


SAMPLES = _samples()
COMPRESSED = SAMPLES[7]
assert COMPRESSED[5] & wire.FLAG_COMPRESSED


def _parts(data: bytes) -> tuple[bytes, dict, bytes]:
    json_len = HEADER.unpack_from(data)[4]
    return data[:HEADER.size], json.loads(data[HEADER.size:HEADER.size + json_len]), \
        data[HEADER.size + json_len:]


def _assemble(doc, body: bytes = b"", flags: int = 0) -> bytes:
    text = json.dumps(doc).encode()
    return HEADER.pack(wire.MAGIC, wire.VERSION, flags, 0, len(text)) + text + body


# ---- round trips ------------------------------------------------------------------------
@ROUND_TRIP
@given(ENVELOPES)
def test_any_valid_envelope_comes_back_equal(env):
    assert wire.decode(wire.encode(env)) == env


@ROUND_TRIP
@given(UPDATES, TEXT, st.integers(0, wire.MAX_INT))
def test_any_update_comes_back_equal(update, origin, request):
    env = wire.decode(wire.encode(updates.to_envelope(update, origin, request)))
    assert (env.origin, env.request) == (origin, request)
    assert updates.from_envelope(env) == update


@ROUND_TRIP
@given(st.lists(st.tuples(st.integers(0, wire.MAX_INT), UPDATES), min_size=1, max_size=5), TEXT)
def test_any_batch_of_updates_comes_back_equal(items, origin):
    env = wire.decode(wire.encode(updates.to_batch(items, origin)))
    assert env.kind == "updates" and updates.from_batch(env) == items


@ROUND_TRIP
@given(ACTIONS)
def test_any_action_to_execute_comes_back_equal(action):
    assert cluster_wire.read_execute(wire.decode(wire.encode(
        cluster_wire.execute("1", action)))) == action


@ROUND_TRIP
@given(ROUNDS, ROUNDS, st.text(max_size=128), st.binary(min_size=1, max_size=64),
       st.none() | st.integers(0, wire.MAX_INT))
def test_sync_and_idle_messages_come_back_equal(round_, version, digest, cib, transition):
    def again(env):
        return wire.decode(wire.encode(env))

    assert cluster_wire.read_start(again(cluster_wire.start("1", round_))) == round_
    for peered in (False, True):
        assert cluster_wire.read_offer(again(cluster_wire.offer("1", round_, version, digest,
                                                                peered))) \
            == (round_, version, digest, peered)
    assert cluster_wire.read_whole_cib(again(cluster_wire.whole_cib("1", round_, cib))) \
        == (round_, cib)
    assert cluster_wire.read_idle(again(cluster_wire.idle("1", transition))) == transition


# ---- damage -----------------------------------------------------------------------------
@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data):
    refused_or_read(data)


@FUZZ
@given(st.binary(max_size=200))
def test_arbitrary_bytes_behind_a_valid_header(tail):
    refused_or_read(HEADER.pack(wire.MAGIC, wire.VERSION, 0, 0, len(tail)) + tail)
    refused_or_read(HEADER.pack(wire.MAGIC, wire.VERSION, wire.FLAG_COMPRESSED, 0, 0) + tail)


@FUZZ
@given(st.sampled_from(SAMPLES), st.lists(st.tuples(st.integers(0), st.integers(0, 7)),
                                          min_size=1, max_size=6))
def test_bit_flips_of_valid_messages(data, flips):
    damaged = bytearray(data)
    for where, bit in flips:
        damaged[where % len(damaged)] ^= 1 << bit
    refused_or_read(bytes(damaged))


@FUZZ
@given(st.sampled_from(SAMPLES), st.data())
def test_cuts_of_valid_messages(data, draw):
    cut = draw.draw(st.integers(0, len(data) - 1))
    assert refused_or_read(data[:cut]) is not None or cut >= HEADER.size


@FUZZ
@given(st.sampled_from(SAMPLES), st.integers(0, (1 << 32) - 1))
def test_any_json_length(data, json_len):
    text = refused_or_read(data[:8] + struct.pack(">I", json_len) + data[12:])
    if json_len > len(data) - HEADER.size:
        assert "runs past" in text


def _leaves(doc, path=()):
    """Every place in a JSON document, as a path of keys and indexes."""
    yield path
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for key, value in items:
        yield from _leaves(value, (*path, key))


def _get(doc, path):
    for key in path:
        doc = doc[key]
    return doc


def _named(path) -> str:
    """How an error names the field at `path`: 'kind' at the top, else fields.a[0].b up to
    the last key (an element of a list is named by its list; the keys of a map of strings,
    params and meta, by the map)."""
    if len(path) == 1:
        return f"'{path[0]}'"
    while isinstance(path[-1], int):
        path = path[:-1]
    if path[:3] in (("fields", "action", "params"), ("fields", "action", "meta")):
        path = path[:3]
    text = path[0]
    for key in path[1:]:
        text += f"[{key}]" if isinstance(key, int) else f".{key}"
    return text


def _wrong(value) -> st.SearchStrategy:
    """Values of another JSON type than `value`'s, and integers out of range."""
    others = [st.none(), st.booleans(), st.integers(-5, 5), st.just(1 << 64),
              st.just(-(1 << 63) - 1), st.floats(-1e9, 1e9), TEXT,
              st.lists(st.integers(), max_size=2), st.dictionaries(TEXT, st.integers(), max_size=2)]
    kinds = [type(None), bool, int, int, int, float, str, list, dict]
    return st.one_of(*(s for s, k in zip(others, kinds) if not isinstance(value, k)
                       or k is int and isinstance(value, bool)
                       or k is int and not isinstance(value, bool) and s is not others[2]))


@FUZZ
@given(st.sampled_from(SAMPLES), st.data())
def test_a_wrong_type_anywhere_is_named(data, draw):
    header, doc, body = _parts(data)
    path = draw.draw(st.sampled_from([p for p in _leaves(doc) if p]))
    parent, key = _get(doc, path[:-1]), path[-1]
    parent[key] = draw.draw(_wrong(parent[key]))
    text = refused_or_read(_assemble(doc, body, header[5]))
    if text is not None:
        assert _named(path) in text, (path, text)


@FUZZ
@given(st.sampled_from(SAMPLES), st.data())
def test_a_missing_or_extra_key_anywhere_is_named(data, draw):
    header, doc, body = _parts(data)
    objects = [p for p in _leaves(doc) if isinstance(_get(doc, p), dict) and _get(doc, p)]
    path = draw.draw(st.sampled_from(objects))
    target = _get(doc, path)
    if draw.draw(st.booleans()):
        key = draw.draw(st.sampled_from(sorted(target)))
        del target[key]
        named = (*path, key)
    else:
        target[draw.draw(st.text(min_size=1, max_size=5).filter(lambda k: k not in target))] = 1
        named = (*path, "?") if path else None
    text = refused_or_read(_assemble(doc, body, header[5]))
    if text is not None and named is not None:
        assert _named(named).removesuffix(".?") in text, (named, text)


@FUZZ
@given(st.sampled_from(SAMPLES), st.sampled_from(
    ["NaN", "Infinity", "-Infinity", "1e400", "9" * 5000, "[" * 3000, '"\\udc00"',
     '"\\ud800x"', str(1 << 70), "-" + str(1 << 64), "1.5", '"\\u0000"']))
def test_numbers_and_text_no_daemon_sends(data, literal):
    header, doc, body = _parts(data)
    leaves = [p for p in _leaves(doc) if p and not isinstance(_get(doc, p), (dict, list))]
    for path in leaves:
        parent = _get(doc, path[:-1])
        saved, parent[path[-1]] = parent[path[-1]], "\0MARK\0"
        text = json.dumps(doc).replace('"\\u0000MARK\\u0000"', literal).encode()
        parent[path[-1]] = saved
        raw = HEADER.pack(wire.MAGIC, wire.VERSION, header[5], 0, len(text)) + text + body
        refused_or_read(raw)


# ---- compressed bodies ------------------------------------------------------------------
def _with_body(body: bytes) -> bytes:
    header, doc, _ = _parts(COMPRESSED)
    return _assemble(doc, body, wire.FLAG_COMPRESSED)


@FUZZ
@given(st.binary(max_size=200))
def test_a_compressed_body_of_arbitrary_bytes(body):
    text = refused_or_read(_with_body(body))
    assert text is None or text.startswith("body")


@FUZZ
@given(st.data())
def test_a_damaged_compressed_body_is_refused_by_name(draw):
    _, _, body = _parts(COMPRESSED)
    how = draw.draw(st.sampled_from(["cut", "flip", "trail"]))
    if how == "cut":
        damaged = body[:draw.draw(st.integers(0, len(body) - 1))]
    elif how == "flip":
        damaged = bytearray(body)
        damaged[draw.draw(st.integers(0, len(body) - 1))] ^= 1 << draw.draw(st.integers(0, 7))
        damaged = bytes(damaged)
    else:
        damaged = body + draw.draw(st.binary(min_size=1, max_size=8))
    text = refused_or_read(_with_body(damaged))
    if how != "flip":       # a flipped bit can still inflate to a (different) document
        assert text is not None and text.startswith("body"), text


def _bomb(size: int) -> bytes:
    packer = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    parts = [packer.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join(parts) + packer.compress(b"\0" * (size % len(chunk))) + packer.flush()


def test_a_zip_bomb_is_refused_without_inflating_it_all():
    bomb = _bomb(wire.MAX_BODY + 1)
    assert len(bomb) < 100_000
    with pytest.raises(wire.WireError, match="body: the compressed body expands past"):
        wire.decode(_with_body(bomb))


def test_bodies_over_the_limit_are_refused_on_both_sides():
    big = b"\0" * (wire.MAX_BODY + 1)
    with pytest.raises(wire.WireError, match="body of"):
        wire.encode(wire.Envelope("sync", "1", 0, {}, big))
    header, doc, _ = _parts(SAMPLES[0])
    with pytest.raises(wire.WireError, match="body of"):
        wire.decode(_assemble(doc, big))


@FUZZ
@given(st.one_of(st.binary(max_size=100), JSON.map(lambda v: json.dumps(v).encode()),
                 st.integers(900, 5000).map(lambda n: b"[" * n + b"]" * n),
                 st.just(b"[" + b"9" * 5000 + b"]")))
def test_a_fencing_history_body_of_anything(body):
    text = refused_or_read(wire.encode(wire.Envelope("fence-history", "2", 0, {}, body,
                                                     seq=1, pid=1)))
    assert text is None or text.startswith("body"), text
