"""Detecting resource definition changes from the status history (digests, agents, orphans).

For each resource active on a node, every history entry since the last start is compared
with the current configuration: changed parameters force a restart (or a reload, or a
re-scheduled monitor), removed recurring operations are cancelled.
"""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import digests, failcounts
from daemon.scheduler import history_entry as he
from daemon.scheduler import model as m
from daemon.scheduler.history import clear_failcount
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.recurring import RESCHEDULE_META, schedule_cancel
from daemon.scheduler.working_set import WorkingSet
from daemon.scheduler.unfencing import trigger_unfencing


def schedule_cleanup(ws: WorkingSet, rsc: Resource, node: Node, optional: bool) -> None:
    if rsc.failed or node.unclean or not node.online:
        return
    act.resource_action(ws, rsc, "lrm_delete", node, optional)
    flag = m.AR_FIRST_IMPLIES_THEN if optional else m.AR_ORDERED
    act.order_resource_actions(ws, rsc, "stop", rsc, "lrm_delete", flag)
    act.order_resource_actions(ws, rsc, "lrm_delete", rsc, "start", flag)


def _agent_changed(ws: WorkingSet, rsc: Resource, node: Node, entry, active: bool) -> bool:
    changed = False
    for attr in ("type", "class", "provider"):
        if rsc.xml.get(attr) != entry.get(attr):
            changed = True
            trigger_unfencing(ws, rsc, node, "Device definition changed", None)
    if changed and active:
        act.resource_action(ws, rsc, "stop", node, False)
        rsc.start_pending = True
    return changed


def _task_for_digest(task: str, interval: int) -> str:
    if interval == 0 and task in ("monitor", "migrate_from", "promote"):
        return "start"
    return task


def _force_restart(ws: WorkingSet, rsc: Resource, task: str, interval: int) -> None:
    required = act.custom_action(ws, rsc, act.op_key(rsc.id, task, interval), task, None, False)
    required.set_reason("resource definition change", overwrite=True)


def _schedule_reload(ws: WorkingSet, rsc: Resource, node: Node | None) -> None:
    if rsc.variant != m.PRIMITIVE:
        for child in rsc.children:
            _schedule_reload(ws, child, node)
        return
    if node is None or not rsc.managed or rsc.failed:
        return
    if rsc.start_pending:
        act.resource_action(ws, rsc, "stop", node, False)
        return
    rsc.reload = True
    reload = act.custom_action(ws, rsc, act.op_key(rsc.id, "reload-agent"), "reload-agent",
                               node, False)
    reload.set_reason("resource definition change")
    act.new_ordering(ws, None, None, reload, rsc, act.op_key(rsc.id, "stop"), None,
                     m.AR_ORDERED | m.AR_THEN_CANCELS_FIRST)
    act.new_ordering(ws, None, None, reload, rsc, act.op_key(rsc.id, "demote"), None,
                     m.AR_ORDERED | m.AR_THEN_CANCELS_FIRST)


def check_action_config(ws: WorkingSet, rsc: Resource, node: Node, xml_op) -> bool:
    task = xml_op.get("operation")
    interval = he.interval_of(xml_op)
    if interval > 0:
        if act.find_action_config(ws, rsc, task, interval, False) is None:
            if ws.options.stop_orphan_actions:
                schedule_cancel(ws, rsc, xml_op.get("call-id"), task, interval, node, "orphan")
            return True
    digest_task = _task_for_digest(task, interval)
    result = digests.compare(ws, rsc, _DigestView(xml_op, digest_task), node)
    if digests.only_private_changed(ws, rsc, node, xml_op, result):
        return False
    if result.rc == digests.RESTART:
        _force_restart(ws, rsc, digest_task, interval)
        return True
    if result.rc in (digests.UNKNOWN, digests.MISMATCH):
        if interval > 0:
            mon = act.custom_action(ws, rsc, act.op_key(rsc.id, digest_task, interval),
                                    digest_task, node, True)
            mon.meta[RESCHEDULE_META] = "1"
        elif xml_op.get("op-restart-digest") is not None:
            _schedule_reload(ws, rsc, node)
        else:
            _force_restart(ws, rsc, digest_task, interval)
        return True
    return False


class _DigestView:
    """A history entry seen with the task its digest must be compared as."""

    __slots__ = ("_xml", "_task")

    def __init__(self, xml, task: str) -> None:
        self._xml = xml
        self._task = task

    def get(self, name: str, default=None):
        if name == "operation":
            return self._task
        return self._xml.get(name, default)


def _process_rsc_history(ws: WorkingSet, entry, rsc: Resource, node: Node) -> None:
    if rsc.removed:
        top = rsc.top()
        if top.variant == m.CLONE and not top.unique:
            return
        schedule_cleanup(ws, rsc, node, False)
        return
    if node not in rsc.running_on:
        if _agent_changed(ws, rsc, node, entry, False):
            schedule_cleanup(ws, rsc, node, False)
        return
    if _agent_changed(ws, rsc, node, entry, True):
        schedule_cleanup(ws, rsc, node, False)
    ops = he.sorted_by_call_id([op for op in entry if op.tag == "lrm_rsc_op"])
    start_index, stop_index = he.active_indexes(ops)
    if start_index < stop_index:
        return
    for offset, op in enumerate(ops):
        if offset < start_index:
            continue
        task = op.get("operation")
        interval = he.interval_of(op)
        if interval > 0 and (rsc.maintenance or node.maintenance):
            schedule_cancel(ws, rsc, op.get("call-id"), task, interval, node,
                            "maintenance mode")
        elif interval > 0 or task in ("monitor", "start", "promote", "migrate_from"):
            if check_action_config(ws, rsc, node, op):
                count, _ = failcounts.get_failcount(ws, node, rsc, failcounts.EFFECTIVE)
                if count != 0:
                    clear_failcount(ws, rsc, node, "action definition changed")


def _resources_by_name(ws: WorkingSet) -> dict[str, list[Resource]]:
    """Every resource under its id and its history name, latest in tree order first (the
    order a search of the whole tree for a history entry's name finds them in); built once
    instead of walking the tree for each entry (a clone per node made that quadratic)."""
    index: dict[str, list[Resource]] = {}

    def visit(r: Resource) -> None:
        index.setdefault(r.id, []).insert(0, r)
        if r.history_id is not None and r.history_id != r.id:
            index.setdefault(r.history_id, []).insert(0, r)
        for child in r.children:
            visit(child)

    for r in ws.resources:
        visit(r)
    return index


def handle_rsc_config_changes(ws: WorkingSet) -> None:
    by_name: dict[str, list[Resource]] | None = None
    for node in ws.nodes:
        if not (node.maintenance or node.available()):
            continue
        state = node.state_xml
        if state is None:
            continue
        resources = state.find("lrm/lrm_resources")
        if resources is None:
            continue
        for entry in resources:
            if entry.tag != "lrm_resource" or len(entry) == 0:
                continue
            rsc_id = entry.get("id")
            direct = ws.rsc_by_id.get(rsc_id)
            if direct is not None and direct.variant == m.PRIMITIVE and direct.history_id is None \
                    and not direct.children:
                matches = [direct] + [r for r in _history_matches(ws, rsc_id)
                                      if r is not direct]
            else:
                if by_name is None:
                    by_name = _resources_by_name(ws)
                matches = by_name.get(rsc_id, [])
            for rsc in matches:
                if rsc.variant == m.PRIMITIVE:
                    _process_rsc_history(ws, entry, rsc, node)


def _history_matches(ws: WorkingSet, rsc_id: str) -> list[Resource]:
    index = ws.config_cache.get("history_index")
    if index is None:
        index = {}
        for r in ws.rsc_by_id.values():
            if r.history_id is not None:
                index.setdefault(r.history_id, []).append(r)
        ws.config_cache["history_index"] = index
    return index.get(rsc_id, [])
