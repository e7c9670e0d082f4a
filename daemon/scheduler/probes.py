"""Probes: one-time monitors that discover a resource's state on nodes where it is unknown."""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler import remote_nodes as rn
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.roles import Role
from daemon.scheduler.working_set import WorkingSet
from daemon.scheduler.unfencing import order_vs_unfence


def schedule_probes(ws: WorkingSet) -> None:
    if not ws.options.startup_probes:
        return
    for node in ws.nodes:
        if not node.online:
            if ws.have_remote_nodes:
                from daemon.scheduler.remote_orderings import is_failed_remote_node
                if is_failed_remote_node(node):
                    from daemon.scheduler.fencing import fence_node
                    fence_node(ws, node, "the connection is unrecoverable", False)
            continue
        if node.unclean or not node.probes_allowed:
            continue
        for rsc in ws.resources:
            probe_rsc_on_node(ws, rsc, node)


def _remote_node_refuses(ws: WorkingSet, rsc: Resource, node: Node) -> bool:
    """Pacemaker Remote nodes run no fence agents and host no connections, and guests
    run no resource that contains a guest."""
    if node.kind != "remote":
        return False
    if (rsc.xml.get("class") if rsc.xml is not None else None) == "stonith":
        return True
    if rn.is_guest(node) and rn.contains_guest(ws, rsc) is not None:
        return True
    return rsc.is_remote_connection


def _guest_probe_refused(ws: WorkingSet, rsc: Resource, node: Node) -> bool:
    """No probe on a guest whose launcher is stopped or will stop; the resource starts
    after the launcher's probe or stop instead."""
    launcher = node.remote_rsc.launcher
    top = rsc.top()
    if launcher.role == Role.STOPPED:
        where = launcher.assigned_to
        if where is not None and where not in launcher.probed:
            act.new_ordering(ws, launcher, act.op_key(launcher.id, "monitor"), None, top,
                             act.op_key(top.id, "start"), None, m.AR_ORDERED)
        return True
    where = launcher.assigned_to
    moving = launcher.role > Role.STOPPED and where is not None \
        and where not in launcher.running_on
    if node.remote_reset or node.unclean or launcher.failed \
            or launcher.next_role == Role.STOPPED or moving:
        act.new_ordering(ws, launcher, act.op_key(launcher.id, "stop"), None, top,
                         act.op_key(top.id, "start"), None, m.AR_ORDERED)
        return True
    return False


def probe_rsc_on_node(ws: WorkingSet, rsc: Resource, node: Node) -> bool:
    if ws.have_remote_nodes and _remote_node_refuses(ws, rsc, node):
        return False
    if rsc.variant == m.CLONE:
        from daemon.scheduler.clone import clone_create_probe
        return clone_create_probe(ws, rsc, node)
    if rsc.variant == m.BUNDLE:
        from daemon.scheduler.bundle_sched import bundle_create_probe
        return bundle_create_probe(ws, rsc, node)
    if rsc.children:
        created = False
        for child in rsc.children:
            if probe_rsc_on_node(ws, child, node):
                created = True
        return created
    if rsc.launcher is not None and not rsc.is_remote_connection:
        return False        # inside a container
    if rsc.removed:
        return False
    if node in rsc.probed:
        return False
    top = rsc.top()
    allowed = node in rsc.allowed
    mode = rsc.discover.get(node, m.DISCOVER_ALWAYS)
    if rsc.exclusive_discover or top.exclusive_discover:
        if not allowed or mode != m.DISCOVER_EXCLUSIVE:
            return False
    if mode == m.DISCOVER_NEVER:
        return False
    if rn.is_guest(node) and _guest_probe_refused(ws, rsc, node):
        return False
    probe = act.custom_action(ws, rsc, act.op_key(rsc.id, "monitor"), "monitor", node, False)
    probe.flags &= ~m.OPTIONAL
    order_vs_unfence(ws, rsc, node, probe, m.AR_ORDERED)
    if node not in rsc.running_on:
        probe.meta["op_target_rc"] = "7"
    elif rsc.role == Role.PROMOTED:
        probe.meta["op_target_rc"] = "8"
    target = top if top.variant == m.CLONE else rsc
    flags = m.AR_ORDERED
    if not (probe.flags & m.RUNNABLE) and not target.running_on:
        flags |= m.AR_UNRUNNABLE_FIRST_BLOCKS
    act.new_ordering(ws, rsc, None, probe, target, act.op_key(target.id, "start"), None, flags)
    act.new_ordering(ws, rsc, None, probe, target, act.op_key(rsc.id, "reload-agent"), None,
                     m.AR_ORDERED)
    return True


def add_start_orderings_for_probes(ws: WorkingSet) -> None:
    """Unrunnable probes of clone instances also block inactive instances' starts."""
    for rsc in ws.resources:
        _for_rsc(rsc)


def _for_rsc(rsc: Resource) -> None:
    if rsc.variant != m.PRIMITIVE:
        for child in rsc.children:
            _for_rsc(child)
        return
    for probe in act.resource_actions(rsc, None, "monitor"):
        if probe.flags & m.RUNNABLE:
            continue
        for after in list(probe.after):
            then = after.action
            if then.rsc is None or then.rsc.variant <= m.GROUP:
                continue
            if after.type & m.AR_UNRUNNABLE_FIRST_BLOCKS:
                continue
            if probe.rsc.top() is not then.rsc or then.task != "start":
                continue
            for inst in list(then.after):
                ia = inst.action
                if ia.rsc is None or ia.rsc.running_on or ia.rsc.top() is not then.rsc \
                        or ia.task != "start":
                    continue
                act.order_actions(probe, ia, m.AR_ORDERED | m.AR_UNRUNNABLE_FIRST_BLOCKS)
