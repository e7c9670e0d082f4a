"""The server in this process, with its dispatcher and password check replaced: what reaches
dispatch, how its failures are answered, connections and timeouts. (The real process, PAM
and TLS pinning are in test_live.py.)"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time

import pytest

from daemon.remote import protocol
from daemon.remote.client import RemoteClient, RemoteError, Unreachable
from daemon.remote.pam import AuthFailed
from daemon.remote.server import OpFailure, RemoteServer, SetupError, listening_socket


class Served:
    """A RemoteServer on 127.0.0.1 in a thread of its own with its own loop."""

    def __init__(self, directory, **kw):
        self.calls: list[tuple[str, dict]] = []
        kw.setdefault("dispatch", self.dispatch)
        kw.setdefault("authenticate", self.authenticate)
        self.server = RemoteServer(directory, address="127.0.0.1", port=0, node_name="node1",
                                   auth_fail_delay=kw.pop("auth_fail_delay", 0.2), **kw)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def dispatch(self, op, args):
        self.calls.append((op, args))
        if op == "boom":
            raise RuntimeError("secret detail")
        if op == "refuse":
            raise OpFailure("failed", "corosync.conf is missing", "path")
        if op == "nothing":
            return None
        return {"op": op, "args": args}

    @staticmethod
    def authenticate(user, password, group="haclient", rhost=None):
        if password != "right":
            raise AuthFailed(f"authentication failed for user {user}")

    def __enter__(self):
        self.server.bind()
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        return self

    def __exit__(self, *exc):
        asyncio.run_coroutine_threadsafe(self.server.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def client(self, **kw) -> RemoteClient:
        return RemoteClient("127.0.0.1", self.server.port, **kw)

    def raw(self) -> ssl.SSLSocket:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", self.server.port), 5))
        sock.settimeout(5)
        return sock


@pytest.fixture
def served(tmp_path):
    with Served(tmp_path / "remote") as s:
        yield s


def token_of(client) -> str:
    return client.call("auth", {"user": "hacluster", "password": "right"})["token"]


def test_a_token_opens_dispatch_with_the_op_and_its_arguments(served):
    with served.client() as c:
        token = token_of(c)
        assert c.call("corosync-show", {"a": [1, 2]}, token=token) == \
            {"op": "corosync-show", "args": {"a": [1, 2]}}
        assert c.call("x", token=token)["args"] == {}     # several requests, one connection
    assert served.calls == [("corosync-show", {"a": [1, 2]}), ("x", {})]


def test_nothing_reaches_dispatch_without_a_valid_token(served):
    with served.client() as c:
        for token in (None, "forged"):
            with pytest.raises(RemoteError) as info:
                c.call("corosync-show", token=token)
            assert info.value.code == "unauthenticated" and info.value.field == "token"
            assert "cluster auth node1" in str(info.value)
    assert served.calls == []


def test_dispatch_failures_are_answered_and_the_server_goes_on(served):
    with served.client() as c:
        token = token_of(c)
        err = pytest.raises(RemoteError, c.call, "refuse", token=token).value
        assert (err.code, err.message, err.field) == ("failed", "corosync.conf is missing", "path")
        err = pytest.raises(RemoteError, c.call, "boom", token=token).value
        assert err.code == "failed" and "RuntimeError" in err.message
        assert "secret detail" not in err.message and "Traceback" not in err.message
        err = pytest.raises(RemoteError, c.call, "nothing", token=token).value
        assert err.code == "failed"
        assert c.call("ping")["node"] == "node1"


def test_ping_and_auth_check_their_arguments(served):
    with served.client() as c:
        assert pytest.raises(RemoteError, c.call, "ping", {"x": 1}).value.field == "args.x"
        for args, field in (({"user": "u"}, "args.password"), ({"password": "p"}, "args.user"),
                            ({"user": 5, "password": "p"}, "args.user"),
                            ({"user": "u", "password": "p", "extra": 1}, "args.extra")):
            err = pytest.raises(RemoteError, c.call, "auth", args).value
            assert (err.code, err.field) == ("bad-request", field)


def test_a_refused_password_is_answered_after_the_delay(served):
    with served.client() as c:
        start = time.monotonic()
        err = pytest.raises(RemoteError, c.call, "auth", {"user": "hacluster", "password": "no"}).value
        assert time.monotonic() - start >= 0.2
        assert err.code == "denied" and str(err) == "authentication failed for user hacluster"


def test_deauth_revokes_the_presented_token_or_all(served):
    with served.client() as c:
        one, two, three = token_of(c), token_of(c), token_of(c)
        assert c.call("deauth", token=one) == {"revoked": 1, "node": "node1"}
        assert pytest.raises(RemoteError, c.call, "x", token=one).value.code == "unauthenticated"
        assert c.call("x", token=two)
        assert c.call("deauth", {"all": True}, token=two)["revoked"] == 2
        assert pytest.raises(RemoteError, c.call, "x", token=three).value.code == "unauthenticated"
        assert pytest.raises(RemoteError, c.call, "deauth").value.code == "unauthenticated"


def test_an_idle_connection_is_closed(tmp_path):
    with Served(tmp_path, idle_timeout=0.3) as s:
        sock = s.raw()
        time.sleep(0.6)
        assert sock.recv(10) == b""
        assert s.client().call("ping")


def test_a_bad_message_is_answered_on_the_same_connection(served):
    sock = served.raw()
    for body in (b"{", b'{"v":1,"id":3,"op":5}'):
        sock.sendall(struct.pack(">I", len(body)) + body)
        size = protocol.message_length(sock.recv(4))
        doc = protocol.decode(sock.recv(size))
        assert doc["ok"] is False and doc["error"]["code"] == "bad-request"
    assert doc["id"] == 3 and doc["error"]["field"] == "op"
    sock.sendall(protocol.frame({"v": 1, "id": 4, "op": "ping"}))
    size = protocol.message_length(sock.recv(4))
    assert protocol.decode(sock.recv(size))["ok"] is True
    sock.close()


def test_a_taken_port_is_a_setup_error(served):
    with pytest.raises(SetupError, match=f"port {served.server.port}"):
        listening_socket("127.0.0.1", served.server.port)
    with pytest.raises(SetupError, match="no-such-host.invalid"):
        listening_socket("no-such-host.invalid", 0)


def test_the_default_address_is_dual_stack():
    sock = listening_socket("::", 0)
    try:
        port = sock.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
    finally:
        sock.close()


def test_unreachable_names_the_host_and_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]            # bound, not listening: refused
        err = pytest.raises(Unreachable, RemoteClient("127.0.0.1", port).call, "ping").value
    assert f"127.0.0.1:{port}" in str(err) and "refused" in str(err)
    err = pytest.raises(Unreachable, RemoteClient("no-such-host.invalid").call, "ping").value
    assert "no-such-host.invalid:2224" in str(err) and "unknown host" in str(err)


def test_the_client_stays_light_to_import():
    """The shell imports it on every `cluster` command: no asyncio, no cryptography."""
    code = ("import sys, daemon.remote.client; print(sorted(m for m in ('asyncio', "
            "'cryptography', 'dataclasses', 'daemon.remote.server', 'lxml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out.strip() == "[]"


def test_the_remote_settings():
    from daemon.settings import from_argv
    s = from_argv(["--remote", "--remote-port", "3000", "--remote-address", "10.0.0.1",
                   "--remote-dir", "/tmp/r", "--pid-file", "/run/x.pid"])
    assert (s.remote, s.remote_port, s.remote_address, str(s.remote_dir), str(s.pid_file)) == \
        (True, 3000, "10.0.0.1", "/tmp/r", "/run/x.pid")
    d = from_argv([])
    assert (d.remote, d.remote_port, d.remote_address, d.pid_file) == (False, 2224, "::", None)
    with pytest.raises(SystemExit):
        from_argv(["--remote-port", "70000"])
