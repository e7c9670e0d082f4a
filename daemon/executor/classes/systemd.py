"""systemd units, driven through `systemctl` (argv, timeout), and `service:` agents.

Where systemd is not the running init (no `/run/systemd/system`, as sd_booted() checks)
every action answers at once 'not installed' with that reason: a probe then reads the
resource as stopped here and a start fails hard, so it moves to a node that has systemd.
start and stop wait for their job (`systemctl start`/`stop` block until it is done);
monitor reads the unit's LoadState and ActiveState.
"""

from __future__ import annotations

from collections.abc import Mapping

from daemon.executor import codes
from daemon.executor.classes.base import (Invocation, Outcome, last_line, not_installed,
                                          plain_env, unsupported)
from daemon.executor.meta.discovery import AgentRoots
from daemon.executor.model import OpRequest

UNIT_SUFFIXES = (".service", ".socket", ".mount", ".timer", ".path", ".target")
SYSTEMCTL_UNIT_NOT_FOUND = 5   # systemctl's exit status for a unit it does not know


def unit_name(type_: str) -> str:
    return type_ if type_.endswith(UNIT_SUFFIXES) else f"{type_}.service"


def parse_show(stdout: bytes) -> dict[str, str]:
    """`Key=Value` lines of `systemctl show`."""
    out = {}
    for line in stdout.decode(errors="replace").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


class SystemdClass:
    standard = "systemd"

    def __init__(self, roots: AgentRoots, extra_env: Mapping[str, str]) -> None:
        self.roots = roots
        self.extra_env = dict(extra_env)

    def running(self) -> bool:
        return self.roots.systemd_run_dir.is_dir()

    def prepare(self, req: OpRequest) -> Invocation | Outcome:
        if not self.running():
            return Outcome(codes.OCF_ERR_INSTALLED, codes.EXEC_NOT_INSTALLED,
                           "systemd is not running on this host")
        systemctl = self.roots.systemctl
        if systemctl is None or not systemctl.is_file():
            return not_installed(req, f"no systemctl at {systemctl}")
        unit = unit_name(req.agent.type)
        if req.action in ("start", "stop"):
            argv = (str(systemctl), "--no-ask-password", req.action, unit)
        elif req.action in ("monitor", "status"):
            argv = (str(systemctl), "--no-ask-password", "show",
                    "--property=LoadState,ActiveState", unit)
        else:
            return unsupported(req)
        return Invocation(argv, plain_env(self.extra_env), None, self.standard)

    def interpret(self, req: OpRequest, exit_code: int, stdout: bytes, stderr: bytes
                  ) -> Outcome:
        unit = unit_name(req.agent.type)
        if req.action in ("start", "stop"):
            if exit_code == codes.SYSTEMCTL_OK:
                return Outcome(codes.OCF_SUCCESS, codes.EXEC_DONE)
            if exit_code == SYSTEMCTL_UNIT_NOT_FOUND:
                return not_installed(req, f"systemd knows no unit {unit}")
            return Outcome(codes.OCF_ERR_GENERIC, codes.EXEC_DONE,
                           last_line(stderr) or f"systemctl {req.action} exited {exit_code}")
        if exit_code != codes.SYSTEMCTL_OK:
            return Outcome(codes.OCF_ERR_GENERIC, codes.EXEC_ERROR,
                           last_line(stderr) or f"systemctl show exited {exit_code}")
        props = parse_show(stdout)
        if props.get("LoadState") == codes.SYSTEMD_NOT_FOUND:
            return not_installed(req, f"systemd knows no unit {unit}")
        state = props.get("ActiveState", "")
        if state not in codes.SYSTEMD_ACTIVE_STATE:
            return Outcome(codes.OCF_ERR_GENERIC, codes.EXEC_DONE,
                           f"unit {unit} is in an unknown state '{state}'")
        rc = codes.SYSTEMD_ACTIVE_STATE[state]
        if rc is None:
            return Outcome(codes.OCF_UNKNOWN, codes.EXEC_PENDING, f"unit {unit} is {state}")
        return Outcome(rc, codes.EXEC_DONE)

