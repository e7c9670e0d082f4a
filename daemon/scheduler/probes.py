"""Probes: one-time monitors that discover a resource's state on nodes where it is unknown."""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.roles import Role
from daemon.scheduler.working_set import WorkingSet


def schedule_probes(ws: WorkingSet) -> None:
    if not ws.options.startup_probes:
        return
    for node in ws.nodes:
        if not node.online or node.unclean or not node.probes_allowed:
            continue
        for rsc in ws.resources:
            probe_rsc_on_node(ws, rsc, node)


def probe_rsc_on_node(ws: WorkingSet, rsc: Resource, node: Node) -> bool:
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
    probe = act.custom_action(ws, rsc, act.op_key(rsc.id, "monitor"), "monitor", node, False)
    probe.flags &= ~m.OPTIONAL
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
