"""The remote API's messages: what decodes, and that nothing hostile gets past as a traceback."""

from __future__ import annotations

import hashlib
import json
import struct

import pytest
from hypothesis import given, settings, strategies as st

from daemon.remote import protocol
from daemon.remote.protocol import ProtocolError


def request_doc(**over):
    doc = {"v": 1, "id": 7, "op": "ping", "args": {}}
    doc.update(over)
    return doc


def refused(doc_or_bytes, field=None, code="bad-request") -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        if isinstance(doc_or_bytes, (bytes, bytearray)):
            protocol.parse_request(protocol.decode(doc_or_bytes))
        else:
            protocol.parse_request(doc_or_bytes)
    err = info.value
    assert err.code == code
    if field is not None:
        assert err.field == field and field in err.message
    return err


def test_unicode_that_is_unicode_passes():
    doc = protocol.decode(rb'{"v":1,"id":1,"op":"x","args":{"\u00e9":"\ud83d\ude00 caf\u00e9"}}')
    assert doc["args"] == {"é": "😀 café"}


def test_a_request_goes_through_framing_and_back():
    req = protocol.Request(3, "auth", None, {"user": "hacluster", "password": "x"})
    data = protocol.frame(req.to_json())
    assert protocol.message_length(data[:4]) == len(data) - 4
    back = protocol.parse_request(protocol.decode(data[4:]))
    assert (back.id, back.op, back.token, back.args) == (3, "auth", None, req.args)
    assert "x" not in repr(back) and "hacluster" not in repr(back)


def test_the_length_is_checked_before_anything_is_read():
    assert protocol.message_length(struct.pack(">I", protocol.MAX_MESSAGE)) == protocol.MAX_MESSAGE
    err = pytest.raises(ProtocolError, protocol.message_length, b"\xff\xff\xff\xff").value
    assert err.code == "too-large" and err.field == "length" and "4294967295" in err.message


def test_an_oversized_message_is_not_framed():
    with pytest.raises(ValueError, match="over the limit"):
        protocol.frame({"x": "a" * protocol.MAX_MESSAGE})


@pytest.mark.parametrize("data,words", [
    (b"\xff\xfe", "not UTF-8"),
    (b"{", "malformed JSON"),
    (b"", "malformed JSON"),
    (b'{"v": NaN}', "NaN"),
    (b'{"v": -Infinity}', "Infinity"),
    (b'{"v": 1, "v": 1}', "duplicate key"),
    (b"[1, 2]", "JSON object, got an array"),
    (b'"text"', "got a string"),
    (b"[" * 100000 + b"]" * 100000, "nested deeper"),
    (b'{"a":' * 40 + b"1" + b"}" * 40, "nested deeper"),
    (b'{"id": ' + b"9" * 5000 + b"}", "digits"),
    (b'{"token": "\\ud800"}', "surrogate"),
    (b'{"args": {"\\udfff": 1}}', "surrogate"),
    (b'{"args": {"a": ["\\ud83d"]}}', "surrogate"),
])
def test_malformed_json_is_refused_naming_the_message(data, words):
    err = refused(data, field=None)
    assert err.field == "message" and words in err.message


@pytest.mark.parametrize("over,field", [
    ({"v": 2}, "v"), ({"v": True}, "v"), ({"v": "1"}, "v"),
    ({"id": -1}, "id"), ({"id": 1.5}, "id"), ({"id": True}, "id"), ({"id": 1 << 60}, "id"),
    ({"op": 5}, "op"), ({"op": ""}, "op"), ({"op": "Ping"}, "op"), ({"op": "x" * 65}, "op"),
    ({"op": "a b"}, "op"), ({"token": 5}, "token"), ({"token": ""}, "token"),
    ({"token": "t" * 257}, "token"), ({"args": []}, "args"), ({"args": "x"}, "args"),
    ({"extra": 1}, "extra"),
])
def test_a_wrong_field_is_named(over, field):
    refused(request_doc(**over), field=field)


def test_a_missing_field_is_named():
    for key in ("v", "id", "op"):
        doc = request_doc()
        del doc[key]
        refused(doc, field=key)


def test_the_id_comes_back_with_the_refusal_when_it_could_be_read():
    assert refused(request_doc(op=5)).request_id == 7
    assert refused(request_doc(id="x")).request_id is None


def test_replies_are_read_or_refused():
    assert protocol.parse_reply(protocol.ok_reply(4, {"a": 1}), 4) == (True, {"a": 1})
    err = protocol.error_reply(4, "denied", "no", None)
    assert protocol.parse_reply(err, 4) == (False, ("denied", "no", None))
    assert protocol.parse_reply(protocol.error_reply(None, "too-large", "big"), 4)[0] is False
    for bad, field in [({"v": 1, "id": 5, "ok": True, "result": {}}, "id"),
                       ({"v": 1, "id": 4, "ok": "yes"}, "ok"),
                       ({"v": 1, "id": 4, "ok": True, "result": []}, "result"),
                       ({"v": 1, "id": 4, "ok": False, "error": {"code": 1}}, "error"),
                       ({"id": 4, "ok": True, "result": {}}, "v")]:
        with pytest.raises(ProtocolError) as info:
            protocol.parse_reply(bad, 4)
        assert info.value.field == field


def test_the_fingerprint_is_openssl_style():
    der = b"certificate bytes"
    digest = hashlib.sha256(der).hexdigest().upper()
    fp = protocol.fingerprint(der)
    assert fp.startswith("SHA256:") and fp[7:].replace(":", "") == digest
    assert len(fp[7:].split(":")) == 32
    assert protocol.same_fingerprint(fp.lower(), fp) and not protocol.same_fingerprint(fp, "SHA256:00")


# -- hostile input: only ProtocolError, whatever comes ----------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30)


def _decode_and_parse(data: bytes) -> None:
    try:
        protocol.parse_request(protocol.decode(data))
    except ProtocolError as err:
        assert err.code in protocol.CODES and err.message


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_decode_or_are_refused(data):
    _decode_and_parse(data)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(["v", "id", "op", "token", "args", "x"]), json_values,
                       max_size=6))
def test_random_json_objects_parse_or_are_refused(doc):
    _decode_and_parse(json.dumps(doc).encode())


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='{}[]":,1a\\ntrufalse', max_size=200))
def test_json_like_text_is_refused_cleanly(text):
    _decode_and_parse(text.encode())
