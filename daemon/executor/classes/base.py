"""What every agent class turns a request into, and what it turns an exit back into.

A class `prepare`s an `Invocation` (argv, environment, stdin) or answers at once with an
`Outcome` when nothing needs to run (the agent is missing, systemd is not running, a fence
device is unregistered); after the run it `interpret`s the exit code. Timeouts, signals and
programs that cannot start are the same for every class and handled here and by the
executor, not per class.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from daemon.executor import codes
from daemon.executor.meta.run import SAFE_PATH
from daemon.executor.model import OpRequest

DEFAULT_ENV = {"PATH": SAFE_PATH, "LC_ALL": "C"}
EXIT_REASON_MAX = 128   # Pacemaker cuts exit reasons there


@dataclass(frozen=True)
class Invocation:
    """One agent run. `standard` names the class whose `interpret` reads its exit (for
    `service:`, the class it resolved to)."""

    argv: tuple[str, ...]
    env: Mapping[str, str]
    stdin: bytes | None
    standard: str


@dataclass(frozen=True)
class Outcome:
    rc: int
    op_status: int
    exit_reason: str = ""


class AgentClass(Protocol):
    standard: str

    def prepare(self, req: OpRequest) -> Invocation | Outcome: ...

    def interpret(self, req: OpRequest, exit_code: int, stdout: bytes, stderr: bytes
                  ) -> Outcome: ...


def not_installed(req: OpRequest, what: str) -> Outcome:
    """The agent (or what it needs to run) is not on this node: a hard error that a probe
    reads as 'not running here', as Pacemaker does."""
    return Outcome(codes.OCF_ERR_INSTALLED, codes.EXEC_NOT_INSTALLED,
                   f"{req.agent} is not installed on this node ({what})")


def unsupported(req: OpRequest) -> Outcome:
    return Outcome(codes.OCF_ERR_UNIMPLEMENTED, codes.EXEC_NOT_SUPPORTED,
                   f"{req.agent.standard} agents do not support the {req.action} action")


def spawn_failure(req: OpRequest, err: OSError) -> Outcome:
    """A program that exists but cannot be started, as Pacemaker maps exec errors."""
    if err.errno == errno.ENOENT:
        return not_installed(req, str(err))
    if err.errno in (errno.EACCES, errno.EPERM):
        return Outcome(codes.OCF_ERR_PERM, codes.EXEC_ERROR, f"cannot run the agent: {err}")
    return Outcome(codes.OCF_ERR_GENERIC, codes.EXEC_ERROR, f"cannot run the agent: {err}")


def last_line(data: bytes) -> str:
    lines = [ln.strip() for ln in data.decode(errors="replace").splitlines() if ln.strip()]
    return lines[-1][:EXIT_REASON_MAX] if lines else ""


def is_executable(path: os.PathLike | str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def plain_env(extra: Mapping[str, str]) -> dict[str, str]:
    return {**DEFAULT_ENV, **extra}
