"""Scheduling around Pacemaker Remote connections (Pacemaker's pcmk_sched_remote.c).

Every action on a remote or guest node goes through that node's connection, so it is
ordered after the connection starts and before it stops; a guest's actions also follow its
launcher. When a connection cannot be recovered, the node's resources can only be stopped
by fencing the node. A guest node is never fenced by a fence device: it is "fenced" by
stopping its launcher, and a pseudo fence action marks that point.
"""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler import remote_nodes as rn
from daemon.scheduler import scores
from daemon.scheduler.constraints import new_colocation
from daemon.scheduler.fencing import fence_node, fence_op, order_vs_fence
from daemon.scheduler.model import Action, Node, Resource
from daemon.scheduler.roles import Role
from daemon.scheduler.working_set import WorkingSet

# What we know of a connection (enum remote_connection_state)
UNKNOWN = 0      # not running now, may be recovered
ALIVE = 1        # running and staying up
RESTING = 2      # on a dead node or migrating: wait for it
FAILED = 3       # cannot be recovered: the node must be fenced
STOPPED = 4      # cleanly going away


# ---- implicit constraints of launched resources and connections ----------------------

def _avoid_remote_nodes(rsc: Resource) -> None:
    for node in rsc.allowed:
        if node.remote_rsc is not None:
            rsc.allowed[node] = -scores.INFINITY


def launcher_internal_constraints(ws: WorkingSet, rsc: Resource) -> None:
    """The part of a primitive's implicit constraints that concerns launchers and
    connections: a resource with a launcher runs with it (or, launched by a remote node's
    connection, on that node); connections and fence devices never run on remote nodes."""
    launcher_rsc = rsc.launcher
    if launcher_rsc is not None:
        remote_rsc = None
        if rsc.is_remote_connection:
            if not rsc.remote_nesting_allowed:
                _avoid_remote_nodes(launcher_rsc)
            act.order_resource_actions(ws, launcher_rsc, "monitor", rsc, "stop",
                                       m.AR_ORDERED)
        elif launcher_rsc.is_remote_connection:
            remote_rsc = launcher_rsc
        else:
            remote_rsc = rn.contains_guest(ws, launcher_rsc)
        if remote_rsc is not None:
            for node in sorted(rsc.allowed, key=lambda n: n.index):
                if node.remote_rsc is not remote_rsc:
                    rsc.allowed[node] = -scores.INFINITY
        else:
            act.new_ordering(ws, launcher_rsc, act.op_key(launcher_rsc.id, "start"), None,
                             rsc, act.op_key(rsc.id, "start"), None,
                             m.AR_FIRST_IMPLIES_THEN | m.AR_UNRUNNABLE_FIRST_BLOCKS)
            act.new_ordering(ws, rsc, act.op_key(rsc.id, "stop"), None, launcher_rsc,
                             act.op_key(launcher_rsc.id, "stop"), None,
                             m.AR_THEN_IMPLIES_FIRST)
            score = 10000 if rsc.remote_nesting_allowed else scores.INFINITY
            new_colocation(ws, "#resource-with-container", None, score, rsc, launcher_rsc,
                           None, None, True, explicit=False)
    if (rsc.is_remote_connection or rsc.fence_device) and ws.have_remote_nodes:
        _avoid_remote_nodes(rsc)


# ---- the state of a connection ------------------------------------------------------------

def _current_node(rsc: Resource) -> Node | None:
    from daemon.scheduler.assign import current_node
    return current_node(rsc)


def connection_state(node: Node) -> int:
    """get_remote_node_state(): what the node's connection will do in this transition."""
    remote_rsc = node.remote_rsc
    cluster_node = _current_node(remote_rsc)
    if remote_rsc.next_role == Role.STOPPED or remote_rsc.assigned_to is None:
        if cluster_node is not None and cluster_node.unclean:
            return FAILED
        if not remote_rsc.failed:
            return STOPPED
        if remote_rsc.next_role == Role.STOPPED and remote_rsc.remote_reconnect_ms > 0 \
                and node.remote_was_fenced and not rn.is_guest(node):
            return UNKNOWN
        return FAILED
    if cluster_node is None:
        return UNKNOWN
    if cluster_node.unclean or not cluster_node.online:
        return RESTING
    if len(remote_rsc.running_on) > 1 and remote_rsc.partial_source is not None \
            and remote_rsc.partial_target is not None:
        return RESTING
    return ALIVE


def is_failed_remote_node(node: Node) -> bool:
    """pcmk__is_failed_remote_node(): a remote node whose connection is unrecoverable."""
    return rn.is_remote(node) and node.remote_rsc is not None \
        and connection_state(node) == FAILED


# ---- ordering actions on remote nodes -------------------------------------------------

def _start_then(ws: WorkingSet, first_rsc: Resource, then: Action, extra: int) -> None:
    act.new_ordering(ws, first_rsc, act.op_key(first_rsc.id, "start"), None, then.rsc, None,
                     then, m.AR_GUEST_ALLOWED | m.AR_UNRUNNABLE_FIRST_BLOCKS | extra)


def _then_stop(ws: WorkingSet, first: Action, then_rsc: Resource, extra: int) -> None:
    act.new_ordering(ws, first.rsc, None, first, then_rsc, act.op_key(then_rsc.id, "stop"),
                     None, m.AR_GUEST_ALLOWED | extra)


def _task_kind(action: Action) -> str:
    if action.task in ("migrate_to", "migrate_from"):
        return "stop"       # ordered like a stop (the router is the source)
    if action.task in ("start", "promote", "stop", "demote"):
        return action.task
    return "other"


def _is_recurring(action: Action) -> bool:
    return action.interval_ms > 0


def _apply_remote_ordering(ws: WorkingSet, action: Action) -> None:
    node = action.node
    remote_rsc = node.remote_rsc
    state = connection_state(node)
    kind = _task_kind(action)
    if kind in ("start", "promote"):
        _start_then(ws, remote_rsc, action,
                    m.AR_FIRST_IMPLIES_THEN if state == FAILED else m.AR_NONE)
    elif kind == "stop":
        if state == ALIVE:
            _then_stop(ws, action, remote_rsc, m.AR_THEN_IMPLIES_FIRST)
        elif state == FAILED:
            fence_node(ws, node, "resources are active but connection is unrecoverable",
                       False)
        elif remote_rsc.next_role == Role.STOPPED:
            _then_stop(ws, action, remote_rsc, m.AR_THEN_IMPLIES_FIRST)
        else:
            _start_then(ws, remote_rsc, action, m.AR_NONE)
    elif kind == "demote":
        if state in (RESTING, UNKNOWN):
            _start_then(ws, remote_rsc, action, m.AR_NONE)
    elif _is_recurring(action):
        _start_then(ws, remote_rsc, action, m.AR_FIRST_IMPLIES_THEN)
    else:
        cluster_node = _current_node(remote_rsc)
        if action.task == "monitor" and state == FAILED:
            fence_node(ws, node, "resources are in unknown state and connection is "
                       "unrecoverable", False)
        if cluster_node is not None and state == STOPPED:
            _then_stop(ws, action, remote_rsc, m.AR_UNRUNNABLE_FIRST_BLOCKS)
        else:
            _start_then(ws, remote_rsc, action, m.AR_NONE)


def _apply_launcher_ordering(ws: WorkingSet, action: Action) -> None:
    node = action.node
    remote_rsc = node.remote_rsc
    launcher_rsc = remote_rsc.launcher
    if launcher_rsc.failed:
        fence_node(ws, node, "container failed", False)
    kind = _task_kind(action)
    if kind in ("start", "promote"):
        _start_then(ws, launcher_rsc, action, m.AR_FIRST_IMPLIES_THEN)
        _start_then(ws, remote_rsc, action, m.AR_NONE)
    elif kind in ("stop", "demote"):
        if not launcher_rsc.failed:
            # when the launcher failed, its stop implies these
            _then_stop(ws, action, remote_rsc, m.AR_NONE)
    elif _is_recurring(action):
        _start_then(ws, remote_rsc, action, m.AR_FIRST_IMPLIES_THEN)
    else:
        _start_then(ws, remote_rsc, action, m.AR_NONE)


def order_remote_connection_actions(ws: WorkingSet) -> None:
    """pcmk__order_remote_connection_actions(): before fencing is scheduled, since an
    unrecoverable connection is one more reason to fence a node."""
    if not ws.have_remote_nodes:
        return
    for action in list(ws.actions):
        rsc = action.rsc
        if rsc is None:
            continue
        if rsc.is_remote_connection and action.task == "clear_failcount":
            act.new_ordering(ws, rsc, None, action, rsc, act.op_key(rsc.id, "start"), None,
                             m.AR_ORDERED)
            continue
        node = action.node
        if node is None or not rn.is_pacemaker_remote(node):
            continue
        remote_rsc = node.remote_rsc
        if remote_rsc is None:
            continue        # an orphaned node
        if action.task == "start":
            # moving onto a remote node: stop the old copy only once the connection is up
            for other in list(rsc.actions):
                if other.node is not node and other.task == "stop":
                    act.new_ordering(ws, remote_rsc, act.op_key(remote_rsc.id, "start"),
                                     None, rsc, None, other, m.AR_ORDERED)
        if remote_rsc.launcher is not None:
            _apply_launcher_ordering(ws, action)
        else:
            _apply_remote_ordering(ws, action)


# ---- "fencing" guest nodes ------------------------------------------------------------------

def fence_guest(ws: WorkingSet, node: Node) -> None:
    """pcmk__fence_guest(): a pseudo fence action for a guest whose launcher is being
    recovered (reboot) or stopped (off), ordered after the launcher's stop."""
    launcher_rsc = node.remote_rsc.launcher
    fence_action = "off"
    stop = None
    if launcher_rsc is not None:
        stop = act.find_first_action(launcher_rsc.actions, None, "stop", None)
        if act.find_first_action(launcher_rsc.actions, None, "start", None) is not None:
            fence_action = "reboot"
    fence = fence_op(ws, node, fence_action, False, "guest is unclean")
    fence.flags |= m.PSEUDO | m.RUNNABLE
    if stop is not None and stop.pseudo:
        parent_fence = fence_op(ws, stop.node, None, False, None)
        act.order_actions(parent_fence, fence,
                          m.AR_UNRUNNABLE_FIRST_BLOCKS | m.AR_FIRST_IMPLIES_THEN)
    elif stop is not None:
        act.order_actions(stop, fence, m.AR_UNRUNNABLE_FIRST_BLOCKS | m.AR_FIRST_IMPLIES_THEN)
    else:
        stop = act.find_first_action(node.remote_rsc.actions, None, "stop", None)
        if stop is not None:
            act.order_actions(stop, fence, m.AR_ORDERED)
    order_vs_fence(ws, fence)
