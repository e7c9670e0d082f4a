"""The facts of crm_mon's "Cluster Summary", read where crm_mon reads them.

The stack and the DC's version are the first `cluster-infrastructure` and `dc-version`
nvpairs anywhere in the CIB (crm_mon uses an XPath over the whole document); quorum and the
last change come from attributes of <cib>; the DC is the node whose id is `dc-uuid`.
"""

from __future__ import annotations

from dataclasses import dataclass

from daemon.scheduler.cluster_options import fencing_timeout_ms, is_true
from daemon.scheduler.model import Node
from daemon.scheduler.timespec import interval_ms
from daemon.scheduler.status_view import instance_counts, node_feature_set
from daemon.scheduler.working_set import WorkingSet

# pacemakerd's states as `crm_mon` words them after the stack ("Pacemaker is running").
PACEMAKERD_STATES = {
    "init": "Initializing pacemaker",
    "starting_daemons": "Pacemaker daemons are starting",
    "wait_for_ping": "Waiting for startup trigger from SBD",
    "running": "Pacemaker is running",
    "shutting_down": "Pacemaker daemons are shutting down",
    "shutdown_complete": "Pacemaker daemons are shut down (reporting to SBD)",
}


@dataclass(frozen=True)
class Live:
    """What a running node knows that a CIB file does not, for the status of a live
    cluster: the local node ("Last updated: ... on node1"), pacemakerd's state ("Stack:
    corosync (Pacemaker is running)"), the stack when the CIB names none, and the
    fencer's history, newest first (None: no fencing sections, as for a CIB file)."""

    local_node: str | None = None
    pacemakerd_state: str | None = None
    stack: str | None = None
    fence_history: list | None = None


@dataclass(frozen=True)
class LastChange:
    written: str | None
    user: str | None
    client: str | None
    origin: str | None

    def text(self) -> str:
        """'Fri Jul 13 13:51:14 2012 by root via cibadmin on node1' (parts present only)."""
        return ((self.written or "") + (f" by {self.user}" if self.user is not None else "")
                + (f" via {self.client}" if self.client is not None else "")
                + (f" on {self.origin}" if self.origin is not None else ""))


@dataclass(frozen=True)
class Summary:
    stack: str
    dc: Node | None
    dc_version: str | None
    quorate: bool
    mixed_version: bool
    last_change: LastChange
    nodes: int
    instances: int
    disabled: int
    blocked: int


def _first_nvpair(cib, name: str) -> str | None:
    for nvpair in cib.iter("nvpair"):
        if nvpair.get("name") == name:
            return nvpair.get("value")
    return None


def _mixed_version(ws: WorkingSet) -> bool:
    seen: str | None = None
    for node in ws.nodes:
        feature_set = node_feature_set(node)
        if feature_set is None:
            continue
        if seen is None:
            seen = feature_set
        elif seen != feature_set:
            return True
    return False


def summarise(ws: WorkingSet, live: Live = Live()) -> Summary:
    cib = ws.cib
    instances, disabled, blocked = instance_counts(ws)
    return Summary(
        stack=_first_nvpair(cib, "cluster-infrastructure") or live.stack or "unknown",
        dc=ws.dc_node,
        dc_version=_first_nvpair(cib, "dc-version"),
        quorate=is_true(cib.get("have-quorum")),
        mixed_version=_mixed_version(ws),
        last_change=LastChange(cib.get("cib-last-written"), cib.get("update-user"),
                               cib.get("update-client"), cib.get("update-origin")),
        nodes=len(ws.nodes),
        instances=instances,
        disabled=disabled,
        blocked=blocked,
    )


def cluster_options(ws: WorkingSet) -> list[tuple[str, str]]:
    """<cluster_options>'s attributes, in crm_mon's order and with its value names."""
    options = ws.options
    policy = {"fence": "suicide"}.get(options.no_quorum_policy, options.no_quorum_policy)
    delay_s = _seconds(options.raw.get("priority-fencing-delay"))
    return [
        ("stonith-enabled", _flag(options.fencing_enabled)),
        ("symmetric-cluster", _flag(options.symmetric)),
        ("no-quorum-policy", policy),
        ("maintenance-mode", _flag(options.maintenance_mode)),
        ("stop-all-resources", _flag(options.stop_all)),
        ("stonith-timeout-ms", str(fencing_timeout_ms(options))),
        ("priority-fencing-delay-ms", str(delay_s * 1000)),
    ]


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _seconds(text: str | None) -> int:
    return interval_ms(text) // 1000 if text else 0
