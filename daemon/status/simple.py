"""The one-line status of `crm_mon -s` (`crm status simple`), the form monitoring
systems such as Nagios read: "CLUSTER OK: ..." or "CLUSTER WARN: ..."."""

from __future__ import annotations

from daemon.scheduler.node_names import name_key
from daemon.scheduler.status_view import instance_counts
from daemon.scheduler.working_set import WorkingSet
from daemon.status.load import working_set
from daemon.status.options import StatusOptions


def render_simple(cib, *, now: float, options: StatusOptions = StatusOptions(),
                  **_live) -> list[str]:
    """crm_mon -s's line for a CIB at Unix time `now` (a one-item list, as render_text
    returns lines; the live-cluster keywords change nothing here). A missing DC or any
    offline node is a warning; a caller that reports a status the Nagios way checks
    is_warning()."""
    return [simple_line(working_set(cib, now))]


def is_warning(line: str) -> bool:
    return line.startswith("CLUSTER WARN")


def simple_line(ws: WorkingSet) -> str:
    online = standby = maintenance = 0
    offline: list[str] = []
    for node in sorted(ws.nodes, key=lambda n: name_key(n.name)):
        if node.online and node.standby:
            standby += 1
        elif node.online and node.maintenance:
            maintenance += 1
        elif node.online:
            online += 1
        else:
            offline.append(f"offline node: {node.name}")
    if ws.dc_node is None or offline:
        no_dc = "No DC" if ws.dc_node is None else ""
        return (f"CLUSTER WARN: {no_dc}{', ' if no_dc and offline else ''}"
                f"{' '.join(offline)}")
    instances = instance_counts(ws)[0]
    return (f"CLUSTER OK: {_count(online, 'node')} online"
            + (f", {_count(standby, 'standby node')}" if standby else "")
            + (f", {_count(maintenance, 'maintenance node')}" if maintenance else "")
            + f", {_count(instances, 'resource instance')} configured")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
