"""Fixtures for the agent catalogue: a private OCF root and cache, and the real installation."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmshell.agents import AgentCatalog, AgentRoots


@pytest.fixture
def fake_roots(tmp_path: Path) -> AgentRoots:
    """An empty installation under tmp_path: OCF root, init.d, sbin, plugin dir; no systemctl."""
    ocf = tmp_path / "ocf"
    (ocf / "resource.d").mkdir(parents=True)
    for sub in ("init.d", "sbin", "plugins", "units"):
        (tmp_path / sub).mkdir()
    return AgentRoots(ocf_root=ocf, lsb_dir=tmp_path / "init.d", fence_dir=tmp_path / "sbin",
                      stonith_plugin_dir=tmp_path / "plugins",
                      stonith_program=Path("/usr/sbin/stonith"), systemctl=None,
                      systemd_unit_dirs=(tmp_path / "units",))


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def real_catalog(cache_dir: Path) -> AgentCatalog:
    return AgentCatalog(AgentRoots(), cache_dir)

