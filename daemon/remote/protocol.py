"""Messages of the remote API, pure: a 4-byte big-endian length, then a UTF-8 JSON object.

    request  {"v": 1, "id": N, "op": "NAME", "token": "...", "args": {...}}
    reply    {"v": 1, "id": N, "ok": true, "result": {...}}
             {"v": 1, "id": N, "ok": false, "error": {"code": C, "message": M, "field": F}}

The other end may be anyone on the network, so decoding trusts nothing: the length is checked
before a byte is buffered, JSON constants (NaN, Infinity), duplicate keys and deep nesting are
refused, and every fault is a `ProtocolError` whose message names the field - never a
traceback. Standard library only, so the shell's client can import it cheaply.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct

VERSION = 1
MAX_MESSAGE = 4 << 20          # 4 MiB, either way
MAX_DEPTH = 32                 # nesting of arrays and objects in one message
LENGTH = struct.Struct(">I")
MAX_ID = (1 << 53) - 1         # what a JavaScript or Go peer still reads exactly
MAX_TOKEN = 256
OP_NAME = re.compile(r"[a-z][a-z0-9_.-]{0,63}\Z")

CODES = (
    "bad-request",       # malformed message or arguments: `field` names the place
    "unauthenticated",   # no token, or one unknown, expired or revoked on this node
    "denied",            # PAM refused the password, or the user is not in haclient
    "failed",            # the operation ran and did not succeed: the message says why
    "unknown-op",
    "too-large",         # a message over MAX_MESSAGE
)


class ProtocolError(ValueError):
    """A message that cannot be used. `code` is what to answer with, `field` the place,
    `request_id` the request's id when it could still be read (to answer it)."""

    def __init__(self, code: str, field: str | None, message: str,
                 request_id: int | None = None):
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message
        self.request_id = request_id


def fingerprint(der: bytes) -> str:
    """'SHA256:AB:CD:...' of a DER certificate, as `openssl x509 -fingerprint -sha256`
    prints it (uppercase pairs), so an administrator can compare the two by eye."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return "SHA256:" + ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def same_fingerprint(a: str, b: str) -> bool:
    """Equal up to case and surrounding blanks (a pasted fingerprint may be lowercase)."""
    return a.strip().upper() == b.strip().upper()


# -- framing -------------------------------------------------------------------------------

def frame(doc: dict) -> bytes:
    """A message ready to send; ValueError if it is over the limit or not plain JSON."""
    data = json.dumps(doc, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")
    if len(data) > MAX_MESSAGE:
        raise ValueError(f"message of {len(data)} bytes is over the limit of {MAX_MESSAGE}")
    return LENGTH.pack(len(data)) + data


def message_length(prefix: bytes, limit: int = MAX_MESSAGE) -> int:
    """The length announced by a 4-byte prefix, checked before anything else is read."""
    (size,) = LENGTH.unpack(prefix)
    if size > limit:
        raise ProtocolError("too-large", "length",
                            f"message length {size} is over the limit of {limit} bytes")
    return size


def decode(data: bytes) -> dict:
    """The JSON object of one message (its body, without the length prefix)."""
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProtocolError("bad-request", "message", f"not UTF-8 at byte {err.start}") from None
    try:
        doc = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as err:
        raise ProtocolError("bad-request", "message", f"malformed JSON at line {err.lineno} "
                            f"column {err.colno}: {err.msg}") from None
    except RecursionError:
        raise ProtocolError("bad-request", "message",
                            f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as err:   # NaN, a duplicate key, an integer too long to convert
        raise ProtocolError("bad-request", "message", str(err)) from None
    if not isinstance(doc, dict):
        raise ProtocolError("bad-request", "message",
                            f"expected a JSON object, got {_json_type(doc)}")
    _check_tree(doc)
    return doc


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not allowed (JSON has no such number)")


def _unique_keys(pairs: list) -> dict:
    doc = {}
    for key, value in pairs:
        if key in doc:
            raise ValueError(f"duplicate key {key!r:.80}")
        doc[key] = value
    return doc


def _check_tree(doc) -> None:
    """Not nested too deep, and no lone surrogate in a string (a JSON escape like \\ud800
    decodes to one; it cannot be encoded again, nor hashed as a token)."""
    todo = [(doc, 1)]
    while todo:
        node, level = todo.pop()
        if level > MAX_DEPTH:
            raise ProtocolError("bad-request", "message",
                                f"nested deeper than {MAX_DEPTH} levels")
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            for text in (key, child):
                if isinstance(text, str) and not text.isascii():
                    try:
                        text.encode("utf-8")
                    except UnicodeEncodeError:
                        raise ProtocolError("bad-request", "message", "a string holds a lone "
                                            "surrogate (not a Unicode character)") from None
            if isinstance(child, (dict, list)):
                todo.append((child, level + 1))


def _json_type(value) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "an array", dict: "an object"}.get(type(value), type(value).__name__)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- requests ------------------------------------------------------------------------------

REQUEST_KEYS = ("v", "id", "op", "token", "args")


class Request:
    __slots__ = ("id", "op", "token", "args")

    def __init__(self, id: int, op: str, token: str | None = None, args: dict | None = None):
        self.id, self.op, self.token, self.args = id, op, token, args if args is not None else {}

    def __repr__(self) -> str:   # never the token or the arguments (a password may be there)
        return f"Request(id={self.id}, op={self.op!r})"

    def to_json(self) -> dict:
        doc = {"v": VERSION, "id": self.id, "op": self.op, "args": self.args}
        if self.token is not None:
            doc["token"] = self.token
        return doc


def parse_request(doc: dict) -> Request:
    rid = doc.get("id")
    rid = rid if _is_int(rid) and 0 <= rid <= MAX_ID else None

    def bad(field: str, message: str, code: str = "bad-request") -> ProtocolError:
        return ProtocolError(code, field, f"request {field}: {message}", rid)

    for key in doc:
        if key not in REQUEST_KEYS:
            raise bad(key[:64], f"unknown key (a request has {', '.join(REQUEST_KEYS)})")
    version = doc.get("v")
    if not _is_int(version):
        raise bad("v", f"expected the protocol version {VERSION}, got {_json_type(version)}")
    if version != VERSION:
        raise bad("v", f"version {version} is not supported (this node speaks {VERSION})")
    if rid is None:
        got = doc.get("id")
        raise bad("id", f"expected a number from 0 to {MAX_ID}, got "
                  + ("one out of that range" if _is_int(got) else _json_type(got)))
    op = doc.get("op")
    if not isinstance(op, str):
        raise bad("op", f"expected a string, got {_json_type(op)}")
    if not OP_NAME.match(op):
        raise bad("op", f"{op[:64]!r} is not an operation name (lowercase letters, digits, "
                  "'-', '_' and '.', at most 64)")
    token = doc.get("token")
    if token is not None and (not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN):
        raise bad("token", f"expected a string of 1 to {MAX_TOKEN} characters"
                  + ("" if isinstance(token, str) else f", got {_json_type(token)}"))
    args = doc.get("args", {})
    if not isinstance(args, dict):
        raise bad("args", f"expected an object, got {_json_type(args)}")
    return Request(rid, op, token, args)


# -- replies -------------------------------------------------------------------------------

def ok_reply(request_id: int | None, result: dict) -> dict:
    return {"v": VERSION, "id": request_id, "ok": True, "result": result}


def error_reply(request_id: int | None, code: str, message: str,
                field: str | None = None) -> dict:
    return {"v": VERSION, "id": request_id, "ok": False,
            "error": {"code": code, "message": message, "field": field}}


def parse_reply(doc: dict, request_id: int):
    """(True, result) or (False, (code, message, field)); ProtocolError for a reply that is
    not one (a peer that is not a crmshell node, or a broken one)."""
    def bad(field: str, message: str) -> ProtocolError:
        return ProtocolError("bad-reply", field, f"reply {field}: {message}")

    if doc.get("v") != VERSION or not _is_int(doc.get("v")):
        raise bad("v", f"expected version {VERSION}, got {str(doc.get('v'))[:40]}")
    if doc.get("id") != request_id and doc.get("id") is not None:
        raise bad("id", f"answers request {str(doc.get('id'))[:40]}, not {request_id}")
    ok = doc.get("ok")
    if ok is True:
        result = doc.get("result")
        if not isinstance(result, dict):
            raise bad("result", f"expected an object, got {_json_type(result)}")
        return True, result
    if ok is not False:
        raise bad("ok", f"expected true or false, got {_json_type(ok)}")
    error = doc.get("error")
    if not isinstance(error, dict):
        raise bad("error", f"expected an object, got {_json_type(error)}")
    code, message, field = error.get("code"), error.get("message"), error.get("field")
    if not isinstance(code, str) or not isinstance(message, str):
        raise bad("error", "expected a code and a message (strings)")
    return False, (code, message, field if isinstance(field, str) else None)
