"""Peer credentials: root and members of the access group pass, real other users do not.

The users are real (useradd, removed afterwards even on failure) and connect from their
own processes (setpriv), so the kernel's SO_PEERCRED is what the server sees."""

from __future__ import annotations

import grp
import json
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from daemon.api.auth import Caller, authorize, peer_caller, user_name
from daemon.api.errors import ApiError
from tests.api.serving import ServerThread

REPO = str(Path(__file__).resolve().parents[2])
PYTHON = "/usr/bin/python3"          # the venv lives under /root, which other users cannot read
CLIENT = """
import json, sys
from daemon.api.client import ApiClient
from daemon.api.errors import ApiError
try:
    print(json.dumps({"ok": ApiClient(sys.argv[1], timeout=10).call("hello").result}))
except ApiError as err:
    print(json.dumps({"code": err.code, "message": str(err)}))
"""

needs_root = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv")
                                or not shutil.which("useradd"), reason="needs root, setpriv, useradd")


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def test_root_and_own_uid_pass():
    authorize(Caller(1, 0, 0, "root"))
    authorize(Caller(1, 4321, 4321, "svc"), own_uid=4321)


def test_a_stranger_is_denied_by_name():
    with pytest.raises(ApiError) as err:
        authorize(Caller(1, 65534, 65534, "nobody"), own_uid=0)
    assert err.value.code == "denied"
    assert str(err.value) == "user nobody (uid 65534) is not root or in group haclient"


def test_a_missing_group_has_no_members():
    with pytest.raises(ApiError, match="not root or in group no-such-group-x"):
        authorize(Caller(1, 65534, 65534, "nobody"), "no-such-group-x", own_uid=0)


@pytest.mark.skipif(not _group_exists("haclient"), reason="no haclient group")
def test_primary_group_passes():
    authorize(Caller(1, 65534, grp.getgrnam("haclient").gr_gid, "nobody"), own_uid=0)


def test_peer_caller_reads_the_kernel_credentials():
    left, right = socket.socketpair()
    with left, right:
        assert peer_caller(left) == Caller(os.getpid(), os.geteuid(), os.getegid(),
                                           user_name(os.geteuid()))


@pytest.fixture
def users():
    """Two real users: one outside haclient, one with haclient as a supplementary group."""
    tag = uuid.uuid4().hex[:6]
    names = {"outsider": f"crmapi-o{tag}", "member": f"crmapi-m{tag}"}
    created = []
    try:
        for role, name in names.items():
            argv = ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name]
            if role == "member":
                argv[1:1] = ["-G", "haclient"]
            subprocess.run(argv, check=True, timeout=30, capture_output=True)
            created.append(name)
        yield names
    finally:
        for name in created:
            subprocess.run(["userdel", name], timeout=30, capture_output=True)


@pytest.fixture
def open_dir():
    """A directory every user can reach (pytest's tmp_path is private to root)."""
    path = tempfile.mkdtemp(prefix="crmapi-")
    os.chmod(path, 0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _hello_as(sock_path: str, *ids: str) -> dict:
    argv = ["setpriv", *ids, "--clear-groups", PYTHON, "-c", CLIENT, sock_path]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": REPO, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@needs_root
@pytest.mark.skipif(not _group_exists("haclient"), reason="no haclient group")
def test_real_users_by_peer_credentials(users, open_dir):
    path = os.path.join(open_dir, "api.sock")
    with ServerThread(path, socket_mode=0o666) as served:
        outsider = _hello_as(path, f"--reuid={users['outsider']}", f"--regid={users['outsider']}")
        assert outsider["code"] == "denied"
        assert outsider["message"].startswith(f"user {users['outsider']} (uid ")
        assert outsider["message"].endswith(") is not root or in group haclient")
        member = _hello_as(path, f"--reuid={users['member']}", f"--regid={users['member']}")
        assert member == {"ok": {"api": 1}}
        primary = _hello_as(path, f"--reuid={users['outsider']}", "--regid=haclient")
        assert primary == {"ok": {"api": 1}}
        assert {c.user for c in served.dispatch.callers} == {users["member"], users["outsider"]}
        assert len(served.dispatch.callers) == 2           # the refused call never reached it


@needs_root
@pytest.mark.skipif(not _group_exists("haclient"), reason="no haclient group")
def test_default_modes_keep_strangers_off_the_socket(users, open_dir):
    path = os.path.join(open_dir, "run", "api.sock")
    with ServerThread(path):
        outsider = _hello_as(path, f"--reuid={users['outsider']}", f"--regid={users['outsider']}")
        assert outsider["code"] == "denied" and "permission denied" in outsider["message"]
        member = _hello_as(path, f"--reuid={users['member']}", "--regid=haclient")
        assert member == {"ok": {"api": 1}}
