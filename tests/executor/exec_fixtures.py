"""Helpers for the executor tests: requests, agents written by a test, process checks."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import os
import stat
from pathlib import Path

import pytest

from daemon.executor.meta.discovery import AgentRoots
from daemon.executor.model import AgentSpec, OpRequest

SYSTEM_OCF = Path("/usr/lib/ocf/resource.d")
needs_heartbeat = pytest.mark.skipif(not (SYSTEM_OCF / "heartbeat" / "Dummy").exists(),
                                     reason="resource-agents is not installed")
needs_pacemaker_agents = pytest.mark.skipif(
    not (SYSTEM_OCF / "pacemaker" / "Stateful").exists(),
    reason="pacemaker's resource agents are not installed")
needs_fence_agents = pytest.mark.skipif(not Path("/usr/sbin/fence_dummy").exists(),
                                        reason="fence-agents is not installed")

SHIPPED_DUMMY = AgentSpec("ocf", "crmshell", "Dummy")
SHIPPED_STATEFUL = AgentSpec("ocf", "crmshell", "Stateful")
HEARTBEAT_DUMMY = AgentSpec("ocf", "heartbeat", "Dummy")
PACEMAKER_STATEFUL = AgentSpec("ocf", "pacemaker", "Stateful")


def in_loop(test):
    """Run an async test function in a fresh event loop (with a generous overall bound)."""
    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return asyncio.run(asyncio.wait_for(test(*args, **kwargs), 60))
    return wrapper


def request(rsc: str, agent: AgentSpec | str, action: str, interval_ms: int = 0, *,
            timeout_ms: int = 20_000, params: dict | None = None, meta: dict | None = None,
            transition_key: str | None = None, start_delay_ms: int = 0) -> OpRequest:
    spec = AgentSpec.parse(agent) if isinstance(agent, str) else agent
    full_meta = {"timeout": str(timeout_ms)}
    if interval_ms:
        full_meta["interval"] = str(interval_ms)
    full_meta.update(meta or {})
    return OpRequest(rsc, spec, action, interval_ms, timeout_ms, params or {}, full_meta,
                     transition_key, start_delay_ms)


def write_executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def kill_quietly(pid: int, sig: int = 9) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def with_test_agents(roots: AgentRoots, tmp_path: Path) -> AgentRoots:
    """`roots` that also find OCF agents of provider `test` written by `write_test_agent`."""
    return dataclasses.replace(roots, extra_ocf_roots=(tmp_path / "ocf",) + roots.extra_ocf_roots)


def write_test_agent(tmp_path: Path, name: str, text: str) -> Path:
    """An OCF agent `ocf:test:<name>` under tmp_path (see `with_test_agents`)."""
    return write_executable(tmp_path / "ocf" / "resource.d" / "test" / name, text)
