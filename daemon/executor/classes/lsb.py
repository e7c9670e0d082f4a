"""LSB init scripts: `/etc/init.d/<type> start|stop|status` (monitor runs status).

Init scripts take no parameters. Their exit codes are mapped to OCF by `codes.lsb_to_ocf`;
status has a table of its own (3 is 'not running' there).
"""

from __future__ import annotations

from collections.abc import Mapping

from daemon.executor import codes
from daemon.executor.classes.base import (Invocation, Outcome, is_executable, last_line,
                                          not_installed, plain_env, unsupported)
from daemon.executor.meta.discovery import AgentRoots
from daemon.executor.model import OpRequest

ACTIONS = {"start": "start", "stop": "stop", "status": "status", "monitor": "status",
           "restart": "restart", "force-reload": "force-reload"}


class LsbClass:
    standard = "lsb"

    def __init__(self, roots: AgentRoots, extra_env: Mapping[str, str]) -> None:
        self.roots = roots
        self.extra_env = dict(extra_env)

    def script(self, type_: str):
        return self.roots.lsb_dir / type_

    def prepare(self, req: OpRequest) -> Invocation | Outcome:
        action = ACTIONS.get(req.action)
        if action is None:
            return unsupported(req)
        path = self.script(req.agent.type)
        if not path.is_file():
            return not_installed(req, f"no {path}")
        if not is_executable(path):
            return Outcome(codes.OCF_ERR_PERM, codes.EXEC_ERROR, f"{path} is not executable")
        return Invocation((str(path), action), plain_env(self.extra_env), None, self.standard)

    def interpret(self, req: OpRequest, exit_code: int, stdout: bytes, stderr: bytes
                  ) -> Outcome:
        rc = codes.lsb_to_ocf(ACTIONS[req.action], exit_code)
        reason = "" if rc in (codes.OCF_SUCCESS, codes.OCF_NOT_RUNNING) else last_line(stderr)
        return Outcome(rc, codes.EXEC_DONE, reason)
