"""`crmshell sandbox up --bare`: plain hosts node1..nodeN with sshd and hacluster, for real.

One sandbox of two bare hosts serves the module (it is up in about half a second) and is
ended by `sandbox down` in the fixture's `finally`, also when a test fails. The hosts must
look like real machines with no cluster yet, their writes must stay in their own copies of
/etc, and the password must be nowhere but in the copies' shadow files.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.geteuid() != 0, reason="--bare needs root"),
              pytest.mark.skipif(not os.access("/usr/sbin/sshd", os.X_OK) or
                                 shutil.which("ssh") is None or
                                 shutil.which("corosync") is None,
                                 reason="needs openssh-server, openssh-client and corosync")]

REPO = Path(__file__).resolve().parents[2]
SHADOW = Path("/etc/shadow")


def sandbox(*args: str, timeout: float = 60, stdin=subprocess.DEVNULL
            ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crmshell", "sandbox", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout, stdin=stdin)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def real_files() -> tuple:
    """What of the machine's own /etc the hosts' writes would change: its hostname and hosts,
    and hacluster's entry in its shadow file (not the whole file: other tests on this
    machine may add and remove accounts meanwhile)."""
    entry = next((line for line in SHADOW.read_text().splitlines()
                  if line.startswith("hacluster:")), None)
    return digest(Path("/etc/hostname")), digest(Path("/etc/hosts")), entry


class Box:
    def __init__(self, directory: Path, password: str) -> None:
        self.dir = directory
        self.password = password

    def exec(self, node: str, *command: str, timeout: float = 30) -> subprocess.CompletedProcess:
        return sandbox("exec", node, "--dir", str(self.dir), "--", *command, timeout=timeout)

    def state(self) -> dict:
        return json.loads((self.dir / "sandbox.json").read_text())


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    directory = tmp_path_factory.mktemp("bare") / "sbx"
    password = "pw-" + secrets.token_urlsafe(12)
    before = real_files()
    try:
        start = time.monotonic()
        done = sandbox("up", "--bare", "--nodes", "2", "--password", password, "--no-attach",
                       "--dir", str(directory))
        print(f"sandbox up --bare --nodes 2: {time.monotonic() - start:.2f} s")
        assert done.returncode == 0, done.stderr
        assert "no cluster yet: run 'crmshell cluster init' on node1" in done.stdout
        assert f"crmshell sandbox exec node1 --dir {directory} -- bash" in done.stdout
        yield Box(directory, password)
    finally:
        sandbox("down", "--dir", str(directory))
        assert real_files() == before


def alive(pid: int) -> bool:
    """Running (a zombie has ended: whoever adopted it reaps it when it likes)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def crypt(password: str, setting: str) -> str:
    """libcrypt's crypt(3) (yescrypt, Debian's default, is beyond openssl passwd)."""
    libcrypt = ctypes.CDLL("libcrypt.so.1")
    libcrypt.crypt.restype = ctypes.c_char_p
    out = libcrypt.crypt(password.encode(), setting.encode())
    return out.decode() if out else ""   # a locked account ("!") has no hash to match


def test_a_bare_host_is_a_plain_machine_with_no_cluster_yet(box: Box) -> None:
    assert box.exec("node1", "hostname").stdout == "node1\n"
    assert box.exec("node2", "cat", "/etc/hostname").stdout == "node2\n"
    assert box.exec("node1", "getent", "hosts", "node2").stdout.split() == ["10.213.0.2", "node2"]
    processes = box.exec("node1", "ps", "-e", "-o", "args=").stdout.splitlines()
    assert any(p.startswith("sshd: /usr/sbin/sshd -D -e") for p in processes), processes
    assert not any("corosync" in p for p in processes), processes
    daemons = [p for p in processes if "crmshelld" in p]    # the remote API only (pcsd's role)
    assert all("--remote" in p for p in daemons), daemons
    assert len(daemons) == (1 if box.state()["remote"] else 0), daemons
    assert box.exec("node1", "test", "-e", "/etc/corosync/corosync.conf").returncode == 1
    groups = box.exec("node1", "id", "-nG", "hacluster").stdout.split()
    assert "haclient" in groups
    entry = next(line for line in (box.dir / "node1" / "etc" / "shadow").read_text().splitlines()
                 if line.startswith("hacluster:"))
    hashed = entry.split(":")[1]
    assert crypt(box.password, hashed) == hashed and crypt("wrong", hashed) != hashed
    real = next(line for line in SHADOW.read_text().splitlines() if line.startswith("hacluster:"))
    assert real != entry and crypt(box.password, real.split(":")[1]) != real.split(":")[1]
    listening = box.exec("node1", sys.executable, "-c",
                         "import socket; socket.create_connection(('node1', 22), 2).close()")
    assert listening.returncode == 0, listening.stderr
    assert box.exec("node1", "test", "-s", "/root/.ssh/known_hosts").returncode == 1
    status = sandbox("status", "--dir", str(box.dir)).stdout
    assert "bare host(s)" in status and "sshd running" in status and "corosync" not in status
    env = sandbox("env", "node1", "--dir", str(box.dir))
    assert env.returncode == 1 and "bare host" in env.stderr


def test_root_logs_in_to_another_host_with_the_sandbox_key(box: Box) -> None:
    strict = box.exec("node2", "ssh", "-o", "BatchMode=yes", "root@node1", "hostname")
    assert strict.returncode == 255 and "Host key verification failed" in strict.stderr
    done = box.exec("node2", "ssh", "-o", "StrictHostKeyChecking=no", "-o", "BatchMode=yes",
                    "root@node1", "hostname")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "node1\n"
    which = box.exec("node2", "ssh", "-o", "BatchMode=yes", "root@node1", "command", "-v",
                     "crmshell")   # accepted now; crmshell is installed on the hosts
    assert which.stdout.strip() == "/usr/local/sbin/crmshell", which.stderr


def test_the_password_is_in_no_file_argv_or_environment(box: Box) -> None:
    secret = box.password.encode()
    for path in box.dir.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.name not in ("shadow", "shadow-"):
            assert secret not in path.read_bytes(), path
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            for name in ("cmdline", "environ"):
                try:
                    assert secret not in (proc / name).read_bytes(), f"{proc}/{name}"
                except OSError:
                    pass


def test_the_remote_api_runs_on_every_host_once_crmshelld_has_it(box: Box) -> None:
    if not box.state()["remote"]:
        pytest.skip("this crmshelld has no remote API (daemon/remote/server.py) yet")
    reach = box.exec("node2", sys.executable, "-c",
                     "import socket; socket.create_connection(('node1', 2224), 2).close()")
    assert reach.returncode == 0, reach.stderr
    assert (box.dir / "node1" / "var-log" / "crmshell" / "remote.log").is_file()
    assert "remote API running" in sandbox("status", "--dir", str(box.dir)).stdout


def test_a_killed_host_starts_again_with_its_disks(box: Box) -> None:
    assert box.exec("node1", "sh", "-c", "echo kept > /etc/crmshell-test; touch /run/gone"
                    ).returncode == 0
    assert not Path("/etc/crmshell-test").exists()
    assert sandbox("kill", "node1", "--dir", str(box.dir)).returncode == 0
    assert box.state()["nodes"][0]["state"] == "down"
    started = sandbox("start", "node1", "--dir", str(box.dir))
    assert started.stdout.strip() == "sandbox start: node1 is up", started.stderr
    node1 = box.state()["nodes"][0]
    assert node1["sshd"] and node1["remote"] == box.state()["remote"]
    assert box.exec("node1", "cat", "/etc/crmshell-test").stdout == "kept\n"
    assert box.exec("node1", "test", "-e", "/run/gone").returncode == 1
    again = box.exec("node2", "ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
                     "-o", "StrictHostKeyChecking=accept-new", "root@node1", "hostname")
    assert again.stdout == "node1\n", again.stderr


def test_down_removes_the_hosts_and_their_copies(box: Box) -> None:
    pids = [n["init_pid"] for n in box.state()["nodes"]]
    done = sandbox("down", "--dir", str(box.dir))
    assert done.returncode == 0 and "stopped and removed" in done.stdout
    assert not box.dir.exists()
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.02)    # a host with a closed TCP connection takes a second to go
    assert not any(alive(pid) for pid in pids)


def test_without_a_terminal_a_password_must_be_given(tmp_path: Path) -> None:
    done = sandbox("up", "--bare", "--nodes", "1", "--dir", str(tmp_path / "sbx"))
    assert done.returncode == 1
    assert "give --password or run on a terminal" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "sbx").exists()

