"""Carrying out a fencing plan with real fence agents, under asyncio.

Agents are found and run as the executor runs them: `discovery.fence_agent_path` finds the
agent, the executor's `fence_stdin` writes its `key=value` input, and `process.run` (the
project's one process runner: an argv list, never a shell, a session of its own, killed as a
group at its timeout) runs it. Exit 0 is success, anything else a failure.

How a plan runs, as Pacemaker's fencer runs one:
- the delay (see `Plan.delay_ms`) is waited once, before the first attempt;
- levels in order; within a level, steps in order; a required step that fails ends the
  level and the next level is tried; a step not required (the `on` half of a remapped
  reboot) is logged when it fails and otherwise ignored;
- a step's timeout covers all its attempts: a retry gets what is left of it, and there is
  none after a timeout or once 70% of it is used (Pacemaker's rule); a missing agent or
  unusable input is not retried.

The result records every attempt (exit code, signal, timeout, the tail of standard error
with secrets masked) so the caller can keep fencing history. Parameters are never logged
unredacted.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from daemon.executor import process
from daemon.executor.classes.base import is_executable, last_line, plain_env
from daemon.executor.classes.stonith import fence_stdin
from daemon.executor.meta import discovery
from daemon.executor.meta.discovery import AgentRoots
from daemon.fencing.agent_params import action_for_agent, agent_params
from daemon.fencing.devices import Device
from daemon.fencing.errors import FencingConfigError
from daemon.fencing.hostlists import parse_targets
from daemon.fencing.plan import DEFAULT_TIMEOUT_MS, Level, Plan, Step, action_timeout_ms
from daemon.fencing.redaction import mask_secrets, redacted

log = logging.getLogger("crmshell.fencer")

STDERR_TAIL_CHARS = 512
OUTPUT_LIMIT = 64 * 1024
RETRY_WITHIN = 0.7          # no retry once this share of a step's timeout is used


@dataclass(frozen=True)
class Attempt:
    """One run of one agent. `error` is empty on success, else why it failed."""

    device: str
    action: str
    agent_action: str
    number: int
    level: int | None
    exit_code: int | None
    signal: int | None
    timed_out: bool
    elapsed_ms: int
    stderr_tail: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class FenceResult:
    """How fencing `target` ended. On success `level`/`level_id` (None without a topology)
    and `devices` say what did it; `reason` says why it failed otherwise."""

    target: str
    action: str
    ok: bool
    level: int | None
    level_id: str | None
    devices: tuple[str, ...]
    attempts: tuple[Attempt, ...]
    delay_ms: int
    elapsed_ms: int
    reason: str = ""


@dataclass(frozen=True)
class _Runner:
    roots: AgentRoots
    env: Mapping[str, str]
    kill_grace_s: float
    clock: Callable[[], float]


@dataclass(frozen=True)
class _Ran:
    exit_code: int | None = None
    signal: int | None = None
    timed_out: bool = False
    stdout: bytes = b""
    stderr: bytes = b""
    elapsed_ms: int = 0
    error: str = ""


def _why(ran: process.ProcessResult, timeout_ms: int) -> str:
    if ran.timed_out:
        return f"timed out after {timeout_ms} ms"
    if ran.exit_code is None:
        return f"killed by signal {ran.signal}"
    if ran.exit_code != 0:
        return last_line(ran.stderr_tail) or f"exited with status {ran.exit_code}"
    return ""


async def _run_agent(runner: _Runner, agent: str, agent_act: str, params: Mapping[str, str],
                     timeout_ms: int) -> _Ran:
    path = discovery.fence_agent_path(runner.roots, agent)
    if not is_executable(path):
        return _Ran(error=f"fence agent {agent} is not installed (no executable {path})")
    try:
        stdin = fence_stdin(agent_act, params)      # ValueError: a value holds a newline
        ran = await process.run([str(path)], env=runner.env, stdin=stdin,
                                timeout_s=timeout_ms / 1000, output_limit=OUTPUT_LIMIT,
                                kill_grace_s=runner.kill_grace_s)
    except (ValueError, process.SpawnError) as err:
        return _Ran(error=str(err))
    return _Ran(ran.exit_code, ran.signal, ran.timed_out, ran.stdout_tail, ran.stderr_tail,
                ran.duration_ms, _why(ran, timeout_ms))


def _attempt(step: Step, number: int, level: Level, ran: _Ran) -> Attempt:
    tail = mask_secrets(ran.stderr.decode(errors="replace"), step.params, step.private)
    return Attempt(step.device, step.action, step.agent_action, number, level.index,
                   ran.exit_code, ran.signal, ran.timed_out, ran.elapsed_ms,
                   tail[-STDERR_TAIL_CHARS:].strip(),
                   mask_secrets(ran.error, step.params, step.private))


async def _run_step(runner: _Runner, plan: Plan, level: Level, step: Step,
                    attempts: list[Attempt]) -> bool:
    began = runner.clock()
    for number in range(1, step.attempts + 1):
        used_ms = int((runner.clock() - began) * 1000)
        log.info("%s %s: %s via %s (%s), attempt %d of %d, %d ms left", plan.action,
                 plan.target, step.action, step.device, step.agent_action, number,
                 step.attempts, step.timeout_ms - used_ms)
        log.debug("%s parameters: %s", step.device, redacted(step.params, step.private))
        ran = await _run_agent(runner, step.agent, step.agent_action, step.params,
                               step.timeout_ms - used_ms)
        attempt = _attempt(step, number, level, ran)
        attempts.append(attempt)
        if attempt.ok:
            return True
        log.warning("%s %s: %s via %s failed: %s", plan.action, plan.target, step.action,
                    step.device, attempt.error)
        spent = runner.clock() - began
        if ran.exit_code is None or spent >= RETRY_WITHIN * step.timeout_ms / 1000:
            break          # not started, killed or timed out, or too little time left
    return False


async def _run_level(runner: _Runner, plan: Plan, level: Level,
                     attempts: list[Attempt]) -> bool:
    for step in level.steps:
        done = await _run_step(runner, plan, level, step, attempts)
        if not done and step.required:
            return False
        if not done:
            log.warning("%s %s: %s via %s failed and is ignored (the off actions succeeded)",
                        plan.action, plan.target, step.action, step.device)
    return True


async def run_plan(plan: Plan, *, roots: AgentRoots | None = None, delay_ms: int = 0,
                   extra_env: Mapping[str, str] | None = None,
                   kill_grace_s: float = process.DEFAULT_KILL_GRACE_S,
                   sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                   clock: Callable[[], float] = time.monotonic) -> FenceResult:
    """Carry out `plan` (see the module). `roots` finds the agents (the executor's, by
    default the system's plus those shipped with crmshell); `extra_env` is added to the
    agents' environment; `sleep` and `clock` are the waits and the time it is measured by."""
    runner = _Runner(roots if roots is not None else AgentRoots().with_shipped(),
                     plain_env(extra_env or {}), kill_grace_s, clock)
    began = clock()
    attempts: list[Attempt] = []

    def result(ok: bool, level: Level | None, reason: str = "") -> FenceResult:
        return FenceResult(plan.target, plan.action, ok,
                           level.index if level else None, level.id if level else None,
                           level.devices if level else (), tuple(attempts), max(0, delay_ms),
                           int((clock() - began) * 1000), reason)

    if not plan.levels:
        return result(False, None, "; ".join(plan.notes + tuple(map(str, plan.problems)))
                      or f"no fence device can {plan.action} {plan.target}")
    if delay_ms > 0:
        log.info("%s %s: waiting %d ms before fencing", plan.action, plan.target, delay_ms)
        await sleep(delay_ms / 1000)
    for level in plan.levels:
        if await _run_level(runner, plan, level, attempts):
            log.info("%s %s: done by %s", plan.action, plan.target, ", ".join(level.devices))
            return result(True, level)
    last = attempts[-1].error if attempts else "nothing was run"
    return result(False, None, f"every device failed (last: {last})")


async def list_targets(device: Device, *, roots: AgentRoots | None = None,
                       timeout_ms: int = DEFAULT_TIMEOUT_MS,
                       extra_env: Mapping[str, str] | None = None,
                       kill_grace_s: float = process.DEFAULT_KILL_GRACE_S
                       ) -> tuple[str, ...] | None:
    """The targets a device's agent lists (`pcmk_list_action`, else `list`), for the
    dynamic-list host check; None when the list fails (logged, secrets masked)."""
    runner = _Runner(roots if roots is not None else AgentRoots().with_shipped(),
                     plain_env(extra_env or {}), kill_grace_s, time.monotonic)
    try:
        params = agent_params(device, None)
        timeout = action_timeout_ms(device, "list", timeout_ms)
    except FencingConfigError as err:
        log.warning("cannot list the targets of %s: %s", device.id, err)
        return None
    ran = await _run_agent(runner, device.agent, action_for_agent(device, "list"), params,
                           timeout)
    if ran.error:
        log.warning("listing the targets of %s failed: %s", device.id,
                    mask_secrets(ran.error, params))
        return None
    return parse_targets(ran.stdout.decode(errors="replace"))

