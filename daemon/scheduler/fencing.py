"""Fencing: marking nodes unclean, fence actions, and ordering recovery after fencing."""

from __future__ import annotations

from daemon.fencing.delays import NodeStanding, cluster_delay_ms, priority_delay_ms
from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler import remote_nodes as rn
from daemon.scheduler.model import Action, Node
from daemon.scheduler.working_set import WorkingSet


def fence_op(ws: WorkingSet, node: Node, op: str | None, optional: bool,
             reason: str | None) -> Action:
    """The (single) fence action for a node, made required if fencing is possible."""
    if op is None:
        op = ws.options.fencing_action
    key = f"stonith-{node.name}-{op}"
    action = ws.singletons.get(key)
    if action is None:
        action = act.custom_action(ws, None, key, "stonith", node, True)
        action.meta["on_node"] = node.name
        action.meta["on_node_uuid"] = node.id
        action.meta["stonith_action"] = op
    if not optional and ws.can_fence(node):
        action.flags &= ~m.OPTIONAL
        action.set_reason(reason)
    elif reason is not None and action.reason is None:
        action.reason = reason
    return action


def fence_node(ws: WorkingSet, node: Node, reason: str, priority_delay: bool) -> None:
    """pe_fence_node(): mark a node unclean and note why it would be fenced. A guest node
    is not marked unclean (it may run resources again once its launcher is recovered):
    its launcher is marked failed instead."""
    if rn.is_guest(node):
        launcher = node.remote_rsc.launcher
        if not launcher.failed and launcher.managed:
            node.remote_reset = True
            launcher.failed = True
            launcher.stop_if_failed = True
        return
    if rn.is_remote(node):
        connection = node.remote_rsc
        if (connection is None or connection.managed) and not node.remote_reset:
            node.remote_reset = True
        node.unclean = True
        if node.fence_reason is None:
            node.fence_reason = reason
        fence_op(ws, node, None, True, reason)
        return
    if node.unclean:
        return
    node.unclean = True
    node.fence_reason = reason
    action = fence_op(ws, node, None, True, reason)
    if priority_delay:      # a lost node: the priority delay may apply (set once priorities are known)
        action.meta[PRIORITY_DELAY] = "0"


# The fence action's meta-attribute, in seconds, as Pacemaker's graph carries it
# (CRM_meta_priority_fencing_delay); the fencer waits that long before the device's delay.
PRIORITY_DELAY = "priority_fencing_delay"


def _set_priority_delays(ws: WorkingSet, fencing_ops: list[Action]) -> None:
    """The priority delay of each lost node's fencing (daemon/fencing/delays.py), now that
    every node's priority is known; the two-node default when the option is not set."""
    lost = [f for f in fencing_ops if PRIORITY_DELAY in f.meta]
    if not lost:
        return
    members = [n for n in ws.nodes if n.kind == "member"]
    delay_ms, default = cluster_delay_ms(ws.options.get("priority-fencing-delay"), len(members))
    # a fence device does not make a node more worth keeping: it runs wherever is left
    standings = [NodeStanding(n.name, n.online, n.priority, True,
                              sum(r.standard != "stonith" for r in n.running),
                              int(n.id) if n.id.isdigit() else 1 << 32) for n in members]
    for fence in lost:
        ms = priority_delay_ms(fence.node.name, standings, delay_ms, target_lost=True,
                               tie_break=default)
        fence.meta[PRIORITY_DELAY] = str(ms // 1000)


# ---- scheduling fencing and shutdowns ---------------------------------------------------

def _known_on(rsc, node: Node) -> bool:
    if node in rsc.probed:
        return True
    parent = rsc.parent
    return (rsc.variant == m.PRIMITIVE and parent is not None and parent.variant == m.CLONE
            and not parent.unique and node in parent.probed)


def _order_start_vs_fencing(rsc, fence: Action) -> None:
    target = fence.node
    for action in list(rsc.actions):
        if action.needs == m.REQUIRES_FENCING:
            act.order_actions(fence, action, m.AR_ORDERED)
        elif action.needs == m.REQUIRES_QUORUM:
            if action.task == "start" and target in rsc.allowed and not _known_on(rsc, target):
                act.order_actions(fence, action, m.AR_ORDERED | m.AR_UNRUNNABLE_FIRST_BLOCKS)


def _order_stop_vs_fencing(ws: WorkingSet, rsc, fence: Action) -> None:
    target = fence.node
    stops = act.resource_actions(rsc, target, "stop")
    # implied stops on a guest follow its "fencing" (its launcher's stop) in any case
    order_implicit = rsc.requires == m.REQUIRES_FENCING or rn.is_guest(target)
    parent_stop = None
    if stops and order_implicit:
        top = rsc.top()
        parent_stop = act.find_first_action(top.actions, None, "stop", None)
    for stop in stops:
        stop.flags |= m.PSEUDO | m.RUNNABLE
        if order_implicit:
            act.order_actions(fence, stop, m.AR_GUEST_ALLOWED)
            if parent_stop is not None:
                act.order_actions(fence, parent_stop, m.AR_GUEST_ALLOWED)
        if rsc.notify:
            from daemon.scheduler.notify import order_after_fencing
            order_after_fencing(ws, stop, rsc, fence)
    for demote in act.resource_actions(rsc, target, "demote"):
        if not demote.node.online or demote.node.unclean or rsc.failed:
            demote.flags |= m.PSEUDO | m.RUNNABLE
            if order_implicit:
                act.order_actions(fence, demote, m.AR_GUEST_ALLOWED | m.AR_ORDERED)


def _rsc_fence_ordering(ws: WorkingSet, rsc, fence: Action) -> None:
    if rsc.children:
        for child in rsc.children:
            _rsc_fence_ordering(ws, child, fence)
    elif rsc.managed:
        _order_start_vs_fencing(rsc, fence)
        _order_stop_vs_fencing(ws, rsc, fence)


def order_vs_fence(ws: WorkingSet, fence: Action) -> None:
    for rsc in ws.resources:
        _rsc_fence_ordering(ws, rsc, fence)


def _any_managed(rsc) -> bool:
    return rsc.managed or any(_any_managed(c) for c in rsc.children)


def _order_stops_before_shutdown(ws: WorkingSet, node: Node, shutdown: Action) -> None:
    for action in list(ws.actions):
        if action.node is not node or action.task != "stop" or action.rsc is None:
            continue
        if action.rsc.maintenance or node.maintenance:
            continue
        if not (action.rsc.managed or action.rsc.blocked):
            continue
        action.flags &= ~m.OPTIONAL
        act.new_ordering(ws, action.rsc, None, action, None, "do_shutdown", shutdown,
                         m.AR_ORDERED | m.AR_UNRUNNABLE_FIRST_BLOCKS)


def new_shutdown_action(ws: WorkingSet, node: Node) -> Action:
    shutdown = act.custom_action(ws, None, f"do_shutdown-{node.name}", "do_shutdown", node,
                                 False)
    _order_stops_before_shutdown(ws, node, shutdown)
    shutdown.meta["op_no_wait"] = "true"
    return shutdown


def schedule_fencing_and_shutdowns(ws: WorkingSet) -> None:
    have_managed = any(_any_managed(r) for r in ws.resources)
    dc_down = None
    fencing_ops: list[Action] = []
    shutdown_ops: list[Action] = []
    for node in ws.nodes:
        fence = None
        if rn.is_guest(node):
            # guests are "fenced" by recovering their launcher
            if node.remote_reset and have_managed and ws.can_fence(node):
                from daemon.scheduler.remote_orderings import fence_guest
                fence_guest(ws, node)
            continue
        if have_managed and node.unclean and ws.can_fence(node):
            fence = fence_op(ws, node, None, False, "node is unclean")
            order_vs_fence(ws, fence)
            if node.is_dc:
                dc_down = fence
            else:
                if not ws.options.concurrent_fencing and fencing_ops:
                    act.order_actions(fencing_ops[0], fence, m.AR_ORDERED)
                fencing_ops.insert(0, fence)
        elif node.online and node.shutdown and node.kind != "remote":
            down = new_shutdown_action(ws, node)
            if node.is_dc:
                dc_down = down
            else:
                shutdown_ops.insert(0, down)
    _set_priority_delays(ws, fencing_ops + ([dc_down] if dc_down is not None
                                            and dc_down.task == "stonith" else []))
    if dc_down is not None:
        if dc_down.task == "do_shutdown":
            for op in shutdown_ops:
                act.order_actions(op, dc_down, m.AR_ORDERED)
        if ws.options.concurrent_fencing:
            for op in fencing_ops:
                act.order_actions(op, dc_down, m.AR_ORDERED)
        elif fencing_ops:
            act.order_actions(fencing_ops[0], dc_down, m.AR_ORDERED)
