"""Messages between daemons: a checked header, a JSON object, an optional body.

    magic "CRMR" | version u8 | flags u8 | reserved u16 | json length u32 | json | body

The body (a patch, a CIB) is sent raw, zlib-compressed when large (flag bit 0). Decoding
trusts nothing: every length, the version, the JSON and the envelope's fields are checked,
and any fault is a `WireError` that names it, which the receiver logs before dropping the
message. A peer's bad message never reaches the store.

What JSON allows but no daemon sends is refused too, because each of it would fail later
and elsewhere: integers of over 4300 digits (Python refuses to read them, with a ValueError),
NaN and infinities (a timestamp in the CIB), lone surrogates (text that cannot be written as
UTF-8 or XML), nesting deep enough for a RecursionError in the parser. The readers of the
fields (here, `values`, `cluster_wire`) hold integers to 64 bits (`is_int`) and numbers to
finite ones. A compressed body must be one whole zlib
stream that inflates to at most `MAX_BODY` bytes, so a small message cannot make a node
allocate a gigabyte. Error texts show at most a short excerpt of what a peer sent.

`seq` and `pid` say which message of which process this is: the sender stamps them (see
`admission`), the receiver holds them against what corosync says of the sender.
"""

from __future__ import annotations

import json
import reprlib
import struct
import zlib
from dataclasses import dataclass, field

MAGIC = b"CRMR"
VERSION = 2                     # 2: seq and pid
_HEADER = struct.Struct(">4sBBHI")
FLAG_COMPRESSED = 0x01
COMPRESS_ABOVE = 64 * 1024
MAX_JSON = 16 << 20
MAX_BODY = 64 << 20             # a CIB inflated: far over any real one (a few MB)
MAX_MESSAGE = _HEADER.size + MAX_JSON + MAX_BODY
MAX_INT = (1 << 63) - 1
MAX_PID = (1 << 32) - 1
_SHOWN = reprlib.Repr()
_SHOWN.maxstring = _SHOWN.maxother = 60
_SHOWN.maxlevel = 2

KINDS = ("update", "updates", "sync-request", "sync-offer", "sync", "sync-abort", "execute", "idle-query", "idle",
         "fence-request", "fence-event", "fence-history")


class WireError(ValueError):
    """A message that cannot be used; the text says what is wrong with it."""


def shown(value) -> str:
    """`value` as an error text may show it: a short excerpt of what a peer sent."""
    return _SHOWN.repr(value)


@dataclass(frozen=True)
class Envelope:
    kind: str
    origin: str                 # the sending node's id (corosync's node id, as text)
    request: int                # the sender's request number (0: not awaited)
    fields: dict = field(default_factory=dict, hash=False)
    body: bytes = b""
    seq: int = 0                # the sending process's message number (stamped on sending)
    pid: int = 0                # the sending process's pid, as corosync knows it


def encode(env: Envelope) -> bytes:
    """The message's bytes; WireError when it could not be decoded on the other side."""
    if len(env.body) > MAX_BODY:
        raise WireError(f"body of {len(env.body)} bytes is over the limit of {MAX_BODY}")
    doc = {"kind": env.kind, "origin": env.origin, "request": env.request, "seq": env.seq,
           "pid": env.pid, "fields": env.fields}
    try:
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as err:
        raise WireError(f"fields cannot be sent as JSON: {err}") from None
    if len(text) > MAX_JSON:
        raise WireError(f"JSON of {len(text)} bytes is over the limit of {MAX_JSON}")
    body, flags = env.body, 0
    if len(body) > COMPRESS_ABOVE:
        body, flags = zlib.compress(body, 1), FLAG_COMPRESSED
    return _HEADER.pack(MAGIC, VERSION, flags, 0, len(text)) + text + body


def decode(data: bytes) -> Envelope:
    if len(data) < _HEADER.size:
        raise WireError(f"message of {len(data)} bytes is shorter than its header")
    if len(data) > MAX_MESSAGE:
        raise WireError(f"message of {len(data)} bytes is over the limit of {MAX_MESSAGE}")
    magic, version, flags, _, json_len = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise WireError(f"bad magic {magic!r} (not a crmshell message)")
    if version != VERSION:
        raise WireError(f"protocol version {version} is not supported (this node speaks {VERSION})")
    if flags & ~FLAG_COMPRESSED:
        raise WireError(f"unknown flags 0x{flags:02x}")
    end = _HEADER.size + json_len
    if json_len > MAX_JSON or end > len(data):
        raise WireError(f"JSON length {json_len} runs past the message ({len(data)} bytes)")
    doc = parse_json(data[_HEADER.size:end])
    body = data[end:]
    if flags & FLAG_COMPRESSED:
        body = _inflate(body)
    elif len(body) > MAX_BODY:
        raise WireError(f"body of {len(body)} bytes is over the limit of {MAX_BODY}")
    return Envelope(_field(doc, "kind", str, choices=KINDS), _field(doc, "origin", str),
                    _field(doc, "request", int), _field(doc, "fields", dict), body,
                    _field(doc, "seq", int), _field(doc, "pid", int, most=MAX_PID))


def parse_json(raw: bytes):
    """A peer's JSON text, as `decode` reads the envelope's (a body of JSON too)."""
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=_constant)
        if b"\\u" in raw:     # only an escape can make a lone surrogate: is it all UTF-8?
            json.dumps(doc, ensure_ascii=False).encode("utf-8")
    except WireError:
        raise
    except UnicodeDecodeError as err:
        raise WireError(f"JSON is not UTF-8 at byte {err.start}") from None
    except UnicodeEncodeError:
        raise WireError("JSON: a string holds a lone surrogate (not text)") from None
    except json.JSONDecodeError as err:
        raise WireError(f"JSON is malformed at line {err.lineno} column {err.colno}: {err.msg}") from None
    except RecursionError:
        raise WireError("JSON nests too deep") from None
    except ValueError:      # int(): Python reads integers of at most 4300 digits
        raise WireError("JSON: an integer is too long to read") from None
    return doc


def _constant(name: str):
    raise WireError(f"JSON: {name} is not a number a daemon sends")


def is_int(value, least: int = -MAX_INT - 1, most: int = MAX_INT) -> bool:
    """An integer a daemon sends (not a bool, within 64 bits or the range given)."""
    return isinstance(value, int) and not isinstance(value, bool) and least <= value <= most


def _inflate(body: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(body, MAX_BODY)
    except zlib.error as err:
        raise WireError(f"body: the compressed body is corrupt: {err}") from None
    if inflater.unconsumed_tail or (not inflater.eof and len(out) >= MAX_BODY):
        raise WireError(f"body: the compressed body expands past {MAX_BODY} bytes")
    if not inflater.eof:
        raise WireError("body: the compressed body is cut short")
    if inflater.unused_data:
        raise WireError(f"body: {len(inflater.unused_data)} bytes follow the compressed body")
    return out


def _field(doc, name: str, kind: type, *, choices=None, most: int = MAX_INT):
    if not isinstance(doc, dict):
        raise WireError("message is not a JSON object")
    if name not in doc:
        raise WireError(f"field '{name}' is missing")
    value = doc[name]
    if kind is int:
        if not is_int(value, 0, most):
            raise WireError(f"field '{name}': expected an integer in 0..{most}, got {shown(value)}")
    elif not isinstance(value, kind):
        raise WireError(f"field '{name}': expected {kind.__name__}, got {type(value).__name__}")
    if choices is not None and value not in choices:
        raise WireError(f"field '{name}': {shown(value)} is not one of {', '.join(choices)}")
    return value
