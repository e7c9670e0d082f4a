"""A daemon killed with SIGKILL: the client is told at once, not after its timeout, and the
socket the dead daemon leaves behind is taken over by the next one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from daemon.api.client import ApiClient
from daemon.api.errors import DaemonUnavailable

REPO = str(Path(__file__).resolve().parents[2])


def _spawn(path: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "tests.api.serve_main", path], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
    except BaseException:
        _kill(proc)
        raise
    return proc


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    proc.stdout.close()


@pytest.fixture
def spawned(sock_path):
    procs = []

    def spawn():
        procs.append(_spawn(sock_path))
        return procs[-1]

    try:
        yield spawn
    finally:
        for proc in procs:
            _kill(proc)


def test_kill_9_during_a_call_and_restart(spawned, sock_path):
    daemon = spawned()
    with ApiClient(sock_path, timeout=30) as client:
        assert client.call("hello").result == {"api": 1}
        threading.Timer(0.3, os.kill, (daemon.pid, signal.SIGKILL)).start()
        start = time.monotonic()
        with pytest.raises(DaemonUnavailable, match="is crmshelld running"):
            client.call("wait", {"timeout": 20})
        assert time.monotonic() - start < 5
        daemon.wait(10)                                         # all its sockets closed
        assert os.path.exists(sock_path)                        # what the dead daemon left
        with pytest.raises(DaemonUnavailable, match="connection refused"):
            client.call("hello")
        spawned()
        assert client.call("hello").result == {"api": 1}
