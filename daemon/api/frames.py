"""Frames on the local API socket: a fixed binary header, a JSON object, a raw body.

    magic "CRMA" | version u8 | kind u8 | reserved u16 | header length u32 | body length u32
    | JSON header (UTF-8 object) | body (CIB XML bytes, uncompressed)

The body stays out of the JSON so a 10 MB CIB is neither escaped nor parsed twice. Lengths
are checked against the limits before anything is buffered, so a hostile peer cannot make
the daemon allocate more than the limits. Every fault is a `FrameError` naming the field.
"""

from __future__ import annotations

import json
import struct
from collections import namedtuple

MAGIC = b"CRMA"
VERSION = 1
REQUEST, REPLY, EVENT = 1, 2, 3
KIND_NAMES = {REQUEST: "request", REPLY: "reply", EVENT: "event"}
MAX_HEADER = 1 << 20
MAX_BODY = 64 << 20
PREFIX = struct.Struct(">4sBBHII")


class FrameError(ValueError):
    """A frame that cannot be read. `code` is the API error code to answer with; `header` is
    the JSON header when it could still be read (to answer with the request's id)."""

    def __init__(self, field: str, message: str, *, code: str = "bad-request",
                 header: dict | None = None):
        super().__init__(f"frame {field}: {message}")
        self.field = field
        self.code = code
        self.header = header


# A named tuple, not a dataclass: dataclasses (and the inspect module they pull in) would
# double what importing the client costs the shell's start.
Frame = namedtuple("Frame", "kind header body", defaults=(b"",))


def encode_frame(kind: int, header: dict, body: bytes = b"") -> bytes:
    if kind not in KIND_NAMES:
        raise ValueError(f"frame kind {kind!r} is not one of {sorted(KIND_NAMES)}")
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return PREFIX.pack(MAGIC, VERSION, kind, 0, len(text), len(body)) + text + body


def parse_prefix(data, max_header: int = MAX_HEADER, max_body: int = MAX_BODY):
    """(kind, header length, body length) from the fixed header. A body over the limit is
    reported later, once the JSON header (with the request id) is in."""
    magic, version, kind, reserved, header_len, body_len = PREFIX.unpack_from(data)
    if magic != MAGIC:
        raise FrameError("magic", f"{bytes(magic)!r} is not {MAGIC!r} (not a crmshell API peer)")
    if version != VERSION:
        raise FrameError("version", f"{version} is not supported (this side speaks {VERSION})",
                         code="version")
    if kind not in KIND_NAMES:
        raise FrameError("kind", f"{kind} is not one of "
                         + ", ".join(f"{k} ({n})" for k, n in KIND_NAMES.items()))
    if reserved:
        raise FrameError("reserved", f"must be 0, got {reserved}")
    if header_len > max_header:
        raise FrameError("header length", f"{header_len} bytes is over the limit of {max_header}",
                         code="too-large")
    return kind, header_len, body_len


def parse_header(data) -> dict:
    try:
        doc = json.loads(bytes(data).decode("utf-8"))
    except UnicodeDecodeError as err:
        raise FrameError("header", f"not UTF-8 at byte {err.start}") from None
    except json.JSONDecodeError as err:
        raise FrameError("header", f"malformed JSON at line {err.lineno} column {err.colno}: "
                         f"{err.msg}") from None
    if not isinstance(doc, dict):
        raise FrameError("header", f"expected a JSON object, got {type(doc).__name__}")
    return doc


def _check_body(header: dict, body_len: int, max_body: int) -> None:
    if body_len > max_body:
        raise FrameError("body length", f"{body_len} bytes is over the limit of {max_body}",
                         code="too-large", header=header)


class FrameReader:
    """Bytes in, frames out, for the asyncio side. After a `FrameError` the stream has lost
    its framing: the caller answers once and closes."""

    def __init__(self, max_header: int = MAX_HEADER, max_body: int = MAX_BODY):
        self.max_header = max_header
        self.max_body = max_body
        self._buf = bytearray()
        self._prefix = None        # (kind, header length, body length) of the frame being read
        self._header = None
        self.failed: FrameError | None = None

    def feed(self, data: bytes) -> list[Frame]:
        """The frames completed by `data`. A fault after some good frames is kept in
        `failed` and raised by the next feed, so the good ones are answered first."""
        if self.failed is not None:
            raise self.failed
        self._buf += data
        frames = []
        while True:
            try:
                frame = self._next()
            except FrameError as err:
                self.failed = err
                if frames:
                    return frames
                raise
            if frame is None:
                return frames
            frames.append(frame)

    def header_so_far(self) -> dict | None:
        """The JSON header of the frame being read, once it is in (its id, for a refusal)."""
        return self._header

    def pending(self) -> int:
        """Bytes of an unfinished frame (non-zero at EOF means the peer cut a frame short)."""
        return len(self._buf)

    def _next(self) -> Frame | None:
        buf = self._buf
        if self._prefix is None:
            if len(buf) < PREFIX.size:
                return None
            self._prefix = parse_prefix(buf, self.max_header, self.max_body)
            del buf[:PREFIX.size]
        kind, header_len, body_len = self._prefix
        if self._header is None:
            if len(buf) < header_len:
                return None
            self._header = parse_header(buf[:header_len])
            del buf[:header_len]
            _check_body(self._header, body_len, self.max_body)
        if len(buf) < body_len:
            return None
        body = bytes(buf[:body_len])
        del buf[:body_len]
        frame = Frame(kind, self._header, body)
        self._prefix = self._header = None
        return frame


def read_frame(sock, max_header: int = MAX_HEADER, max_body: int = MAX_BODY) -> Frame | None:
    """One frame from a blocking socket; None when the peer closed between frames, and a
    ConnectionError when it closed inside one (it went away; the bytes were not wrong)."""
    prefix = _recv_exact(sock, PREFIX.size, at_start=True)
    if prefix is None:
        return None
    kind, header_len, body_len = parse_prefix(prefix, max_header, max_body)
    header = parse_header(_recv_exact(sock, header_len))
    _check_body(header, body_len, max_body)
    return Frame(kind, header, _recv_exact(sock, body_len))


def _recv_exact(sock, size: int, at_start: bool = False):
    buf = bytearray(size)
    view = memoryview(buf)
    got = 0
    while got < size:
        n = sock.recv_into(view[got:], min(size - got, 1 << 20))
        if n == 0:
            if at_start and got == 0:
                return None
            raise ConnectionAbortedError(f"peer closed the connection {got} bytes into a "
                                         f"{size}-byte part of a frame")
        got += n
    return bytes(buf)
