"""Fixtures of the remote API tests: real system users for PAM, the PAM service file, a live
`crmshelld --remote` process. Everything made on the system is removed again, also when a
test fails."""

from __future__ import annotations

import grp
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent
PAM_SERVICE = Path("/etc/pam.d/crmshell")

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (users, PAM)")


def _run(*argv, stdin: str | None = None) -> None:
    subprocess.run(list(argv), input=stdin, text=True, check=True, timeout=30,
                   capture_output=True)


@pytest.fixture(scope="session")
def pam_service():
    """/etc/pam.d/crmshell in place for the tests, removed after if they put it there."""
    from daemon.remote.pam import install_pam_service
    installed = install_pam_service()
    try:
        yield PAM_SERVICE
    finally:
        if installed is not None:
            installed.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def haclient():
    """The haclient group (made as a system group when missing, removed after)."""
    made = False
    try:
        grp.getgrnam("haclient")
    except KeyError:
        _run("groupadd", "--system", "haclient")
        made = True
    try:
        yield "haclient"
    finally:
        if made:
            subprocess.run(["groupdel", "haclient"], timeout=30, capture_output=True)


class User:
    def __init__(self, name: str, password: str):
        self.name, self.password = name, password

    def __repr__(self) -> str:       # pytest shows fixtures' values: never the password
        return f"User({self.name!r})"


def _make_user(groups: tuple[str, ...]) -> User:
    name = "crmt" + secrets.token_hex(4)
    password = "Pw-" + secrets.token_urlsafe(18)
    _run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name)
    try:
        _run("chpasswd", stdin=f"{name}:{password}\n")     # on stdin: never in an argv
        for group in groups:
            _run("gpasswd", "-a", name, group)
    except BaseException:
        _delete_user(name)
        raise
    return User(name, password)


def _delete_user(name: str) -> None:
    subprocess.run(["userdel", "--force", name], timeout=30, capture_output=True)


@pytest.fixture(scope="session")
def ha_user(haclient, pam_service):
    """A temporary account in haclient with a random password."""
    if os.geteuid() != 0:
        pytest.skip("needs root (useradd)")
    user = _make_user((haclient,))
    try:
        yield user
    finally:
        _delete_user(user.name)


@pytest.fixture(scope="session")
def outsider(haclient, pam_service):
    """A temporary account with a password but not in haclient."""
    if os.geteuid() != 0:
        pytest.skip("needs root (useradd)")
    user = _make_user(())
    try:
        yield user
    finally:
        _delete_user(user.name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RemoteDaemon:
    """`python -m daemon.main --remote` as a real process, on 127.0.0.1 and a free port."""

    def __init__(self, base: Path, *extra: str):
        self.dir = base / "remote"
        self.log = base / "log"
        self.stderr = base / "stderr"
        self.port = free_port()
        self.argv = [sys.executable, "-X", "importtime", "-m", "daemon.main", "--remote",
                     "--foreground", "--remote-port", str(self.port), "--remote-dir",
                     str(self.dir), "--remote-address", "127.0.0.1", "--log-file",
                     str(self.log), *extra]
        self.proc: subprocess.Popen | None = None

    def start(self) -> "RemoteDaemon":
        with open(self.stderr, "wb") as err:
            self.proc = subprocess.Popen(self.argv, cwd=REPO, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"crmshelld --remote exited {self.proc.returncode}: "
                                   + self.stderr.read_text()[-2000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("crmshelld --remote did not listen within 20 s")

    def client(self, **kw):
        from daemon.remote.client import RemoteClient
        return RemoteClient("127.0.0.1", self.port, **kw)

    def stop(self) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            return None


@pytest.fixture(scope="module")
def node(tmp_path_factory, pam_service):
    daemon = RemoteDaemon(tmp_path_factory.mktemp("node1"))
    try:
        yield daemon.start()
    finally:
        daemon.stop()


@pytest.fixture(scope="module")
def other_node(tmp_path_factory, pam_service):
    """A second node: its own identity and token store (another cluster's node)."""
    daemon = RemoteDaemon(tmp_path_factory.mktemp("node2"))
    try:
        yield daemon.start()
    finally:
        daemon.stop()
