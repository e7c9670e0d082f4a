"""Pacemaker's daemons as pseudo-agents (`ra info pacemaker-schedulerd`): their options come
from our own table in `daemon.cib.options`, not from running the daemons."""

from __future__ import annotations

from crmshell.agents.model import AgentMeta, AgentSpec, Parameter

# crmsh accepts the Pacemaker 2 daemon names and the 1.x ones.
DAEMONS = {
    "pacemaker-schedulerd": "schedulerd", "pengine": "schedulerd",
    "pacemaker-controld": "controld", "crmd": "controld",
    "pacemaker-based": "based", "cib": "based",
    "pacemaker-fenced": "fenced", "stonithd": "fenced",
}
_TITLES = {
    "schedulerd": "Options of the scheduler",
    "controld": "Options of the controller",
    "based": "Options of the CIB manager",
    "fenced": "Parameters the fencer accepts on every fence device",
}


def is_daemon(name: str) -> bool:
    return name in DAEMONS


def daemon_metadata(name: str) -> AgentMeta:
    """The options one Pacemaker daemon reads, as meta-data (KeyError if `name` is not one)."""
    from daemon.cib.options import CLUSTER_OPTIONS, FENCING_PARAMETERS

    daemon = DAEMONS[name]
    specs = FENCING_PARAMETERS if daemon == "fenced" else tuple(
        o for o in CLUSTER_OPTIONS if o.daemon == daemon)
    params = tuple(
        Parameter(name=o.name, type=o.vtype, default=o.default or None, shortdesc=o.shortdesc,
                  longdesc=(f"Allowed values: {', '.join(o.allowed)}" if o.allowed else ""),
                  allowed=o.allowed, deprecated=o.deprecated,
                  origin="fencer" if daemon == "fenced" else "cluster")
        for o in specs)
    return AgentMeta(spec=AgentSpec("", "", name), shortdesc=_TITLES[daemon],
                     parameters=params)
