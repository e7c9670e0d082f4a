"""Shutdown locks: with `shutdown-lock=true`, a resource stopped because its node shut down
cleanly stays stopped, waiting for that node, instead of being recovered elsewhere.

The lock comes from one of two places: the node is shutting down now and the resource runs
there alone (the lock starts at the node's shutdown time), or the controller recorded it on
the resource's history entry (`shutdown-lock="EPOCH"` on lrm_resource) when it stopped the
resource. A lock older than `shutdown-lock-limit` (when set) has expired: the history is
cleared and the resource may go anywhere. Fence devices, remote connections and clone
instances are never locked; a group's members are locked one by one.
"""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler import scores
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.timespec import interval_ms
from daemon.scheduler.unpack_resources import resource_location
from daemon.scheduler.working_set import WorkingSet

TAG = "shutdown-lock"


def limit_s(ws: WorkingSet) -> int:
    """shutdown-lock-limit in seconds (0: locks never expire)."""
    return interval_ms(ws.options.raw.get("shutdown-lock-limit")) // 1000


def unpack_history_lock(ws: WorkingSet, rsc: Resource, node: Node, entry) -> None:
    """A lock recorded on a history entry: kept, or (expired) the history cleared."""
    try:
        since = int(entry.get(TAG) or 0)
    except ValueError:
        return
    if since <= 0:
        return
    limit = limit_s(ws)
    if limit > 0 and ws.now > since + limit:
        act.resource_action(ws, rsc, "lrm_delete", node, False)
        return
    rsc.lock_node, rsc.lock_time = node, since


def apply_shutdown_locks(ws: WorkingSet) -> None:
    if not ws.options.shutdown_lock:
        return
    for rsc in ws.resources:
        _lock(ws, rsc)


def lock_expiries(ws: WorkingSet) -> list[int]:
    """When locks run out (for the recheck timer)."""
    limit = limit_s(ws)
    if limit <= 0:
        return []
    return [r.lock_time + limit + 1 for r in ws.rsc_by_id.values()
            if r.lock_node is not None and r.lock_time]


def _lock(ws: WorkingSet, rsc: Resource) -> None:
    if rsc.variant == m.GROUP:
        for member in rsc.children:
            _lock(ws, member)
        return
    if not rsc.is_primitive() or rsc.standard == "stonith" or _is_connection(rsc):
        return
    if rsc.lock_node is not None:
        if rsc.running_on:
            # active elsewhere although locked: leave it be and forget the lock
            act.resource_action(ws, rsc, "lrm_delete", rsc.lock_node, False)
            rsc.lock_node, rsc.lock_time = None, 0
    elif len(rsc.running_on) == 1:
        node = rsc.running_on[0]
        if node.shutdown and not node.unclean:
            rsc.lock_node, rsc.lock_time = node, _shutdown_time(ws, node)
    if rsc.lock_node is None:
        return
    for node in ws.nodes:
        if node.name != rsc.lock_node.name:
            resource_location(ws, rsc, node, -scores.INFINITY, TAG)


def _is_connection(rsc: Resource) -> bool:
    return (rsc.standard, rsc.provider, rsc.agent) == ("ocf", "pacemaker", "remote")


def _shutdown_time(ws: WorkingSet, node: Node) -> int:
    try:
        when = int(node.attrs.get("shutdown") or 0)
    except ValueError:
        when = 0
    return when if when > 0 else ws.now
