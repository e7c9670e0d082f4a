"""Requests checked field by field against the op table; errors as JSON and back."""

from __future__ import annotations

import pytest

from daemon.api.errors import CODES, ApiError, DaemonUnavailable
from daemon.api.protocol import OPS, Request, parse_request


def _bad(header, body=b"", code="bad-request") -> ApiError:
    with pytest.raises(ApiError) as err:
        parse_request(header, body)
    assert err.value.code == code
    return err.value


def test_a_good_request():
    req = parse_request({"id": 3, "op": "wait", "args": {"timeout": 2.5}})
    assert req == Request(3, "wait", {"timeout": 2.5}, b"")
    assert parse_request({"id": 0, "op": "hello"}).args == {}
    assert parse_request({"id": 1, "op": "node", "args": {"action": "attribute", "value": None}})


def test_every_op_parses_with_its_required_args():
    for op, spec in OPS.items():
        args = {a.name: (a.choices or ("x",))[0] for a in spec.args if a.required}
        body = b"<x/>" if spec.body == "required" else b""
        assert parse_request({"id": 1, "op": op, "args": args}, body).op == op


@pytest.mark.parametrize("header, body, message", [
    ({"op": "hello"}, b"", "id: missing"),
    ({"id": -1, "op": "hello"}, b"", "id: expected a non-negative integer, got number"),
    ({"id": True, "op": "hello"}, b"", "id: expected a non-negative integer, got boolean"),
    ({"id": 1}, b"", "op: missing"),
    ({"id": 1, "op": 5}, b"", "op: expected a string, got number"),
    ({"id": 1, "op": "wait", "args": []}, b"", "args: expected an object, got array"),
    ({"id": 1, "op": "wait", "args": {"timeout": "soon"}}, b"",
     "args.timeout: expected a number, got string 'soon'"),
    ({"id": 1, "op": "wait", "args": {"timeout": True}}, b"",
     "args.timeout: expected a number, got boolean True"),
    ({"id": 1, "op": "wait", "args": {"tmeout": 1}}, b"",
     "args.tmeout: op wait has no such argument (takes: timeout)"),
    ({"id": 1, "op": "resource", "args": {}}, b"", "args.action: required by op resource"),
    ({"id": 1, "op": "status", "args": {"format": "html"}}, b"",
     "args.format: 'html' is not one of text, xml"),
    ({"id": 1, "op": "node", "args": {"action": "x", "value": 3}}, b"",
     "args.value: expected a string or null, got number 3"),
    ({"id": 1, "op": "hello"}, b"<x/>", "body: op hello takes no body (got 4 bytes)"),
    ({"id": 1, "op": "apply-patch"}, b"", "body: op apply-patch needs a v2 patchset XML"),
])
def test_bad_requests_name_the_field(header, body, message):
    err = _bad(header, body)
    assert str(err) == message
    assert err.details["field"] == message.split(":")[0]


def test_unknown_op():
    err = _bad({"id": 1, "op": "frobnicate"}, code="unknown-op")
    assert "op 'frobnicate' is not known (known: hello, query," in str(err)


def test_errors_round_trip_as_json():
    for code in CODES:
        err = ApiError(code, "m", {"base": [0, 1, 2]} if code == "changed-meanwhile" else None)
        back = ApiError.from_json(err.to_json())
        assert (back.code, back.message, back.details) == (err.code, err.message, err.details)


@pytest.mark.parametrize("doc", [None, [], {"code": 1}, {"message": "x"}])
def test_a_broken_error_reply_is_itself_an_error(doc):
    assert ApiError.from_json(doc).code == "internal"


def test_daemon_unavailable_names_the_socket():
    err = DaemonUnavailable("/x/y.sock", "no socket there")
    assert isinstance(err, ApiError) and err.code == "unavailable"
    assert str(err) == "cannot reach the daemon at /x/y.sock: no socket there; is crmshelld running?"


def test_hello_result_lists_the_ops():
    from daemon.api.protocol import hello_result
    assert hello_result(node="node1") == {"api": 1, "ops": sorted(OPS), "node": "node1"}
