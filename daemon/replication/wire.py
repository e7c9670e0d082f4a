"""Messages between daemons: a checked header, a JSON object, an optional body.

    magic "CRMR" | version u8 | flags u8 | reserved u16 | json length u32 | json | body

The body (a patch, a CIB) is sent raw, zlib-compressed when large (flag bit 0). Decoding
trusts nothing: every length, the version, the JSON and the envelope's fields are checked,
and any fault is a `WireError` that names it, which the receiver logs before dropping the
message. A peer's bad message never reaches the store.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass, field

MAGIC = b"CRMR"
VERSION = 1
_HEADER = struct.Struct(">4sBBHI")
FLAG_COMPRESSED = 0x01
COMPRESS_ABOVE = 64 * 1024
MAX_MESSAGE = 1 << 30          # what corosync will carry whole, with room
MAX_JSON = 16 << 20

KINDS = ("update", "sync-request", "sync-offer", "sync", "execute", "idle-query", "idle",
         "fence-request", "fence-event", "fence-history")


class WireError(ValueError):
    """A message that cannot be used; the text says what is wrong with it."""


@dataclass(frozen=True)
class Envelope:
    kind: str
    origin: str                 # the sending node's name
    request: int                # the sender's request number (0: not awaited)
    fields: dict = field(default_factory=dict, hash=False)
    body: bytes = b""


def encode(env: Envelope) -> bytes:
    doc = {"kind": env.kind, "origin": env.origin, "request": env.request, "fields": env.fields}
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
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
    try:
        doc = json.loads(data[_HEADER.size:end].decode("utf-8"))
    except UnicodeDecodeError as err:
        raise WireError(f"JSON is not UTF-8 at byte {err.start}") from None
    except json.JSONDecodeError as err:
        raise WireError(f"JSON is malformed at line {err.lineno} column {err.colno}: {err.msg}") from None
    body = data[end:]
    if flags & FLAG_COMPRESSED:
        try:
            body = _inflate(body)
        except zlib.error as err:
            raise WireError(f"compressed body is corrupt: {err}") from None
    return Envelope(_field(doc, "kind", str, choices=KINDS), _field(doc, "origin", str),
                    _field(doc, "request", int), _field(doc, "fields", dict), body)


def _inflate(body: bytes) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(body, MAX_MESSAGE)
    if inflater.unconsumed_tail:
        raise zlib.error(f"expands past {MAX_MESSAGE} bytes")
    return out


def _field(doc, name: str, kind: type, *, choices=None):
    if not isinstance(doc, dict):
        raise WireError("message is not a JSON object")
    if name not in doc:
        raise WireError(f"field '{name}' is missing")
    value = doc[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise WireError(f"field '{name}': expected {kind.__name__}, got {type(value).__name__}")
    if choices is not None and value not in choices:
        raise WireError(f"field '{name}': {value!r} is not one of {', '.join(choices)}")
    return value
