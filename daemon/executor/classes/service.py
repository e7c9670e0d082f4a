"""`service:<name>` agents: the init script where one exists, else the systemd unit, as
Pacemaker resolves them (at each run, so installing a script changes the answer)."""

from __future__ import annotations

from daemon.executor.classes.base import Invocation, Outcome
from daemon.executor.classes.lsb import LsbClass
from daemon.executor.classes.systemd import SystemdClass
from daemon.executor.model import OpRequest


class ServiceClass:
    """`service:<name>`: the LSB script if there is one, else the systemd unit."""

    standard = "service"

    def __init__(self, lsb: LsbClass, systemd: SystemdClass) -> None:
        self.lsb, self.systemd = lsb, systemd

    def prepare(self, req: OpRequest) -> Invocation | Outcome:
        if self.lsb.script(req.agent.type).is_file():
            return self.lsb.prepare(req)
        return self.systemd.prepare(req)

    def interpret(self, req: OpRequest, exit_code: int, stdout: bytes, stderr: bytes
                  ) -> Outcome:
        raise AssertionError("service runs are interpreted by the class they resolved to")
