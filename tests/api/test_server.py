"""The server and the client over a real Unix socket: round trips, faults, concurrency."""

from __future__ import annotations

import hashlib
import os
import socket
import stat
import threading
import time

import pytest

from daemon.api.client import ApiClient, default_socket_path
from daemon.api.errors import ApiError, DaemonUnavailable
from daemon.api.frames import EVENT, PREFIX, REPLY, REQUEST, encode_frame, read_frame
from tests.api.serving import ServerThread


def _raw(path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(path)
    return sock


def _request(rid, op, args=None, body=b"") -> bytes:
    return encode_frame(REQUEST, {"id": rid, "op": op, "args": args or {}}, body)


def test_default_socket_path():
    assert default_socket_path({}) == "/run/crmshell/crmshelld.sock"
    assert default_socket_path({"CRMSHELL_SOCKET": "/tmp/x.sock"}) == "/tmp/x.sock"


def test_round_trips_reuse_one_connection(served, sock_path):
    with ApiClient(sock_path) as client:
        for _ in range(20):
            assert client.call("hello").result == {"api": 1}
        assert client.call("resource", {"action": "locate", "rsc": "r1"}).result == {
            "op": "resource", "args": {"action": "locate", "rsc": "r1"}}
        assert served.server.connections == 1
    caller = served.dispatch.callers[0]
    assert (caller.pid, caller.uid, caller.user) == (os.getpid(), os.geteuid(), "root")


def test_socket_and_directory_modes(served, sock_path):
    assert stat.S_IMODE(os.stat(sock_path).st_mode) == 0o660
    assert stat.S_IMODE(os.stat(os.path.dirname(sock_path)).st_mode) == 0o750
    assert stat.S_ISSOCK(os.stat(sock_path).st_mode)


def test_ten_megabyte_bodies_both_ways(served, sock_path):
    body = os.urandom(10 << 20)
    with ApiClient(sock_path) as client:
        reply = client.call("replace", {"section": "configuration"}, body)
        assert reply.result["sha256"] == hashlib.sha256(body).hexdigest()
        back = client.call("query")
        assert back.body == body and back.result["size"] == len(body)


def test_errors_from_dispatch_keep_the_connection(served, sock_path):
    with ApiClient(sock_path) as client:
        with pytest.raises(ApiError) as err:
            client.call("node", {"action": "missing"})
        assert (err.value.code, err.value.details) == ("not-found", {"node": "ghost"})
        with pytest.raises(ApiError) as err:
            client.call("node", {"action": "crash"})
        assert err.value.code == "internal" and "RuntimeError: a bug in dispatch" in str(err.value)
        with pytest.raises(ApiError, match="not a Reply|TypeError") as err:
            client.call("node", {"action": "junk"})
        assert err.value.code == "internal"
        with pytest.raises(ApiError) as err:
            client.call("frob")
        assert err.value.code == "unknown-op"
        with pytest.raises(ApiError) as err:
            client.call("wait", {"timeout": "soon"})
        assert str(err.value) == "args.timeout: expected a number, got string 'soon'"
        assert client.call("hello").result == {"api": 1}
        assert served.server.connections == 1


@pytest.mark.parametrize("garbage, field", [
    (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "frame magic"),
    (PREFIX.pack(b"CRMA", 2, 1, 0, 2, 0) + b"{}", "frame version"),
    (PREFIX.pack(b"CRMA", 1, 1, 0, 5, 0) + b"{nope", "frame header"),
    (encode_frame(REPLY, {"id": 4}), "frame kind"),
])
def test_malformed_frames_get_an_error_then_close(served, sock_path, garbage, field):
    with _raw(sock_path) as sock:
        sock.sendall(garbage)
        reply = read_frame(sock)
        assert reply.header["ok"] is False and reply.header["close"] is True
        assert reply.header["error"]["message"].startswith(field)
        assert read_frame(sock) is None
    with ApiClient(sock_path) as client:
        assert client.call("hello").result == {"api": 1}


def test_fuzzed_streams_never_harm_the_server(served, sock_path):
    import random
    rng = random.Random(7)
    good = _request(1, "hello") + _request(2, "wait", {"timeout": 0})
    for _ in range(60):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        with _raw(sock_path) as sock:
            sock.sendall(bytes(data))
            sock.shutdown(socket.SHUT_WR)
            while read_frame(sock) is not None:
                pass
    with ApiClient(sock_path) as client:
        assert client.call("hello").result == {"api": 1}


def test_oversized_body_is_refused_as_too_large(sock_path):
    with ServerThread(sock_path, max_body=1 << 20) as served:
        with ApiClient(sock_path) as client:
            with pytest.raises(ApiError) as err:
                client.call("replace", {}, b"x" * (8 << 20))
            assert err.value.code == "too-large"
            assert "frame body length: 8388608 bytes is over the limit of 1048576" in str(err.value)
            assert client.call("hello").result == {"api": 1}       # a fresh connection
        assert served.server.connections <= 1


def test_pipelined_requests_are_answered_in_order(served, sock_path):
    with _raw(sock_path) as sock:
        sock.sendall(_request(1, "wait", {"timeout": 0.2}) + _request(2, "hello")
                     + _request(3, "wait", {"timeout": 0}))
        assert [read_frame(sock).header["id"] for _ in range(3)] == [1, 2, 3]


def test_a_stuck_client_blocks_nobody(served, sock_path):
    with _raw(sock_path) as half, _raw(sock_path) as deaf:
        half.sendall(_request(1, "hello")[:10])                     # never finishes its frame
        deaf.sendall(_request(1, "query") * 50)                     # never reads its replies
        deaf.sendall(_request(2, "wait", {"timeout": 30}))
        start = time.monotonic()
        with ApiClient(sock_path) as client:
            for _ in range(50):
                client.call("hello")
        assert time.monotonic() - start < 2


def test_fifty_concurrent_clients(served, sock_path):
    errors, counts = [], []

    def work():
        try:
            with ApiClient(sock_path) as client:
                for i in range(20):
                    assert client.call("resource", {"action": "echo", "rsc": f"r{i}"}).result[
                        "args"]["rsc"] == f"r{i}"
                counts.append(20)
        except Exception as exc:            # reported below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and sum(counts) == 1000


def test_subscribe_streams_until_the_client_leaves(served, sock_path):
    client = ApiClient(sock_path)
    with client.events("subscribe", {"what": "cib"}, timeout=10) as stream:
        got = [next(stream).result["n"] for _ in range(5)]
    assert got == [0, 1, 2, 3, 4]
    assert served.dispatch.stream_closed.wait(5)
    assert client.call("hello").result == {"api": 1}                # a new connection
    client.close()
    deadline = time.monotonic() + 5
    while served.server.connections and time.monotonic() < deadline:
        time.sleep(0.01)
    assert served.server.connections == 0


def test_a_stream_that_ends(served, sock_path):
    with ApiClient(sock_path) as client:
        events = list(client.events("subscribe", {"what": "three"}, timeout=10))
        assert [e.result["n"] for e in events] == [0, 1, 2] and events[0].body == b"<x/>"
        with pytest.raises(ApiError, match="streams events"):
            client.call("subscribe", {"what": "three"})


def test_no_daemon_is_unavailable(tmp_path):
    path = str(tmp_path / "none.sock")
    with pytest.raises(DaemonUnavailable) as err:
        ApiClient(path).call("hello")
    assert str(err.value) == (f"cannot reach the daemon at {path}: no socket there; "
                              "is crmshelld running?")
    with socket.socket(socket.AF_UNIX) as dead:
        dead.bind(path)
        with pytest.raises(DaemonUnavailable, match="connection refused"):
            ApiClient(path).call("hello")


def test_a_restarted_daemon_is_reached_again(sock_path):
    client = ApiClient(sock_path)
    with ServerThread(sock_path):
        assert client.call("hello").result == {"api": 1}
    with pytest.raises(DaemonUnavailable):
        client.call("hello")
    with ServerThread(sock_path):
        assert client.call("hello").result == {"api": 1}
        with ServerThread(sock_path.replace(".sock", "2.sock")):
            pass
    client.close()


def test_a_stale_socket_is_replaced(sock_path):
    os.makedirs(os.path.dirname(sock_path))
    with socket.socket(socket.AF_UNIX) as stale:
        stale.bind(sock_path)                                       # bound, nobody listens
    with ServerThread(sock_path), ApiClient(sock_path) as client:
        assert client.call("hello").result == {"api": 1}
    assert not os.path.exists(sock_path)


def test_a_live_socket_or_a_file_is_never_taken(sock_path):
    from daemon.api.server import SocketBusy
    os.makedirs(os.path.dirname(sock_path))
    with socket.socket(socket.AF_UNIX) as live:
        live.bind(sock_path)
        live.listen()
        with pytest.raises(SocketBusy, match="a daemon already answers there"):
            ServerThread(sock_path).__enter__()
    os.unlink(sock_path)
    with ServerThread(sock_path):
        with pytest.raises(SocketBusy, match="another crmshelld holds"):
            ServerThread(sock_path).__enter__()
    with open(sock_path, "w") as f:
        f.write("precious")
    with pytest.raises(SocketBusy, match="exists and is not a socket"):
        ServerThread(sock_path).__enter__()
    with open(sock_path) as f:
        assert f.read() == "precious"


def test_event_frames_carry_the_request_id(served, sock_path):
    with _raw(sock_path) as sock:
        sock.sendall(_request(42, "subscribe", {"what": "three"}))
        frames = [read_frame(sock) for _ in range(4)]
    assert [f.kind for f in frames] == [EVENT, EVENT, EVENT, REPLY]
    assert {f.header["id"] for f in frames} == {42} and frames[-1].header["result"] == {"end": True}


def test_a_client_that_stops_reading_is_dropped(sock_path):
    def sockets():
        """This process's open sockets, by inode (fd numbers are reused)."""
        found = set()
        for fd in os.listdir("/proc/self/fd"):
            try:
                target = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                continue        # the directory listing's own descriptor, closed by now
            if target.startswith("socket:"):
                found.add(target)
        return found

    def settle(condition):
        deadline = time.monotonic() + 10
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.02)
        return condition()

    with ServerThread(sock_path, write_timeout=0.3) as served:
        with ApiClient(sock_path) as client:
            client.call("replace", {}, b"x" * (1 << 20))
        assert settle(lambda: served.server.connections == 0)
        before = sockets()
        with _raw(sock_path) as deaf:
            assert settle(lambda: served.server.connections == 1)
            server_end = sockets() - before - {os.readlink(f"/proc/self/fd/{deaf.fileno()}")}
            assert server_end                                   # the accepted socket
            deaf.sendall(_request(1, "query") * 20)             # 20 MB of replies, never read
            assert settle(lambda: served.server.connections == 0)
            # the server let go of its end (the transport closes on the loop's next turn)
            assert settle(lambda: not server_end & sockets())


def test_a_body_over_the_limit_is_not_even_sent(sock_path):
    from daemon.api.frames import MAX_BODY
    with pytest.raises(ApiError) as err:
        ApiClient(sock_path).call("replace", {}, b"x" * (MAX_BODY + 1))
    assert err.value.code == "too-large" and err.value.details == {"field": "body"}
