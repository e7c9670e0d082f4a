"""`crmshelld --remote` as a real process over real TLS, with real PAM and temporary accounts:
the security checks of issue 9 (tokens from elsewhere, expired, revoked, missing; a changed
certificate; malformed and hostile messages) and that no password leaks into a log or argv."""

from __future__ import annotations

import json
import os
import secrets
import socket
import ssl
import struct
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from daemon.remote import protocol
from daemon.remote.client import CertificateChanged, RemoteError
from daemon.remote.tokens import TokenStore, digest

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (users, PAM)")


def password_nowhere(password: str, *logs: Path) -> None:
    """The password is in no log file and in no process's argv, right now."""
    needle = password.encode()
    for log in logs:
        if log.exists():
            assert needle not in log.read_bytes(), f"the password is in {log}"
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path("/proc", entry, "cmdline").read_bytes()
            except OSError:
                continue
            assert needle not in cmdline, f"the password is in the argv of process {entry}"


def refused(call, code: str) -> RemoteError:
    with pytest.raises(RemoteError) as info:
        call()
    assert info.value.code == code, info.value
    return info.value


def auth(node, user) -> str:
    with node.client() as c:
        reply = c.call("auth", {"user": user.name, "password": user.password})
    assert reply["node"] and reply["expires"] > time.time() + 29 * 86400
    return reply["token"]


def test_ping_shows_the_certificate_presented(node):
    with node.client() as c:
        reply = c.call("ping")
        assert reply["fingerprint"] == c.fingerprint and reply["version"]
    out = subprocess.run(["openssl", "x509", "-in", str(node.dir / "tls.crt"), "-noout",
                          "-fingerprint", "-sha256"], capture_output=True, text=True,
                         check=True, timeout=30).stdout
    assert c.fingerprint == "SHA256:" + out.strip().split("=", 1)[1]
    assert (node.dir / "tls.key").stat().st_mode & 0o777 == 0o600


def test_the_right_password_gives_a_token_that_works(node, ha_user):
    token = auth(node, ha_user)
    stored = (node.dir / "tokens.json").read_text()
    assert token not in stored and digest(token) in stored
    assert (node.dir / "tokens.json").stat().st_mode & 0o777 == 0o600
    with node.client() as c:
        # past the token check: whatever the node operations answer, not "unauthenticated"
        assert _dispatched_code(c, token) in ("unknown-op", "failed", "bad-request")
        assert c.call("deauth", token=token)["revoked"] == 1
    password_nowhere(ha_user.password, node.log, node.stderr)


def _dispatched_code(c, token) -> str:
    try:
        c.call("no-such-op-for-the-test", token=token)
    except RemoteError as err:
        assert err.code != "unauthenticated", err
        return err.code
    pytest.fail("an unknown op succeeded")


def test_a_wrong_password_is_denied_after_a_delay(node, ha_user):
    with node.client() as c:
        start = time.monotonic()
        err = refused(lambda: c.call("auth", {"user": ha_user.name,
                                              "password": ha_user.password + "x"}), "denied")
        assert time.monotonic() - start >= 1.0
        assert str(err) == f"authentication failed for user {ha_user.name}"
        unknown = refused(lambda: c.call("auth", {"user": "crmt-nobody", "password": "pw"}),
                          "denied")
        assert str(unknown) == "authentication failed for user crmt-nobody"
    password_nowhere(ha_user.password, node.log, node.stderr)


def test_a_user_outside_haclient_is_denied(node, outsider):
    with node.client() as c:
        err = refused(lambda: c.call("auth", {"user": outsider.name,
                                              "password": outsider.password}), "denied")
    assert "not in group haclient" in str(err) and outsider.password not in str(err)
    password_nowhere(outsider.password, node.log, node.stderr)


def test_a_request_without_a_token_is_refused(node):
    with node.client() as c:
        err = refused(lambda: c.call("corosync-show"), "unauthenticated")
    assert "needs a token" in str(err) and "cluster auth" in str(err) and err.field == "token"


def test_an_expired_token_is_refused(node):
    token = secrets.token_urlsafe(32)
    path = node.dir / "tokens.json"
    doc = json.loads(path.read_text()) if path.exists() else {"version": 1, "tokens": []}
    now = int(time.time())
    doc["tokens"].append({"sha256": digest(token), "user": "hacluster", "issued": now - 100,
                          "expires": now - 10})
    path.write_text(json.dumps(doc))
    with node.client() as c:
        err = refused(lambda: c.call("corosync-show", token=token), "unauthenticated")
    assert "has expired" in str(err) and "cluster auth" in str(err)


def test_a_revoked_token_is_refused(node, ha_user):
    token, other = auth(node, ha_user), auth(node, ha_user)
    with node.client() as c:
        assert c.call("deauth", token=token)["revoked"] == 1
        err = refused(lambda: c.call("corosync-show", token=token), "unauthenticated")
        assert "unknown or revoked" in str(err)
        assert c.call("deauth", {"all": True}, token=other)["revoked"] >= 1
        refused(lambda: c.call("corosync-show", token=other), "unauthenticated")


def test_a_token_from_another_cluster_is_refused(node, other_node, ha_user, tmp_path):
    foreign = auth(other_node, ha_user)                       # a real token, of another node
    forged = TokenStore(tmp_path / "elsewhere.json").issue(ha_user.name)
    with node.client() as c:
        for token in (foreign, forged):
            err = refused(lambda: c.call("corosync-show", token=token), "unauthenticated")
            assert "unknown or revoked" in str(err) and "another cluster" in str(err)


def test_a_changed_certificate_is_refused_before_anything_is_sent(node, other_node):
    with node.client() as c:
        pinned = c.fingerprint
    # other_node stands for node1 reinstalled: same address, another certificate
    before = other_node.log.read_text().count("ping")
    client = other_node.client(fingerprint=pinned, name="node1")
    with pytest.raises(CertificateChanged) as info:
        client.call("ping", token="would-be-sent")
    err = info.value
    assert err.expected == pinned and err.got != pinned and err.got.startswith("SHA256:")
    assert f"the certificate of node1 changed: pinned {pinned}, now {err.got}" in str(err)
    assert "cluster deauth node1" in str(err) and "cluster auth node1" in str(err)
    time.sleep(0.2)
    assert other_node.log.read_text().count("ping") == before
    with node.client(fingerprint=pinned.lower()) as c:         # the pinned one passes
        assert c.call("ping")


# -- hostile input ----------------------------------------------------------------------------

def raw(node) -> ssl.SSLSocket:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", node.port), 5))
    sock.settimeout(5)
    return sock


def read_reply(sock) -> dict | None:
    head = b""
    while len(head) < 4:
        chunk = sock.recv(4 - len(head))
        if not chunk:
            return None
        head += chunk
    size = struct.unpack(">I", head)[0]
    body = b""
    while len(body) < size:
        chunk = sock.recv(size - len(body))
        assert chunk, "the reply was cut short"
        body += chunk
    return json.loads(body)


def still_serving(node) -> None:
    with node.client() as c:
        assert c.call("ping")["node"]


CRAFTED = [
    b"{", b"", b"null", b"[]", b'"x"', b"\xff\xfe\xfd", b'{"v":NaN,"id":1,"op":"ping"}',
    b'{"v":1,"id":1,"op":"ping","args":' + b"[" * 5000 + b"]" * 5000 + b"}",
    b'{"v":1,"id":1,"op":"auth","args":{"user":["x"],"password":{}}}',
    b'{"v":1,"id":1,"op":"auth","args":{"user":"u","password":"' + b"p" * 10000 + b'"}}',
    b'{"v":1,"id":1e400,"op":"ping"}', b'{"v":1,"id":1,"op":"ping","token":' + b"1" * 5000 + b"}",
    b'{"v":1,"id":1,"op":"deauth","token":"x","args":{"all":"yes"}}',
    b'{"v":1,"id":1,"op":"../../etc/passwd"}',
    b'{"v":1,"id":1,"op":"corosync-show","token":"\\ud800"}',
    b'{"v":1,"id":1,"op":"auth","args":{"user":"\\udfff","password":"p"}}',
]


@pytest.mark.parametrize("body", CRAFTED, ids=range(len(CRAFTED)))
def test_crafted_messages_are_answered_and_the_connection_goes_on(node, body):
    sock = raw(node)
    sock.sendall(struct.pack(">I", len(body)) + body)
    reply = read_reply(sock)
    assert reply["ok"] is False and reply["error"]["code"] in protocol.CODES
    assert "Traceback" not in reply["error"]["message"]
    sock.sendall(protocol.frame({"v": 1, "id": 2, "op": "ping"}))
    assert read_reply(sock)["ok"] is True
    sock.close()


def test_broken_framing_closes_only_that_connection(node):
    sock = raw(node)
    sock.sendall(b"\xff\xff\xff\xff" + b"x" * 100)
    reply = read_reply(sock)
    assert reply["error"]["code"] == "too-large" and read_reply(sock) is None
    sock.close()
    sock = raw(node)
    sock.sendall(struct.pack(">I", 1000) + b"{")          # cut short, then gone
    sock.close()
    with socket.create_connection(("127.0.0.1", node.port), 5) as plain:   # not TLS at all
        plain.sendall(b"GET / HTTP/1.0\r\n\r\n" + os.urandom(200))
        plain.settimeout(5)
        try:
            plain.recv(100)
        except OSError:
            pass
    still_serving(node)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.binary(max_size=64) | st.dictionaries(
    st.sampled_from(["v", "id", "op", "token", "args"]),
    st.none() | st.integers() | st.text(max_size=10) | st.lists(st.integers(), max_size=3),
    max_size=5).map(lambda d: json.dumps(d).encode()), min_size=1, max_size=4))
def test_fuzzed_messages_are_each_answered(node, bodies):
    sock = raw(node)
    try:
        for body in bodies:
            sock.sendall(struct.pack(">I", len(body)) + body)
            reply = read_reply(sock)
            assert reply is not None and reply["v"] == 1
            assert reply["ok"] is True or reply["error"]["code"] in protocol.CODES
    finally:
        sock.close()


def test_still_serving_after_all_of_it_and_nothing_leaked(node, ha_user, outsider):
    still_serving(node)
    assert node.proc.poll() is None
    text = node.log.read_text()
    assert "Traceback" not in text
    password_nowhere(ha_user.password, node.log, node.stderr)
    password_nowhere(outsider.password, node.log, node.stderr)


# -- the process ------------------------------------------------------------------------------

def test_the_remote_mode_does_not_load_the_cluster_machinery(node):
    imported = node.stderr.read_text()          # python -X importtime
    assert "daemon.remote.server" in imported
    for heavy in ("daemon.node", "daemon.cib", "lxml"):
        assert f" {heavy}\n" not in imported and f" {heavy}." not in imported, heavy


def test_detached_with_a_pid_file_and_stopped_by_sigterm(tmp_path, pam_service):
    from tests.remote.conftest import RemoteDaemon, free_port
    port = free_port()
    pid_file = tmp_path / "run" / "remote.pid"
    argv = [a for a in RemoteDaemon(tmp_path).argv if a not in ("--foreground", "-X",
                                                                 "importtime")]
    argv[argv.index("--remote-port") + 1] = str(port)
    subprocess.run(argv + ["--pid-file", str(pid_file)], check=True, timeout=30,
                   cwd=Path(__file__).resolve().parent.parent.parent)
    deadline = time.monotonic() + 10
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    try:
        from daemon.remote.client import RemoteClient
        for _ in range(100):
            try:
                with RemoteClient("127.0.0.1", port) as c:
                    assert c.call("ping")
                break
            except RemoteError:
                time.sleep(0.05)
        os.kill(pid, 15)
        deadline = time.monotonic() + 10
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pid_file.exists()
        assert "remote API stopping" in (tmp_path / "log").read_text()
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass


def test_sigterm_exits_cleanly_and_a_restart_keeps_the_identity(tmp_path, pam_service):
    from tests.remote.conftest import RemoteDaemon
    daemon = RemoteDaemon(tmp_path).start()
    try:
        with daemon.client() as c:
            first = c.fingerprint
    finally:
        assert daemon.stop() == 0
    daemon.start()
    try:
        with daemon.client(fingerprint=first) as c:
            assert c.call("ping")
        # the identity is there: no key is made, so cryptography is not even imported
        assert " cryptography\n" not in daemon.stderr.read_text()
    finally:
        assert daemon.stop() == 0


def test_a_taken_port_is_reported_and_the_daemon_exits(tmp_path, node):
    from tests.remote.conftest import RemoteDaemon
    daemon = RemoteDaemon(tmp_path)
    daemon.argv[daemon.argv.index("--remote-port") + 1] = str(node.port)
    proc = subprocess.run(daemon.argv, capture_output=True, text=True, timeout=30,
                          cwd=Path(__file__).resolve().parent.parent.parent)
    assert proc.returncode == 1 and f"port {node.port}" in proc.stderr
