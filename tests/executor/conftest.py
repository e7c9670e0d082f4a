"""Fixtures for the executor tests: agent roots with private LSB, fence and state dirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.executor.executor import Executor
from daemon.executor.meta.discovery import AgentRoots


@pytest.fixture
def rsctmp(tmp_path: Path) -> Path:
    """Where the agents keep their state files in a test (HA_RSCTMP), not /run."""
    path = tmp_path / "rsctmp"
    path.mkdir()
    return path


@pytest.fixture
def roots(tmp_path: Path) -> AgentRoots:
    """The system's OCF agents and fence agents plus the shipped ones, a private init.d and
    fence directory, and no systemd (its run directory does not exist)."""
    (tmp_path / "init.d").mkdir()
    (tmp_path / "fence").mkdir()
    return AgentRoots(lsb_dir=tmp_path / "init.d", extra_fence_dirs=(tmp_path / "fence",),
                      systemd_run_dir=tmp_path / "no-systemd").with_shipped()


@pytest.fixture
def make_executor(roots: AgentRoots, rsctmp: Path):
    """Executor(**options) over `roots`, with HA_RSCTMP pointing at `rsctmp`."""
    def make(**options) -> Executor:
        extra_env = {"HA_RSCTMP": str(rsctmp), **options.pop("extra_env", {})}
        return Executor(options.pop("roots", roots), extra_env=extra_env,
                        kill_grace_s=options.pop("kill_grace_s", 0.5), **options)
    return make
