"""Frames: round trips however the bytes arrive, and every kind of damage named."""

from __future__ import annotations

import random
import socket
import struct

import pytest

from daemon.api.frames import (EVENT, MAGIC, PREFIX, REPLY, REQUEST, Frame, FrameError,
                               FrameReader, encode_frame, read_frame)

SAMPLES = [
    Frame(REQUEST, {"id": 1, "op": "hello", "args": {}}, b""),
    Frame(REPLY, {"id": 1, "ok": True, "result": {"text": "é ☃"}}, b"<cib/>"),
    Frame(EVENT, {"id": 7, "ok": True, "result": {}}, bytes(range(256)) * 40),
]


def _wire(frames=SAMPLES) -> bytes:
    return b"".join(encode_frame(f.kind, f.header, f.body) for f in frames)


@pytest.mark.parametrize("step", [None, 1, 7, 4096])
def test_frames_arrive_whole_however_split(step):
    data, reader, got = _wire(), FrameReader(), []
    step = step or len(data)
    for i in range(0, len(data), step):
        got += reader.feed(data[i:i + step])
    assert got == SAMPLES
    assert reader.pending() == 0


def test_a_cut_frame_is_pending():
    reader = FrameReader()
    assert reader.feed(_wire()[:-3]) == SAMPLES[:2]
    assert reader.pending() > 0


def _prefix(magic=MAGIC, version=1, kind=1, reserved=0, hlen=2, blen=0) -> bytes:
    return PREFIX.pack(magic, version, kind, reserved, hlen, blen)


@pytest.mark.parametrize("data, field, code", [
    (_prefix(magic=b"HTTP") + b"{}", "magic", "bad-request"),
    (_prefix(version=9) + b"{}", "version", "version"),
    (_prefix(kind=4) + b"{}", "kind", "bad-request"),
    (_prefix(reserved=1) + b"{}", "reserved", "bad-request"),
    (_prefix(hlen=(1 << 20) + 1), "header length", "too-large"),
    (_prefix(hlen=2) + b"\xff\xfe", "header", "bad-request"),
    (_prefix(hlen=3) + b"{x}", "header", "bad-request"),
    (_prefix(hlen=2) + b"[]", "header", "bad-request"),
])
def test_damage_is_named(data, field, code):
    with pytest.raises(FrameError) as err:
        FrameReader().feed(data)
    assert err.value.field == field and err.value.code == code
    assert str(err.value).startswith(f"frame {field}: ")


def test_oversized_body_is_refused_with_the_header_read():
    header = b'{"id":5}'
    with pytest.raises(FrameError) as err:
        FrameReader(max_body=100).feed(_prefix(hlen=len(header), blen=101) + header)
    assert (err.value.field, err.value.code, err.value.header) == ("body length", "too-large",
                                                                   {"id": 5})
    assert "101 bytes is over the limit of 100" in str(err.value)


def test_good_frames_before_a_bad_one_come_out_first():
    reader = FrameReader()
    assert reader.feed(_wire(SAMPLES[:1]) + b"garbage-garbage-garbage") == SAMPLES[:1]
    assert reader.failed is not None
    with pytest.raises(FrameError):
        reader.feed(b"")


def test_fuzzed_frames_fail_only_with_frame_error():
    rng = random.Random(20261203)
    base = _wire()
    for _ in range(3000):
        data = bytearray(base)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.2:
            data = data[:rng.randrange(len(data))]
        reader = FrameReader(max_body=1 << 16)
        try:
            for frame in reader.feed(bytes(data)):
                assert isinstance(frame.header, dict)
        except FrameError:
            pass


def test_blocking_reader_over_a_socketpair():
    left, right = socket.socketpair()
    with left, right:
        left.sendall(_wire())
        left.shutdown(socket.SHUT_WR)
        assert [read_frame(right) for _ in SAMPLES] == SAMPLES
        assert read_frame(right) is None


def test_blocking_reader_names_a_frame_cut_short():
    left, right = socket.socketpair()
    with left, right:
        left.sendall(_wire()[:20])
        left.close()
        with pytest.raises(ConnectionError, match="peer closed the connection 4 bytes into"):
            read_frame(right)


def test_encode_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        encode_frame(9, {})
    assert struct.unpack_from(">4s", encode_frame(REQUEST, {}))[0] == MAGIC
