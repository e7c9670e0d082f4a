"""Agent classes: one module per standard, each turning a request into a run and a run's
exit into a result (`base.AgentClass`). `build` makes one executor's table of them."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from daemon.executor.classes.base import AgentClass
from daemon.executor.classes.lsb import LsbClass
from daemon.executor.classes.ocf import OcfClass
from daemon.executor.classes.service import ServiceClass
from daemon.executor.classes.stonith import FenceClass
from daemon.executor.classes.systemd import SystemdClass
from daemon.executor.meta.discovery import AgentRoots
from daemon.executor.model import AgentSpec


def build(roots: AgentRoots, extra_env: Mapping[str, str],
          advertised: Callable[[AgentSpec], frozenset[str] | None]) -> dict[str, AgentClass]:
    lsb = LsbClass(roots, extra_env)
    systemd = SystemdClass(roots, extra_env)
    return {
        "ocf": OcfClass(roots, extra_env),
        "lsb": lsb,
        "systemd": systemd,
        "service": ServiceClass(lsb, systemd),
        "stonith": FenceClass(roots, extra_env, advertised),
    }


__all__ = ["AgentClass", "build"]
