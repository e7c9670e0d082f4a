"""Run one agent process under asyncio: argv list, timeout, whole process group killed.

Every run gets a session (and so a process group) of its own. At the timeout the group gets
SIGTERM, and SIGKILL once the agent has exited or the grace period is over, whichever comes
first, so nothing the agent started in its group outlives a timed-out run. A run whose
waiting task is cancelled kills the group at once. On a normal exit the group is left
alone: an agent's start may leave its service running in it.

Output is read as it comes and only the last `output_limit` bytes of each stream are kept.
The run ends when the agent exits, not when its pipes close: a daemon that kept the pipes
open would otherwise hold the run until it died. What the agent wrote before exiting is
already in the pipe and is read before returning.

Exit is noticed through a pidfd (no thread, no SIGCHLD handler), so the loop needs no child
watcher; children must not be reaped by anyone else in the process (asyncio's default
watchers only reap their own).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_OUTPUT_LIMIT = 64 * 1024
DEFAULT_KILL_GRACE_S = 2.0
_READ_SIZE = 65536


@dataclass(frozen=True)
class ProcessResult:
    """How a run ended. `exit_code` is None when a signal ended it (`signal` says which);
    `timed_out` says the timeout fired (the group was then killed)."""

    exit_code: int | None
    signal: int | None
    timed_out: bool
    stdout_tail: bytes
    stderr_tail: bytes
    duration_ms: int
    pid: int = 0


class SpawnError(OSError):
    """The program could not be started at all (missing, not executable, bad cwd)."""


class _Tail:
    """The last `limit` bytes written to one stream."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.buf = bytearray()

    def add(self, data: bytes) -> None:
        self.buf += data
        if len(self.buf) > 2 * self.limit:
            del self.buf[:-self.limit]

    def value(self) -> bytes:
        return bytes(self.buf[-self.limit:]) if self.limit else b""


class _Pipe:
    """The parent's end of one child's output pipe, read as data arrives."""

    def __init__(self, loop: asyncio.AbstractEventLoop, fd: int, tail: _Tail) -> None:
        self.loop, self.fd, self.tail = loop, fd, tail
        os.set_blocking(fd, False)
        self.open = True
        loop.add_reader(fd, self._readable)

    def _readable(self) -> None:
        self.drain()

    def drain(self) -> None:
        """Read everything there is now (until the pipe is empty or closed)."""
        while self.open:
            try:
                data = os.read(self.fd, _READ_SIZE)
            except BlockingIOError:
                return
            except InterruptedError:
                continue
            except OSError:
                data = b""
            if not data:
                self._stop_reading()
                return
            self.tail.add(data)

    def _stop_reading(self) -> None:
        if self.open:
            self.open = False
            self.loop.remove_reader(self.fd)

    def close(self) -> None:
        self._stop_reading()
        os.close(self.fd)


class _Stdin:
    """Feeds `data` to the child without blocking the loop, then closes its stdin."""

    def __init__(self, loop: asyncio.AbstractEventLoop, fd: int, data: bytes) -> None:
        self.loop, self.fd, self.data = loop, fd, memoryview(data)
        self.closed = False
        os.set_blocking(fd, False)
        if not self._write():
            loop.add_writer(fd, self._writable)

    def _write(self) -> bool:
        """True when finished (all written, or the child closed its end)."""
        while self.data:
            try:
                written = os.write(self.fd, self.data)
            except BlockingIOError:
                return False
            except InterruptedError:
                continue
            except OSError:          # EPIPE: the child does not read its stdin
                break
            self.data = self.data[written:]
        self.close()
        return True

    def _writable(self) -> None:
        if self._write():
            self.loop.remove_writer(self.fd)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.loop.remove_writer(self.fd)
            os.close(self.fd)


def _kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _spawn(argv: list[str], env: Mapping[str, str], cwd: str, stdin_fd: int | None,
           out_w: int, err_w: int) -> subprocess.Popen:
    try:
        return subprocess.Popen(
            argv, stdin=stdin_fd if stdin_fd is not None else subprocess.DEVNULL,
            stdout=out_w, stderr=err_w, env=dict(env), cwd=cwd, close_fds=True,
            start_new_session=True)
    except OSError as err:
        raise SpawnError(err.errno, f"cannot run {argv[0]}: {err.strerror or err}") from None


async def _exited(loop: asyncio.AbstractEventLoop, proc: subprocess.Popen) -> None:
    """Wait until the child has exited (it is still a zombie: its pid, and so the group id,
    cannot be reused before we reap it)."""
    try:
        pidfd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        await asyncio.to_thread(_wait_exited, proc.pid)
        return
    done = loop.create_future()
    loop.add_reader(pidfd, lambda: done.done() or done.set_result(None))
    try:
        await done
    finally:
        loop.remove_reader(pidfd)
        os.close(pidfd)


def _wait_exited(pid: int) -> None:
    """Without pidfds: wait for the exit without reaping (WNOWAIT keeps the zombie)."""
    while True:
        try:
            os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
            return
        except InterruptedError:
            continue
        except ChildProcessError:
            return


async def run(argv: list[str], *, env: Mapping[str, str], stdin: bytes | None,
              timeout_s: float, cwd: str = "/", output_limit: int = DEFAULT_OUTPUT_LIMIT,
              kill_grace_s: float = DEFAULT_KILL_GRACE_S) -> ProcessResult:
    """Run `argv` to its end or its timeout; SpawnError if it cannot start."""
    loop = asyncio.get_running_loop()
    out_r, out_w = os.pipe2(os.O_CLOEXEC)
    err_r, err_w = os.pipe2(os.O_CLOEXEC)
    in_r = in_w = None
    if stdin is not None:
        in_r, in_w = os.pipe2(os.O_CLOEXEC)
    began = time.monotonic()
    try:
        proc = _spawn(argv, env, cwd, in_r, out_w, err_w)
    except SpawnError:
        for fd in (out_r, err_r, in_w):
            if fd is not None:
                os.close(fd)
        raise
    finally:
        for fd in (out_w, err_w, in_r):
            if fd is not None:
                os.close(fd)
    out = _Pipe(loop, out_r, _Tail(output_limit))
    err = _Pipe(loop, err_r, _Tail(output_limit))
    feeder = _Stdin(loop, in_w, stdin) if in_w is not None else None
    timed_out = False
    timers: list[asyncio.TimerHandle] = []

    def on_timeout() -> None:
        nonlocal timed_out
        timed_out = True
        _kill_group(proc.pid, signal.SIGTERM)
        timers.append(loop.call_later(kill_grace_s, _kill_group, proc.pid, signal.SIGKILL))

    timers.append(loop.call_later(timeout_s, on_timeout))
    try:
        await _exited(loop, proc)
        if timed_out:
            # The leader is gone but not yet reaped, so its group id is still ours: kill
            # what ignored SIGTERM.
            _kill_group(proc.pid, signal.SIGKILL)
    except BaseException:
        # Cancelled (or the loop is going away): nothing of this run may survive it.
        _kill_group(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    finally:
        for timer in timers:
            timer.cancel()
        out.drain()
        err.drain()
        out.close()
        err.close()
        if feeder is not None:
            feeder.close()
    duration_ms = int((time.monotonic() - began) * 1000)
    code = proc.wait()
    return ProcessResult(
        exit_code=code if code >= 0 else None, signal=-code if code < 0 else None,
        timed_out=timed_out, stdout_tail=out.tail.value(), stderr_tail=err.tail.value(),
        duration_ms=duration_ms, pid=proc.pid)
