"""A real single-node corosync in its own network and mount namespaces, for the tests.

libqb's IPC sockets are abstract and scoped by network namespace, so the code under test
runs in a driver process entered into the node's namespaces (`nsenter -t HOLDER -n -m`),
which talks to the test over JSON lines. Everything started here is ended by `close()`:
drivers are killed, the holder's stdin is closed (it kills corosync) and the directory goes.
"""

from __future__ import annotations

import json
import os
import secrets
import select
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PYTHON = sys.executable
ROOT = os.geteuid() == 0

CONF = """\
totem {{
    version: 2
    cluster_name: crmshell-test
    transport: knet
    crypto_cipher: aes256
    crypto_hash: sha256
    token: 300
    token_coefficient: 0
    keyfile: {dir}/authkey
}}
nodelist {{
    node {{
        ring0_addr: 127.0.0.1
        name: node1
        nodeid: 1
    }}
}}
quorum {{
    provider: corosync_votequorum
}}
logging {{
    to_logfile: yes
    logfile: {dir}/corosync.log
    to_syslog: no
    to_stderr: no
    timestamp: on
}}
system {{
    move_to_root_cgroup: no
    state_dir: {dir}/state
}}
"""


class DriverError(AssertionError):
    """A driver process did not say what the test expected (its stderr is in the message)."""


class Driver:
    """One Python process inside the node's namespaces, speaking JSON lines.

    Its stdout is read from the raw descriptor into our own buffer: a buffered reader
    would swallow several lines at once and `select` would then wait for data already
    read. Its stderr goes to a file, so a chatty driver can never block on a full pipe.
    """

    def __init__(self, argv: list[str], env: dict[str, str], stderr_path: Path) -> None:
        self.stderr_path = stderr_path
        with open(stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=stderr, env=env, bufsize=0)
        self._fd = self.proc.stdout.fileno()
        self._buffer = b""
        self._eof = False
        self.seen: list[dict] = []

    def _next_line(self, timeout: float) -> bytes | None:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer and not self._eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._fd], [], [], left)
            if ready:
                chunk = os.read(self._fd, 65536)
                self._eof = not chunk
                self._buffer += chunk
        if b"\n" not in self._buffer:
            return b""
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def read(self, timeout: float) -> dict:
        """The next JSON line, or DriverError after `timeout` seconds or at end of output."""
        line = self._next_line(timeout)
        if line is None:
            raise DriverError(f"no output within {timeout} s; {self._stderr_tail()}")
        if not line:
            raise DriverError(f"driver ended (rc={self.proc.wait(5)}); "
                              f"{self._stderr_tail()}")
        record = json.loads(line)
        self.seen.append(record)
        return record

    def expect(self, event: str, timeout: float = 10.0) -> dict:
        """Read lines until one has `"event": event`; fail on an `"error"` line."""
        deadline = time.monotonic() + timeout
        while True:
            record = self.read(max(0.0, deadline - time.monotonic()))
            if record.get("event") == "error":
                raise DriverError(f"driver error: {record}; {self._stderr_tail()}")
            if record.get("event") == event:
                return record

    def quiet(self, seconds: float) -> list[dict]:
        """Everything the driver says within `seconds` (for "nothing happens" checks)."""
        deadline = time.monotonic() + seconds
        records = []
        while (line := self._next_line(max(0.0, deadline - time.monotonic()))):
            records.append(json.loads(line))
        self.seen.extend(records)
        return records

    def send(self, **command) -> None:
        self.proc.stdin.write(json.dumps(command).encode() + b"\n")

    def finish(self, timeout: float = 10.0) -> int:
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise DriverError(f"driver did not exit within {timeout} s") from None

    def _stderr_tail(self) -> str:
        state = "running" if self.proc.poll() is None else f"rc={self.proc.returncode}"
        try:
            tail = self.stderr_path.read_text(errors="replace")[-3000:]
        except OSError:
            tail = ""
        return f"driver {state}; stderr: {tail}"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


class CorosyncNode:
    """A namespace holder, corosync on demand inside it, and drivers entered into it."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="crmshell-corosync-"))
        self.dir.chmod(0o750)
        self._drivers: list[Driver] = []
        self.holder: subprocess.Popen | None = None
        try:
            self._write_files()
            prefix = ["unshare", "--net", "--mount"]
            if not ROOT:
                prefix = ["unshare", "--user", "--map-root-user", "--net", "--mount"]
            self.holder = subprocess.Popen(
                [*prefix, "--", PYTHON, str(HERE / "ns_holder.py"), str(self.conf)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            self._answer("ready")
        except BaseException:
            self.close()
            raise

    def _write_files(self) -> None:
        (self.dir / "state").mkdir(mode=0o750)
        key = self.dir / "authkey"
        key.write_bytes(secrets.token_bytes(256))
        key.chmod(0o400)
        self.conf = self.dir / "corosync.conf"
        self.conf.write_text(CONF.format(dir=self.dir))
        self.conf.chmod(0o640)
        self.log = self.dir / "corosync.log"

    def _answer(self, word: str, timeout: float = 15.0) -> str:
        selector = selectors.DefaultSelector()
        selector.register(self.holder.stdout, selectors.EVENT_READ)
        try:
            if not selector.select(timeout):
                raise RuntimeError(f"namespace holder: no {word!r} within {timeout} s")
        finally:
            selector.close()
        line = self.holder.stdout.readline().strip()
        if not line.startswith(word):
            raise RuntimeError(f"namespace holder said {line!r}, expected {word!r}")
        return line

    def _command(self, command: str, word: str) -> str:
        self.holder.stdin.write(command + "\n")
        self.holder.stdin.flush()
        return self._answer(word)

    def start(self) -> None:
        """Start corosync (returns at once; clients wait for its IPC themselves)."""
        self._command("start", "started")

    def kill(self) -> None:
        """SIGKILL corosync and wait for it to be gone."""
        self._command("kill", "ended")

    def driver(self, *args: str) -> Driver:
        """Run `corosync_driver.py ARGS` inside the node's namespaces."""
        enter = ["nsenter", "-t", str(self.holder.pid), "-n", "-m"]
        if not ROOT:
            enter = ["nsenter", "-t", str(self.holder.pid), "-U", "--preserve-credentials",
                     "-n", "-m"]
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
        stderr = self.dir / f"driver{len(self._drivers)}.stderr"
        driver = Driver([*enter, "--", PYTHON, str(HERE / "corosync_driver.py"), *args], env,
                        stderr)
        self._drivers.append(driver)
        return driver

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def close(self) -> None:
        for driver in self._drivers:
            driver.kill()
        self._drivers.clear()
        if self.holder is not None:
            try:
                self.holder.stdin.close()
            except OSError:
                pass
            try:
                self.holder.wait(15)
            except subprocess.TimeoutExpired:
                self.holder.kill()
                self.holder.wait(10)
            self.holder.stdout.close()
            self.holder = None
        shutil.rmtree(self.dir, ignore_errors=True)
