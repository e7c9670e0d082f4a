"""Run an agent for its meta-data: argv list, clean environment, timeout, no shell.

Synchronous, for the shell's catalogue; the executor runs the same commands through its
own asynchronous process runner. The agent gets a session of its own, and the whole
session is killed at the timeout, so a helper it forked cannot outlive the call.
"""

from __future__ import annotations

import os
import signal
import subprocess
from typing import Mapping

from daemon.executor.meta.errors import AgentError

SAFE_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def ocf_environment(ocf_root: str, provider: str, type_: str) -> dict[str, str]:
    """What an OCF agent may expect when asked for meta-data, and nothing of ours."""
    return {
        "OCF_ROOT": ocf_root,
        "OCF_RA_VERSION_MAJOR": "1",
        "OCF_RA_VERSION_MINOR": "1",
        "OCF_RESOURCE_INSTANCE": type_,
        "OCF_RESOURCE_TYPE": type_,
        "OCF_RESOURCE_PROVIDER": provider,
        "PATH": SAFE_PATH,
        "LC_ALL": "C",
    }


def plain_environment() -> dict[str, str]:
    return {"PATH": SAFE_PATH, "LC_ALL": "C"}


def run_for_metadata(agent: str, argv: list[str], env: Mapping[str, str], timeout: float) -> bytes:
    """Standard output of `argv`; AgentError naming `agent` if it cannot run, times out or
    exits non-zero (with the last line it wrote to standard error)."""
    try:
        proc = subprocess.Popen(argv, env=dict(env), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd="/",
                                start_new_session=True)
    except OSError as err:
        raise AgentError(agent, f"cannot run {argv[0]}: {err.strerror or err}") from None
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_session(proc)
        raise AgentError(agent, f"meta-data did not finish within {timeout:g}s") from None
    if proc.returncode != 0:
        lines = [ln for ln in stderr.decode(errors="replace").splitlines() if ln.strip()]
        detail = f": {lines[-1].strip()}" if lines else ""
        raise AgentError(agent, f"meta-data exited with status {proc.returncode}{detail}")
    if not stdout.strip():
        raise AgentError(agent, "meta-data printed nothing")
    return stdout


def _kill_session(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    proc.communicate()
