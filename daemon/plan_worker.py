"""The scheduler in a process of its own, as Pacemaker's controller has schedulerd.

A plan of a cluster with resources costs milliseconds to seconds of CPU; run on the event
loop it would hold every commit, API request and agent result behind it. In a child process
it runs on another core while the daemon goes on taking updates, and the controller's core
already coalesces what arrives meanwhile (a plan answered for an older CIB is stale and asks
for one more run with everything that came since), so a stream of commits costs one plan
per plan's duration instead of one per commit.

One request is in flight at a time (the core never asks for a second plan before the first
is answered). The child is the daemon's own program and trusts nothing else: frames are a
4-byte length and a pickle, over its stdin and stdout only. It exits when its stdin closes,
so it never outlives the daemon. A child that dies or hangs past the timeout is killed and
replaced, and the plan is made on the loop that once, so a transition never waits for a
broken worker.
"""

from __future__ import annotations

import asyncio
import copyreg
import json
import os
import logging
import pickle
import struct
import sys
import time
from types import MappingProxyType

from daemon.controller.messages import Planned

log = logging.getLogger("crmshelld")

_LENGTH = struct.Struct(">I")
_READY = b"ready"
PLAN_TIMEOUT_S = 300.0
START_TIMEOUT_S = 30.0
MAX_START_FAILURES = 3
# Commits, API answers and agent results come before plans: a plan made while updates
# still arrive is stale anyway and made again.
NICE = 5

# The graph's parameters are read-only views; across the pipe they are rebuilt as such.
def _read_only(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


copyreg.pickle(MappingProxyType, lambda view: (_read_only, (dict(view),)))

_BOOT = ("import sys, json; sys.path[:0] = json.loads(sys.argv[1]); "
         "from daemon.plan_worker import serve; serve()")


class PlanWorker:
    """The daemon's side: `await plan(...)` returns the `Planned` event for the core."""

    def __init__(self, *, timeout_s: float = PLAN_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._proc: asyncio.subprocess.Process | None = None
        self._starting: asyncio.Task | None = None
        self._closed = False
        self._failures = 0          # starts in a row that did not give a working child

    async def start(self) -> None:
        """Start the child in the background (a plan asked meanwhile waits for it)."""
        if self._failures >= MAX_START_FAILURES or self._closed:
            return
        if self._starting is None or self._starting.done():
            self._starting = asyncio.get_running_loop().create_task(self._spawn())

    @property
    def ready(self) -> bool:
        return (self._proc is not None and self._proc.returncode is None
                and self._starting is not None and self._starting.done()
                and not self._starting.cancelled() and self._starting.exception() is None)

    async def plan(self, cib: bytes, *, now_ms: int, seq: int, transition_id: int,
                   dc_uuid: str) -> Planned:
        request = {"cib": cib, "now_ms": now_ms, "seq": seq, "transition_id": transition_id,
                   "dc_uuid": dc_uuid}
        if not self.ready:
            await self.start()
            # A child still importing is ready sooner than the scheduler imported here.
            if self._starting is not None:
                failed, = await asyncio.gather(asyncio.shield(self._starting),
                                               return_exceptions=True)
                if isinstance(failed, Exception) and not self.ready:
                    self._failures += 1
                    log.error("scheduler process could not start (%s)%s", failed,
                              ": planning in the daemon from now on"
                              if self._failures >= MAX_START_FAILURES else "")
        if not self.ready:
            return _plan_here(request)
        try:
            return await asyncio.wait_for(self._ask(request), self.timeout_s)
        except (asyncio.TimeoutError, OSError, EOFError, ConnectionError, pickle.PickleError,
                struct.error, _WorkerFailed) as err:
            why = "took too long" if isinstance(err, asyncio.TimeoutError) else str(err) or type(err).__name__
            log.error("scheduler process failed (%s): replacing it, planning here this once", why)
            await self._kill()
            if not self._closed:
                await self.start()
            return _plan_here(request)

    async def close(self) -> None:
        self._closed = True
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
            await asyncio.gather(self._starting, return_exceptions=True)
        await self._kill()

    # ---- the child ----------------------------------------------------------------------------
    async def _spawn(self) -> None:
        flags = [f for f, on in (("-I", sys.flags.isolated), ("-S", sys.flags.no_site)) if on]
        proc = await asyncio.create_subprocess_exec(
            sys.executable, *flags, "-c", _BOOT, json.dumps(sys.path),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        self._proc = proc
        try:
            hello = await asyncio.wait_for(_read_frame(proc.stdout), START_TIMEOUT_S)
        except BaseException:
            await self._kill()
            raise
        if hello != _READY:
            await self._kill()
            raise _WorkerFailed("the scheduler process did not start")
        self._failures = 0
        log.debug("scheduler process %d ready", proc.pid)

    async def _ask(self, request: dict) -> Planned:
        proc = self._proc
        data = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        proc.stdin.write(_LENGTH.pack(len(data)) + data)
        await proc.stdin.drain()
        answer = pickle.loads(await _read_frame(proc.stdout))
        if not isinstance(answer, Planned):
            raise _WorkerFailed(f"the scheduler process answered {type(answer).__name__}")
        return answer

    async def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.returncode is not None:
            return
        try:
            proc.stdin.close()
            proc.kill()
        except (ProcessLookupError, OSError):
            pass
        try:
            await asyncio.wait_for(proc.wait(), 5)
        except asyncio.TimeoutError:
            log.error("scheduler process %d did not exit after SIGKILL", proc.pid)


class _WorkerFailed(Exception):
    pass


async def _read_frame(stream: asyncio.StreamReader) -> bytes:
    try:
        head = await stream.readexactly(_LENGTH.size)
        return await stream.readexactly(_LENGTH.unpack(head)[0])
    except asyncio.IncompleteReadError:
        raise EOFError("the scheduler process exited") from None


def _plan_here(request: dict) -> Planned:
    from daemon.cib.document import parse_cib
    from daemon.controller.planning import plan

    cib = parse_cib(request.pop("cib"), source="the live CIB")
    return plan(cib, **request)


# ---- the child's side ---------------------------------------------------------------------------
def serve(stdin=None, stdout=None) -> None:
    """Answer plan requests until stdin closes (the daemon went away)."""
    import gc

    inp = stdin or sys.stdin.buffer
    out = stdout or sys.stdout.buffer
    # imported before "ready", so the first plan is not slower than the others
    from daemon.cib.document import parse_cib  # noqa: F401
    from daemon.controller.planning import plan  # noqa: F401

    gc.freeze()
    try:
        os.nice(NICE)
    except OSError:
        pass
    _write_frame(out, _READY)
    while True:
        head = inp.read(_LENGTH.size)
        if len(head) < _LENGTH.size:
            return
        body = inp.read(_LENGTH.unpack(head)[0])
        request = pickle.loads(body)
        started = time.perf_counter()
        try:
            answer = _plan_here(request)
        except Exception as err:  # noqa: BLE001 - the daemon hears why, the child goes on
            answer = Planned(request["now_ms"], request["seq"], None,
                             error=f"{type(err).__name__}: {err}")
        if answer.graph is not None:
            log.debug("planned in %.1f ms", (time.perf_counter() - started) * 1000)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as err:  # noqa: BLE001 - a graph that cannot cross is an answer too
            data = pickle.dumps(Planned(request["now_ms"], request["seq"], None,
                                        error=f"the plan could not be sent: {err}"))
        _write_frame(out, data)


def _write_frame(out, data: bytes) -> None:
    out.write(_LENGTH.pack(len(data)) + data)
    out.flush()
