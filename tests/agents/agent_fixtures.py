"""Helpers for the agent tests: fake agents, a private OCF root, the real-installation skip mark."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest


REAL_OCF = Path("/usr/lib/ocf/resource.d")
needs_real_agents = pytest.mark.skipif(
    not (REAL_OCF / "heartbeat" / "IPaddr2").exists()
    or not (REAL_OCF / "pacemaker" / "Dummy").exists()
    or not shutil.which("stonith", path="/usr/sbin:/usr/bin"),
    reason="resource-agents, pacemaker-resource-agents or cluster-glue not installed")


def write_executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


METADATA_TEMPLATE = """<?xml version="1.0"?>
<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
<resource-agent name="{name}" version="0.9">
<version>1.1</version>
<shortdesc lang="en">Test agent {name}</shortdesc>
<longdesc lang="en">An agent made up by the tests.</longdesc>
<parameters>
<parameter name="path" required="1" unique="1"><content type="string"/>
<shortdesc lang="en">A path</shortdesc><longdesc lang="en">Where it lives.</longdesc></parameter>
<parameter name="count"><content type="integer" default="3"/><shortdesc>How many</shortdesc></parameter>
</parameters>
<actions>
<action name="start" timeout="30s"/>
<action name="stop" timeout="40s"/>
<action name="monitor" timeout="25s" interval="10s" depth="0"/>
<action name="meta-data" timeout="5s"/>
</actions>
</resource-agent>
"""


def ocf_script(name: str, metadata: str | None = None, *, exit_code: int = 0,
               counter: Path | None = None) -> str:
    """A shell OCF agent that prints `metadata` for meta-data (and counts its runs)."""
    body = metadata if metadata is not None else METADATA_TEMPLATE.format(name=name)
    count = f'echo run >> "{counter}"\n' if counter else ""
    return (f"#!/bin/sh\n{count}case \"$1\" in\nmeta-data)\ncat <<'END_OF_META'\n{body}"
            f"\nEND_OF_META\nexit {exit_code};;\nesac\nexit 3\n")


def keep_mtime(path: Path, new_text: str) -> None:
    """Rewrite `path` but keep its size and modification time (what the cache keys on)."""
    st = path.stat()
    padded = new_text.ljust(st.st_size)
    assert len(padded) == st.st_size, "replacement must not be longer than the original"
    path.write_text(padded)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
