"""The executor: the only part of the daemon that runs agents.

It takes operations (`OpRequest`), runs them through the agent class of their standard and
answers `OpResult`s; the controller records those in the status section (`history`).

- One operation at a time per resource, in the order asked: a recurring monitor waits while
  a start or stop of its resource runs. A stop first cancels the resource's recurring
  operations, as Pacemaker's controller does: a monitor still running is killed, one
  waiting never runs, and neither reports.
- Recurring operations run at once (after their start delay), then `interval` after each
  run ends; they keep the call id they were given, so the history orders them as Pacemaker
  does. By default they report their first result and then every change of result only
  (Pacemaker's executor does the same for its controller); `changes_only=False` reports
  every run.
- `node_action_limit` bounds how many `execute()` calls run agents at once (the cluster
  option node-action-limit; 0 means twice the cores, Pacemaker's default). Recurring
  monitors are not counted, as in Pacemaker, where the limit throttles transitions.
- A stop runs with the parameters of the resource's last successful start, reload or probe
  here, not the ones it was asked with (its definition may have changed since: the old
  values say what to stop), as Pacemaker's controller does.
- Call ids increase per executor from `first_call_id`; a node that restarts should start
  above the call ids its history already holds (or clear its history and re-probe).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from daemon.executor import classes, codes, process
from daemon.executor.classes.base import Invocation, Outcome, spawn_failure
from daemon.executor.meta import fetch
from daemon.executor.meta.discovery import AgentRoots
from daemon.executor.meta.errors import AgentError
from daemon.executor.meta.model import AgentMeta
from daemon.executor.model import AgentSpec, OpRequest, OpResult

log = logging.getLogger("crmshell.executor")

DEFAULT_TIMEOUT_MS = 20_000          # Pacemaker's default operation timeout
METADATA_TIMEOUT_S = 30.0
OUTPUT_LIMIT = 16 * 1024             # bytes kept of each stream (OpResult.output)
METADATA_OUTPUT_LIMIT = 1024 * 1024
RELOAD_ACTIONS = ("reload", "reload-agent")
# Results whose parameters a later stop uses (what the resource was started with).
_KEEPS_STOP_PARAMS = frozenset({"start", "reload", "reload-agent", "monitor"})


class ExecutorClosed(RuntimeError):
    """The executor was closed; it runs nothing any more."""


class _Slots:
    """At most `limit` holders at once, first come first served; the limit can change."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active = 0
        self.waiters: deque[asyncio.Future] = deque()

    async def __aenter__(self) -> None:
        if self.active >= self.limit or self.waiters:
            waiter = asyncio.get_running_loop().create_future()
            self.waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                if waiter.done() and not waiter.cancelled():
                    self._release()       # granted, then cancelled: pass the slot on
                else:
                    self.waiters.remove(waiter)
                raise
        else:
            self.active += 1

    async def __aexit__(self, *exc) -> None:
        self._release()

    def _release(self) -> None:
        self.active -= 1
        self._wake()

    def _wake(self) -> None:
        while self.waiters and self.active < self.limit:
            waiter = self.waiters.popleft()
            if not waiter.done():
                self.active += 1
                waiter.set_result(None)

    def set_limit(self, limit: int) -> None:
        self.limit = limit
        self._wake()


@dataclass
class _Recurring:
    req: OpRequest
    on_result: Callable[[OpResult], None]
    call_id: int
    changes_only: bool
    task: asyncio.Task | None = None
    cancelled: bool = False
    last: tuple[int, int] | None = None


def _default_limit() -> int:
    return 2 * (os.cpu_count() or 1)


class Executor:
    """Runs agents for one node. `roots` says where agents are (default: the system's plus
    the agents shipped with crmshell); `extra_env` is added to every agent's environment
    (HA_RSCTMP, HA_LOGFACILITY, the CRMSHELL_ATTR hook ...); `clock` gives wall-clock
    seconds for `started_ms`."""

    def __init__(self, roots: AgentRoots | None = None, *, node_action_limit: int = 0,
                 extra_env: Mapping[str, str] | None = None, first_call_id: int = 1,
                 output_limit: int = OUTPUT_LIMIT,
                 kill_grace_s: float = process.DEFAULT_KILL_GRACE_S,
                 clock: Callable[[], float] = time.time,
                 metadata_timeout_s: float = METADATA_TIMEOUT_S) -> None:
        self.roots = roots if roots is not None else AgentRoots().with_shipped()
        self._classes = classes.build(self.roots, extra_env or {}, self._advertised)
        self._slots = _Slots(node_action_limit or _default_limit())
        self._locks: dict[str, asyncio.Lock] = {}
        self._recurring: dict[tuple[str, str, int], _Recurring] = {}
        self._inflight: set[asyncio.Task] = set()
        self._meta: dict[AgentSpec, AgentMeta] = {}
        self._stop_params: dict[str, Mapping[str, str]] = {}
        self._next_call_id = first_call_id
        self._output_limit = output_limit
        self._kill_grace_s = kill_grace_s
        self._clock = clock
        self._metadata_timeout_s = metadata_timeout_s
        self._closed = False

    async def __aenter__(self) -> Executor:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    # ---- one-shot operations --------------------------------------------------------------

    def set_action_limit(self, node_action_limit: int) -> None:
        """Apply a changed node-action-limit (0: twice the cores)."""
        self._slots.set_limit(node_action_limit or _default_limit())

    async def execute(self, req: OpRequest) -> OpResult:
        """Run one operation and answer its result. A stop cancels the resource's recurring
        operations first (their keys are in `OpResult.cancelled`). If the executor is closed
        meanwhile, the agent is killed and the result says Cancelled."""
        if self._closed:
            raise ExecutorClosed("the executor is closed")
        call_id = self._call_id()
        queued = time.monotonic()
        cancelled: tuple[str, ...] = ()
        if req.action == "stop":
            cancelled = tuple(r.op_key for r in self.cancel_all(req.rsc_id))
        inner = asyncio.get_running_loop().create_task(
            self._execute(req, call_id, queued, cancelled))
        self._inflight.add(inner)
        try:
            return await inner
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if self._closed and current is not None and not current.cancelling():
                return OpResult(req, call_id, codes.OCF_UNKNOWN, codes.EXEC_CANCELLED,
                                "the executor shut down", cancelled=cancelled)
            raise
        finally:
            self._inflight.discard(inner)

    async def _execute(self, req: OpRequest, call_id: int, queued: float,
                       cancelled: tuple[str, ...]) -> OpResult:
        if req.start_delay_ms > 0:
            await asyncio.sleep(req.start_delay_ms / 1000)
        req = await self._reload_name(req)
        async with self._lock(req.rsc_id):
            if req.action == "stop" and req.rsc_id in self._stop_params:
                req = dataclasses.replace(req, params=self._stop_params[req.rsc_id])
            async with self._slots:
                result = await self._run(req, call_id, queued)
            if (req.action in _KEEPS_STOP_PARAMS and req.interval_ms == 0
                    and not codes.did_fail(result.rc, result.op_status, req.expected_rc)):
                self._stop_params[req.rsc_id] = req.params
            return dataclasses.replace(result, cancelled=cancelled)

    # ---- recurring operations -------------------------------------------------------------

    def start_recurring(self, req: OpRequest, on_result: Callable[[OpResult], None], *,
                        changes_only: bool = True) -> None:
        """Run `req` now (after its start delay) and every `interval_ms` after each run ends,
        calling `on_result` with the first result and each changed one (every one with
        `changes_only=False`). An operation of the same key already running is replaced."""
        if self._closed:
            raise ExecutorClosed("the executor is closed")
        if req.interval_ms <= 0:
            raise ValueError(f"{req.op_key}: a recurring operation needs an interval")
        self.cancel(req.rsc_id, req.action, req.interval_ms)
        rec = _Recurring(req, on_result, self._call_id(), changes_only)
        rec.task = asyncio.get_running_loop().create_task(self._recur(rec))
        self._recurring[(req.rsc_id, req.action, req.interval_ms)] = rec

    async def _recur(self, rec: _Recurring) -> None:
        req = rec.req
        if req.start_delay_ms > 0:
            await asyncio.sleep(req.start_delay_ms / 1000)
        while not rec.cancelled:
            queued = time.monotonic()
            async with self._lock(req.rsc_id):
                if rec.cancelled:
                    return
                result = await self._run(req, rec.call_id, queued)
            if rec.cancelled:
                return
            outcome = (result.rc, result.op_status)
            if not rec.changes_only or outcome != rec.last:
                rec.last = outcome
                try:
                    rec.on_result(result)
                except Exception:  # a consumer's bug must not stop the monitor
                    log.exception("%s: result handler failed", req.op_key)
            await asyncio.sleep(req.interval_ms / 1000)

    def cancel(self, rsc_id: str, action: str, interval_ms: int) -> bool:
        """Stop a recurring operation (killing its run in progress); False if none ran."""
        rec = self._recurring.pop((rsc_id, action, interval_ms), None)
        if rec is None:
            return False
        rec.cancelled = True
        if rec.task is not None:
            rec.task.cancel()
        return True

    def cancel_all(self, rsc_id: str) -> list[OpRequest]:
        """Stop every recurring operation of a resource; the requests that were running."""
        keys = [k for k in self._recurring if k[0] == rsc_id]
        out = [self._recurring[k].req for k in keys]
        for key in keys:
            self.cancel(*key)
        return out

    def recurring(self) -> list[OpRequest]:
        return [rec.req for rec in self._recurring.values()]

    def fence_devices(self) -> dict[str, OpRequest]:
        """The registered fence devices (started stonith resources), by resource id."""
        return dict(self._classes["stonith"].devices)

    async def close(self) -> None:
        """Cancel every monitor and kill every running agent; wait until they are gone."""
        self._closed = True
        tasks = [rec.task for rec in self._recurring.values() if rec.task is not None]
        for key in list(self._recurring):
            self.cancel(*key)
        tasks += list(self._inflight)
        for task in self._inflight:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # ---- meta-data ------------------------------------------------------------------------

    async def metadata(self, spec: AgentSpec) -> AgentMeta | None:
        """An agent's meta-data, fetched once per executor; None if it cannot be had (the
        agent is missing or its meta-data is unusable: the caller records without the
        reload digests then, as Pacemaker's controller does)."""
        meta = self._meta.get(spec)
        if meta is not None:
            return meta
        try:
            meta = await self._fetch_metadata(spec)
        except AgentError as err:
            log.warning("no meta-data for %s: %s", spec, err.problem)
            return None
        if meta is not None:
            self._meta[spec] = meta
        return meta

    async def _fetch_metadata(self, spec: AgentSpec) -> AgentMeta | None:
        kind, path = fetch.locate(self.roots, spec)
        if not path.is_file():
            return None
        if not fetch.runs_agent(kind):
            return fetch.from_file(spec, kind, path)
        if kind not in (fetch.OCF, fetch.FENCE):
            return None     # cluster-glue plugins are not run by this executor
        action = "meta-data" if kind == fetch.OCF else "metadata"
        req = OpRequest("meta-data", spec, action, 0, int(self._metadata_timeout_s * 1000))
        inv = self._classes[spec.standard].prepare(req)
        if isinstance(inv, Outcome):
            return None
        try:
            ran = await process.run(list(inv.argv), env=inv.env, stdin=inv.stdin,
                                    timeout_s=self._metadata_timeout_s,
                                    output_limit=METADATA_OUTPUT_LIMIT)
        except process.SpawnError as err:
            raise AgentError(str(spec), str(err)) from None
        if ran.exit_code != 0 or not ran.stdout_tail.strip():
            raise AgentError(str(spec), f"meta-data failed (exit {ran.exit_code}, "
                                        f"signal {ran.signal}, timed out: {ran.timed_out})")
        return fetch.parse_output(spec, kind, ran.stdout_tail)

    def _advertised(self, spec: AgentSpec) -> frozenset[str] | None:
        meta = self._meta.get(spec)
        return meta.action_names if meta is not None else None

    async def _reload_name(self, req: OpRequest) -> OpRequest:
        """reload-agent for OCF 1.1 agents, reload for older ones that only offer that, as
        Pacemaker's controller maps whichever name the scheduler used."""
        if req.action not in RELOAD_ACTIONS or req.agent.standard != "ocf":
            return req
        meta = await self.metadata(req.agent)
        name = "reload-agent"
        if meta is not None and meta.supports_legacy_reload and not meta.supports_reload_agent:
            name = "reload"
        return req if name == req.action else dataclasses.replace(req, action=name)

    # ---- running one agent ----------------------------------------------------------------

    def _call_id(self) -> int:
        call_id = self._next_call_id
        self._next_call_id += 1
        return call_id

    def _lock(self, rsc_id: str) -> asyncio.Lock:
        lock = self._locks.get(rsc_id)
        if lock is None:
            lock = self._locks[rsc_id] = asyncio.Lock()
        return lock

    async def _run(self, req: OpRequest, call_id: int, queued: float) -> OpResult:
        started = time.monotonic()
        started_ms = int(self._clock() * 1000)
        queue_ms = int((started - queued) * 1000)
        agent_class = self._classes.get(req.agent.standard)
        if agent_class is None:
            outcome: Outcome = Outcome(codes.OCF_ERR_CONFIGURED, codes.EXEC_ERROR_FATAL,
                                       f"unknown agent class '{req.agent.standard}'")
            return self._result(req, call_id, outcome, "", started_ms, 0, queue_ms)
        prepared = agent_class.prepare(req)
        if isinstance(prepared, Outcome):
            return self._result(req, call_id, prepared, "", started_ms, 0, queue_ms)
        timeout_ms = req.timeout_ms if req.timeout_ms > 0 else DEFAULT_TIMEOUT_MS
        try:
            ran = await process.run(list(prepared.argv), env=prepared.env,
                                    stdin=prepared.stdin, timeout_s=timeout_ms / 1000,
                                    output_limit=self._output_limit,
                                    kill_grace_s=self._kill_grace_s)
        except process.SpawnError as err:
            exec_ms = int((time.monotonic() - started) * 1000)
            return self._result(req, call_id, spawn_failure(req, err), "", started_ms,
                                exec_ms, queue_ms)
        outcome = self._outcome(req, prepared, ran, timeout_ms)
        output = (ran.stdout_tail + ran.stderr_tail).decode(errors="replace")
        return self._result(req, call_id, outcome, output, started_ms, ran.duration_ms, queue_ms)

    def _outcome(self, req: OpRequest, inv: Invocation, ran: process.ProcessResult,
                 timeout_ms: int) -> Outcome:
        if ran.timed_out:
            return Outcome(codes.OCF_ERR_GENERIC, codes.EXEC_TIMEOUT,
                           f"{req.action} did not complete within its timeout "
                           f"of {timeout_ms}ms")
        if ran.exit_code is None:
            name = signal.Signals(ran.signal).name if ran.signal in signal.valid_signals() \
                else str(ran.signal)
            return Outcome(codes.OCF_ERR_GENERIC, codes.EXEC_ERROR,
                           f"agent was killed by signal {ran.signal} ({name})")
        return self._classes[inv.standard].interpret(req, ran.exit_code, ran.stdout_tail,
                                                     ran.stderr_tail)

    def _result(self, req: OpRequest, call_id: int, outcome: Outcome, output: str,
                started_ms: int, exec_ms: int, queue_ms: int) -> OpResult:
        result = OpResult(req, call_id, outcome.rc, outcome.op_status, outcome.exit_reason,
                          output, started_ms, exec_ms, queue_ms)
        failed = codes.did_fail(outcome.rc, outcome.op_status, req.expected_rc)
        log.log(logging.WARNING if failed else logging.INFO,
                "%s (call %d): %s, %s%s (%d ms)", req.op_key, call_id,
                codes.ocf_text(outcome.rc), codes.exec_text(outcome.op_status),
                f": {outcome.exit_reason}" if outcome.exit_reason else "", exec_ms)
        return result
