"""The process runner: real processes, whole groups killed at the timeout, bounded output."""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import time

import pytest

from daemon.executor import process
from exec_fixtures import alive, in_loop, kill_quietly, write_executable

ENV = {"PATH": "/usr/bin:/bin"}


@in_loop
async def test_exit_code_and_both_streams():
    ran = await process.run(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"], env=ENV,
                            stdin=None, timeout_s=10)
    assert (ran.exit_code, ran.signal, ran.timed_out) == (3, None, False)
    assert ran.stdout_tail == b"out\n" and ran.stderr_tail == b"err\n"


@in_loop
async def test_output_keeps_only_the_tail():
    script = "i=0; while [ $i -lt 3000 ]; do echo line-$i; i=$((i+1)); done"
    ran = await process.run(["/bin/sh", "-c", script], env=ENV, stdin=None, timeout_s=10,
                            output_limit=1000)
    assert len(ran.stdout_tail) == 1000
    assert ran.stdout_tail.endswith(b"line-2999\n")


@in_loop
async def test_stdin_is_fed_and_closed():
    data = b"".join(b"key%d=value\n" % i for i in range(20000))   # more than a pipe holds
    ran = await process.run(["/bin/cat"], env=ENV, stdin=data, timeout_s=10,
                            output_limit=len(data))
    assert ran.exit_code == 0 and ran.stdout_tail == data


@in_loop
async def test_timeout_kills_the_whole_group(tmp_path):
    """The agent starts a child, a grandchild that ignores SIGTERM and a background job,
    then hangs: at the timeout nothing of its process group may survive."""
    pids = tmp_path / "pids"
    agent = write_executable(tmp_path / "hang", f"""#!/bin/sh
sleep 300 &
echo $! >> {pids}
sh -c 'trap "" TERM; echo $$ >> {pids}; while :; do sleep 1; done' &
echo $$ >> {pids}
sleep 300
""")
    began = time.monotonic()
    try:
        ran = await process.run([str(agent)], env=ENV, stdin=None, timeout_s=0.5,
                                kill_grace_s=0.5)
        elapsed = time.monotonic() - began
        assert ran.timed_out and ran.exit_code is None
        assert elapsed < 3
        started = [int(p) for p in pids.read_text().split()]
        assert len(started) == 3
        deadline = time.monotonic() + 2
        while any(alive(p) for p in started) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert [p for p in started if alive(p)] == []
    finally:
        for pid in (int(p) for p in pids.read_text().split()) if pids.exists() else ():
            kill_quietly(pid)


@in_loop
async def test_cancelling_the_run_kills_the_group(tmp_path):
    pids = tmp_path / "pids"
    agent = write_executable(tmp_path / "hang", f"#!/bin/sh\nsleep 300 &\necho $! > {pids}\n"
                                                "sleep 300\n")
    task = asyncio.ensure_future(process.run([str(agent)], env=ENV, stdin=None, timeout_s=60))
    try:
        while not pids.exists() or not pids.read_text().strip():
            await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        child = int(pids.read_text())
        deadline = time.monotonic() + 2
        while alive(child) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert not alive(child)
    finally:
        if pids.exists() and pids.read_text().strip():
            kill_quietly(int(pids.read_text()))


@in_loop
async def test_run_ends_with_the_agent_not_with_its_daemon(tmp_path):
    """A service left running in the group keeps its pipes open; the run still ends when the
    agent exits, and the service is not killed."""
    pid_file = tmp_path / "daemon.pid"
    agent = write_executable(tmp_path / "start", f"#!/bin/sh\nsleep 30 &\necho $! > {pid_file}\n"
                                                 "echo started\n")
    try:
        began = time.monotonic()
        ran = await process.run([str(agent)], env=ENV, stdin=None, timeout_s=20)
        assert time.monotonic() - began < 2
        assert ran.exit_code == 0 and ran.stdout_tail == b"started\n"
        assert alive(int(pid_file.read_text()))
    finally:
        kill_quietly(int(pid_file.read_text()))


@in_loop
async def test_a_signal_is_reported(tmp_path):
    ran = await process.run(["/bin/sh", "-c", "kill -USR1 $$"], env=ENV, stdin=None,
                            timeout_s=10)
    assert ran.exit_code is None and ran.signal == signal.SIGUSR1 and not ran.timed_out


@in_loop
async def test_programs_that_cannot_start(tmp_path):
    pipes_before = _pipes()
    with pytest.raises(process.SpawnError) as info:
        await process.run([str(tmp_path / "missing")], env=ENV, stdin=None, timeout_s=1)
    assert info.value.errno == errno.ENOENT and "missing" in str(info.value)
    plain = tmp_path / "plain"
    plain.write_text("#!/bin/sh\n")
    with pytest.raises(process.SpawnError) as info:
        await process.run([str(plain)], env=ENV, stdin=b"x", timeout_s=1)
    assert info.value.errno == errno.EACCES
    assert _pipes() == pipes_before      # no pipe end left open


def _pipes() -> set[str]:
    out = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("pipe:"):
            out.add(f"{fd}:{target}")
    return out
