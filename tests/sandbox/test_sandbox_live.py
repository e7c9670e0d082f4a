"""`crmshell sandbox` for real: corosync in namespaces, driven only through the command line.

Every sandbox started here is ended by `sandbox down` in a fixture's `finally`, also when
the test fails. crmshelld is started once the daemon imports cleanly (until then the
sandbox is corosync alone, and `up` waits for a quorate membership instead of a DC).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from daemon.corosync.conf import ClusterConfig, parse

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("corosync") is None, reason="needs corosync")]

REPO = Path(__file__).resolve().parents[2]
AGENT = REPO / "daemon" / "agents" / "fence" / "fence_sandbox"


def daemon_ready() -> bool:
    done = subprocess.run([sys.executable, "-c", "import daemon.main, daemon.node"],
                          cwd=REPO, capture_output=True, timeout=60)
    return done.returncode == 0


WITH_DAEMON = daemon_ready()


def sandbox(*args: str, env: dict | None = None, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crmshell", "sandbox", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          env=env)


def up(directory: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    flags = [] if WITH_DAEMON else ["--no-daemon"]
    return sandbox("up", "--nodes", "1", "--no-attach", "--dir", str(directory), *flags,
                   *extra, env=env)


def alive(pid: int) -> bool:
    try:
        return not Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


def wait_dead(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not alive(pid)


@pytest.fixture
def sandbox_dir(tmp_path: Path):
    directory = tmp_path / "sbx"
    try:
        yield directory
    finally:
        sandbox("down", "--dir", str(directory))


@pytest.fixture
def running(sandbox_dir: Path):
    start = time.monotonic()
    done = up(sandbox_dir)
    took = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    print(f"sandbox up --nodes 1 as a process: {took:.2f} s ({done.stdout.splitlines()[0]})")
    return sandbox_dir


def state(directory: Path) -> dict:
    return json.loads((directory / "sandbox.json").read_text())


def test_up_gives_a_quorate_node_in_its_own_namespaces(running: Path) -> None:
    quorum = sandbox("exec", "node1", "--dir", str(running), "--", "corosync-quorumtool", "-s")
    assert quorum.returncode == 0, quorum.stderr
    assert "Quorate:          Yes" in quorum.stdout and "Nodes:            1" in quorum.stdout
    assert "node1 (local)" in quorum.stdout
    addr = sandbox("exec", "node1", "--dir", str(running), "--", "ip", "-br", "addr")
    assert "10.213.0.1/24" in addr.stdout
    ps = sandbox("exec", "node1", "--dir", str(running), "--", "ps", "-e", "-o", "pid=,comm=")
    commands = {line.split()[1] for line in ps.stdout.splitlines()}
    assert "corosync" in commands and len(commands) <= 4   # its own PID namespace
    run_dir = sandbox("exec", "node1", "--dir", str(running), "--", "ls", "/run")
    assert set(run_dir.stdout.split()) <= {"crmshell-sandbox.json", "corosync.pid", "mount",
                                           "crmshell", "resource-agents"}   # a fresh /run
    key = running / "authkey"
    assert key.stat().st_size == 256 and stat.S_IMODE(key.stat().st_mode) == 0o400
    config = ClusterConfig.from_tree(parse((running / "node1" / "corosync.conf").read_text()))
    assert (config.token, config.token_coefficient, config.crypto_cipher) == (300, 0, "aes256")


def test_env_status_and_a_second_up(running: Path) -> None:
    env = sandbox("env", "node1", "--dir", str(running))
    assert env.stdout.splitlines()[0] == f"export CRMSHELL_SOCKET={running}/node1/crmshelld.sock"
    status = sandbox("status", "--dir", str(running))
    assert status.returncode == 0 and "node1" in status.stdout and " up " in status.stdout
    again = up(running)
    assert again.returncode == 1 and "in use by a running sandbox" in again.stderr
    missing = sandbox("env", "node7", "--dir", str(running))
    assert missing.returncode == 1 and "its nodes: node1" in missing.stderr


def test_fence_sandbox_kills_and_starts_the_node(running: Path) -> None:
    def agent(text: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(AGENT)], input=text + f"sandbox_dir={running}\n",
                              capture_output=True, text=True, timeout=60)

    assert agent("action=list\n").stdout == "node1,node1\n"
    assert agent("action=monitor\n").returncode == 0
    assert agent("action=status\nplug=node1\n").returncode == 0
    init_pid = state(running)["nodes"][0]["init_pid"]
    off = agent("action=off\nport=node1\nnodename=node1\n")
    assert off.returncode == 0, off.stderr
    assert wait_dead(init_pid, 2.0)
    status = agent("action=status\nplug=node1\n")
    assert status.returncode == 2 and "OFF" in status.stdout
    on = agent("action=on\nplug=node1\n")
    assert on.returncode == 0, on.stderr
    assert agent("action=status\nplug=node1\n").returncode == 0
    quorum = sandbox("exec", "node1", "--dir", str(running), "--", "corosync-quorumtool", "-s")
    assert "Quorate:          Yes" in quorum.stdout
    gone = agent("action=off\nplug=node9\n")
    assert gone.returncode == 1 and "no node 'node9'" in gone.stderr


def test_down_stops_everything_and_removes_the_files(running: Path) -> None:
    pids = [state(running)["holder_pid"], state(running)["nodes"][0]["init_pid"]]
    done = sandbox("down", "--dir", str(running))
    assert done.returncode == 0 and "stopped and removed" in done.stdout
    assert all(wait_dead(pid, 5.0) for pid in pids)
    assert not running.exists()
    status = sandbox("status", "--dir", str(running))
    assert status.returncode == 1 and "no sandbox in" in status.stderr


def test_the_holders_death_ends_every_process(running: Path) -> None:
    info = state(running)
    os.kill(info["holder_pid"], signal.SIGKILL)
    assert wait_dead(info["nodes"][0]["init_pid"], 5.0)
    assert wait_dead(info["supervisor_pid"], 5.0)
    status = sandbox("status", "--dir", str(running))
    assert status.returncode == 1 and "not running any more" in status.stderr
    assert up(running).returncode == 0   # a dead sandbox's directory can be used again


def test_a_failed_start_cleans_up(sandbox_dir: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "corosync"
    fake.write_text("#!/bin/sh\necho 'corosync: no thanks' >&2\nexit 3\n")
    fake.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    done = up(sandbox_dir, "--timeout", "10", env=env)
    assert done.returncode == 1
    assert "corosync exited with status 3" in done.stderr and "no thanks" in done.stderr
    assert "Traceback" not in done.stderr
    assert not sandbox_dir.exists()
    no_corosync = up(sandbox_dir, env=dict(os.environ, PATH="/nonexistent"))
    assert "corosync is not installed" in no_corosync.stderr


def test_a_sandbox_under_run_keeps_its_directory_inside_the_node(tmp_path: Path) -> None:
    """$XDG_RUNTIME_DIR is under /run, which every node replaces with its own tmpfs."""
    runtime = Path("/run") / f"crmshell-test-{os.getpid()}"
    if os.geteuid() != 0:
        pytest.skip("needs root to make a directory under /run")
    runtime.mkdir(mode=0o700)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime))
    try:
        flags = [] if WITH_DAEMON else ["--no-daemon"]
        done = sandbox("up", "--no-attach", *flags, env=env)
        assert done.returncode == 0, done.stderr
        inside = sandbox("exec", "node1", "--", "ls", str(runtime / "crmshell-sandbox" / "node1"),
                         env=env)
        assert "corosync.log" in inside.stdout.split()
        assert "crmshell-sandbox.json" in sandbox("exec", "node1", "--", "ls", "/run",
                                                  env=env).stdout
    finally:
        sandbox("down", env=env)
        shutil.rmtree(runtime, ignore_errors=True)


def system_python_for(user: str) -> list[str] | None:
    """A Python an ordinary user may run with what the sandbox imports (the venv may sit in
    root's home), run as `user` through runuser; None when there is none."""
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return None
    probe = ["runuser", "-u", user, "--", "/usr/bin/python3", "-c", "import lxml"]
    try:
        ok = subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return None
    return ["runuser", "-u", user, "--", "env", f"PYTHONPATH={REPO}", "/usr/bin/python3"] \
        if ok else None


def test_rootless_for_an_ordinary_user() -> None:
    python = system_python_for("nobody")
    if python is None:
        pytest.skip("needs root (to become nobody) and /usr/bin/python3 with lxml")
    top = Path(tempfile.mkdtemp(prefix="crmshell-rootless-"))   # pytest's tmp is root's 0700
    shutil.chown(top, "nobody")
    directory = top / "sbx"

    def as_nobody(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*python, "-m", "crmshell", "sandbox", *args, "--dir",
                               str(directory)] if args[0] != "exec" else
                              [*python, "-m", "crmshell", "sandbox", "exec", args[1], "--dir",
                               str(directory), "--", *args[2:]],
                              capture_output=True, text=True, timeout=90, cwd="/tmp",
                              stdin=subprocess.DEVNULL)

    try:
        done = as_nobody("up", "--no-attach", "--no-daemon")
        assert done.returncode == 0, done.stderr
        assert "rootless" in as_nobody("status").stdout
        quorum = as_nobody("exec", "node1", "corosync-quorumtool", "-s")
        assert "Quorate:          Yes" in quorum.stdout, quorum.stderr
        assert directory.owner() == "nobody"
    finally:
        down = as_nobody("down")
        shutil.rmtree(top, ignore_errors=True)
        assert down.returncode == 0, down.stderr
    assert not directory.exists()


def quorum_of(directory: Path, node: str) -> tuple[int | None, bool]:
    text = sandbox("exec", node, "--dir", str(directory), "--", "corosync-quorumtool",
                   "-s").stdout
    nodes = next((int(line.split(":")[1]) for line in text.splitlines()
                  if line.startswith("Nodes:")), None)
    return nodes, "Quorate:          Yes" in text


def wait_quorum(directory: Path, node: str, want: tuple[int, bool], timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while (seen := quorum_of(directory, node)) != want and time.monotonic() < deadline:
        time.sleep(0.1)
    return seen


def test_three_nodes_partition_heal_kill_and_start(sandbox_dir: Path) -> None:
    flags = [] if WITH_DAEMON else ["--no-daemon"]
    done = sandbox("up", "--nodes", "3", "--no-attach", "--dir", str(sandbox_dir), *flags)
    assert done.returncode == 0, done.stderr
    assert quorum_of(sandbox_dir, "node2") == (3, True)
    cut = sandbox("partition", "node3", "--dir", str(sandbox_dir))
    assert cut.stdout.strip() == "sandbox partition: node1 node2 | node3", cut.stderr
    assert wait_quorum(sandbox_dir, "node3", (1, False)) == (1, False)
    assert wait_quorum(sandbox_dir, "node1", (2, True)) == (2, True)
    healed = sandbox("heal", "--dir", str(sandbox_dir))
    assert healed.stdout.strip() == "sandbox heal: node1 node2 node3"
    assert wait_quorum(sandbox_dir, "node3", (3, True)) == (3, True)
    assert sandbox("kill", "node2", "--dir", str(sandbox_dir)).returncode == 0
    assert wait_quorum(sandbox_dir, "node1", (2, True)) == (2, True)
    started = sandbox("start", "node2", "--dir", str(sandbox_dir))
    assert started.stdout.strip() == "sandbox start: node2 is up", started.stderr
    assert quorum_of(sandbox_dir, "node2") == (3, True)
    second = sandbox("partition", "node1", "--", "node2", "--dir", str(sandbox_dir))
    assert second.stdout.strip() == "sandbox partition: node1 | node2 | node3"
