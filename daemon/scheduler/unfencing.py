"""Unfencing: with a fence device that `provides=unfencing` (fence_scsi, fence_mpath), a
node must be let back to shared storage ("on") before resources that need it are probed or
started there.

The "on" action is made for every node such a resource may run on, optional at first: a new
resource must not unfence (and so restart) every node. It becomes required where the node was
never unfenced (no `#node-unfenced`, or 0) and something has to be probed or started there,
or where a fence device's agent changed. The resources that need unfencing stop before it and
start after it on that node, so a required unfencing restarts them ("due to required stonith").
"""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler.fencing import fence_op
from daemon.scheduler.model import Action, Node, Resource
from daemon.scheduler.working_set import WorkingSet

UNFENCED_ATTR = "#node-unfenced"


def node_unfenced(node: Node) -> bool:
    return (node.attrs.get(UNFENCED_ATTR) or "0") != "0"


def _usable(node: Node) -> bool:
    return node.online and not node.unclean and not node.shutdown


def trigger_unfencing(ws: WorkingSet, rsc: Resource | None, node: Node | None, reason: str,
                      dependency: Action | None) -> None:
    """Require unfencing `node` (or, for a fence device, every usable node it may run on)."""
    if not ws.enable_unfencing or (rsc is not None and not rsc.fence_device):
        return
    if node is not None and _usable(node):
        unfence = fence_op(ws, node, "on", False, reason)
        if dependency is not None:
            act.order_actions(unfence, dependency, m.AR_ORDERED)
    elif rsc is not None:
        for other in list(rsc.allowed):
            if _usable(other):
                trigger_unfencing(ws, rsc, other, reason, dependency)


def order_vs_unfence(ws: WorkingSet, rsc: Resource, node: Node, action: Action,
                     flags: int) -> None:
    """A probe or start on `node` after its unfencing, which it requires if never done."""
    if not ((rsc.fence_device and ws.enable_unfencing) or rsc.needs_unfencing):
        return
    unfence = fence_op(ws, node, "on", True, None)
    act.order_actions(unfence, action, flags)
    if not node_unfenced(node):
        trigger_unfencing(ws, None, node, f"required by {rsc.id} {action.task}", None)


def order_restart_vs_unfence(ws: WorkingSet, rsc: Resource) -> None:
    """Stops before and starts after each allowed node's unfencing, on that node."""
    if rsc.fence_device or not ws.enable_unfencing or not rsc.needs_unfencing:
        return
    for node in sorted(rsc.allowed, key=lambda n: n.name):
        unfence = fence_op(ws, node, "on", True, None)
        act.new_ordering(ws, rsc, act.op_key(rsc.id, "stop"), None, None, unfence.key, unfence,
                         m.AR_ORDERED | m.AR_IF_ON_SAME_NODE)
        act.new_ordering(ws, None, unfence.key, unfence, rsc, act.op_key(rsc.id, "start"),
                         None, m.AR_FIRST_IMPLIES_SAME_NODE_THEN | m.AR_IF_ON_SAME_NODE)
