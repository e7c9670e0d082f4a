"""crmshelld as a real process on a real one-node corosync, for the daemon's own tests.

The corosync side is tests/corosync's `CorosyncNode` (a namespace holder that starts and
kills corosync on demand); the daemon is started inside the same namespaces with `nsenter`,
its socket and state in the node's directory (reachable from here: it is a path socket).
`close()` kills the daemon and the node, also when a test fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "corosync"))

from corosync_node import ROOT, CorosyncNode  # noqa: E402

from daemon.api.client import ApiClient  # noqa: E402
from daemon.api.errors import ApiError  # noqa: E402


def wait_until(what, timeout: float = 20.0, step: float = 0.05, *, check=None, context=None):
    """`what()`'s first true answer, polled every `step` s; AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = what()
        if last:
            return last
        if check is not None:
            check()
        time.sleep(step)
    raise AssertionError(f"not reached within {timeout} s; last: {last!r}\n"
                         f"{context() if context else ''}")


class DaemonNode:
    def __init__(self) -> None:
        self.node = CorosyncNode()
        self.dir = self.node.dir
        self.socket = self.dir / "crmshelld.sock"
        self.state = self.dir / "state-crmshelld"
        self.log = self.dir / "crmshelld.log"
        self.proc: subprocess.Popen | None = None

    # ---- processes ----------------------------------------------------------------------
    def start_corosync(self) -> None:
        self.node.start()

    def kill_corosync(self) -> None:
        self.node.kill()

    def start_daemon(self) -> None:
        enter = ["nsenter", "-t", str(self.node.holder.pid), "-n", "-m"]
        if not ROOT:
            enter = ["nsenter", "-t", str(self.node.holder.pid), "-U", "--preserve-credentials",
                     "-n", "-m"]
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
        argv = [*enter, "--", sys.executable, "-m", "daemon.main", "--foreground",
                "--state-dir", str(self.state), "--socket", str(self.socket),
                "--log-file", str(self.log)]
        self.stderr = open(self.dir / "crmshelld.stderr", "ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.stderr,
                                     stderr=self.stderr, env=env, cwd=REPO)

    def kill_daemon(self, sig: int = signal.SIGKILL, timeout: float = 30) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout)
        self.proc = None
        self.stderr.close()
        return code

    def close(self) -> None:
        try:
            if self.proc is not None:
                self.kill_daemon()
        finally:
            self.node.close()

    # ---- talking to it ------------------------------------------------------------------
    def client(self, timeout: float = 30.0) -> ApiClient:
        return ApiClient(str(self.socket), timeout=timeout)

    def hello(self) -> dict | None:
        try:
            with self.client(timeout=5) as c:
                return c.call("hello").result
        except (ApiError, OSError):
            return None

    def until(self, what, timeout: float = 20.0, step: float = 0.05):
        def alive():
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"crmshelld exited ({self.proc.returncode}):\n"
                                     f"{self.log_text()[-3000:]}")
        return wait_until(what, timeout, step, check=alive,
                          context=lambda: self.log_text()[-3000:])

    def wait_dc(self, timeout: float = 20.0) -> dict:
        return self.until(lambda: (h := self.hello()) and h.get("connected")
                          and h.get("dc") == "node1" and h, timeout)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""
