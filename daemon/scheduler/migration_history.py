"""What migrate_to / migrate_from history entries say about where a resource is active.

Mirrors the migration part of Pacemaker's unpack.c. A full migration is migrate_to on the
source, migrate_from on the target, then stop on the source. A migrate_to without a
migrate_from is a *partial* migration (the resource may be active on both nodes; it may
continue to the same target); a migrate_from without the source's stop is a *dangling*
migration (the source needs a stop). A failed migrate_to or migrate_from leaves the resource
active where it may still run.
"""

from __future__ import annotations

from daemon.scheduler import history_entry as he
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.roles import Role
from daemon.scheduler.working_set import WorkingSet

_PENDING = 193          # rc-code of an operation still in flight (PCMK_OCF_UNKNOWN)
_EXEC_DONE, _EXEC_PENDING = 0, -1


def _lrm_resource(ws: WorkingSet, rsc_id: str, node_name: str):
    status = ws.cib.find("status") if ws.cib is not None else None
    if status is None:
        return None
    for state in status.iterfind("node_state"):
        if state.get("uname") != node_name:
            continue
        for entry in state.iterfind("lrm/lrm_resources/lrm_resource"):
            if entry.get("id") == rsc_id:
                return entry
    return None


def _find_op(ws: WorkingSet, rsc_id: str, task: str, node_name: str, peer: str | None,
             target_rc: int):
    """find_lrm_op(): the node's first `task` entry (a migrate_to toward `peer`, a
    migrate_from from `peer`); with target_rc >= 0 only if it completed with that rc."""
    entry = _lrm_resource(ws, rsc_id, node_name)
    if entry is None:
        return None
    found = None
    for op in entry.iterfind("lrm_rsc_op"):
        if op.get("operation") != task:
            continue
        if peer is not None and task == "migrate_to" and op.get("migrate_target") != peer:
            continue
        if peer is not None and task == "migrate_from" and op.get("migrate_source") != peer:
            continue
        found = op
        break
    if found is not None and target_rc >= 0:
        if he.to_int(found.get("rc-code"), 1) != target_rc \
                or he.to_int(found.get("op-status"), 4) != _EXEC_DONE:
            return None
    return found


def _unknown_on_node(ws: WorkingSet, rsc: Resource, node_name: str) -> bool:
    """No history entry for the resource on the node except pending ones."""
    entry = _lrm_resource(ws, rsc.id, node_name)
    if entry is None:
        return True
    return all(he.to_int(op.get("rc-code"), -1) == _PENDING
               for op in entry.iterfind("lrm_rsc_op"))


def _non_monitor_after(ws: WorkingSet, rsc_id: str, node_name: str, xml_op,
                       same_node: bool) -> bool:
    entry = _lrm_resource(ws, rsc_id, node_name)
    if entry is None:
        return False
    for op in entry.iterfind("lrm_rsc_op"):
        if op is xml_op:
            continue
        if op.get("operation") in ("start", "stop", "migrate_to", "migrate_from") \
                and he.is_newer(op, xml_op, same_node) > 0:
            return True
    return False


def _monitor_not_running_after(ws: WorkingSet, rsc_id: str, node_name: str, xml_op,
                               same_node: bool) -> bool:
    monitor = _find_op(ws, rsc_id, "monitor", node_name, None, he.OCF_NOT_RUNNING)
    return monitor is not None and he.is_newer(monitor, xml_op, same_node) > 0


def _newer_state_after_migrate(ws: WorkingSet, rsc_id: str, node_name: str, migrate_to,
                               migrate_from) -> bool:
    xml_op = migrate_from if migrate_from is not None else migrate_to
    source = xml_op.get("migrate_source")
    if xml_op is not migrate_to and migrate_to is not None and node_name == source:
        xml_op = migrate_to
    if xml_op is migrate_to:
        same_node = node_name == source
    else:
        same_node = node_name == xml_op.get("migrate_target")
    return (_non_monitor_after(ws, rsc_id, node_name, xml_op, same_node)
            or _monitor_not_running_after(ws, rsc_id, node_name, xml_op, same_node))


def _node_names(h, source_node: Node | None, target_node: Node | None
                ) -> tuple[str, str] | None:
    source = h.xml.get("migrate_source")
    target = h.xml.get("migrate_target")
    if not source or not target:
        return None
    if source_node is not None and source_node.name != source:
        return None
    if target_node is not None and target_node.name != target:
        return None
    return source, target


def _add_running(ws: WorkingSet, rsc: Resource, node: Node, failed: bool) -> None:
    from daemon.scheduler.history import native_add_running
    native_add_running(ws, rsc, node, failed)


def _mark_failed(rsc: Resource) -> None:
    rsc.failed = True
    rsc.stop_if_failed = True
    rsc.migratable = False


def migrate_to_success(ws: WorkingSet, h) -> None:
    """unpack_migrate_to_success()."""
    rsc = h.rsc
    names = _node_names(h, h.node, None)
    if names is None:
        return
    source, target = names
    source_newer_op = _non_monitor_after(ws, rsc.id, source, h.xml, True)
    migrate_from = _find_op(ws, rsc.id, "migrate_from", target, source, -1)
    from_rc, from_status = 0, _EXEC_PENDING
    if migrate_from is not None:
        if source_newer_op:
            return
        from_rc = he.to_int(migrate_from.get("rc-code"), 0)
        from_status = he.to_int(migrate_from.get("op-status"), _EXEC_PENDING)
    target_newer_state = _newer_state_after_migrate(ws, rsc.id, target, h.xml, migrate_from)
    if source_newer_op and target_newer_state:
        return
    if from_rc == 0 and from_status == _EXEC_DONE:
        rsc.role = Role.STOPPED         # a dangling migration: stop the source
        rsc.dangling_sources.insert(0, h.node)
        return
    rsc.role = Role.STARTED
    target_node = ws.find_node(target)
    active_on_target = (not target_newer_state and target_node is not None
                        and target_node.online)
    if from_status != _EXEC_PENDING:    # the migrate_from failed
        if active_on_target:
            _add_running(ws, rsc, target_node, True)
        else:
            _mark_failed(rsc)
        return
    if target_node is not None and target_node.online and _unknown_on_node(ws, rsc, target):
        return                          # cleaned on the target: its probe will tell
    if active_on_target:
        _add_running(ws, rsc, target_node, False)
        if rsc.partial_target is None and rsc.partial_source is None:
            rsc.partial_target = target_node
            rsc.partial_source = h.node
    elif not source_newer_op:
        _mark_failed(rsc)


def migrate_to_failure(ws: WorkingSet, h) -> None:
    """unpack_migrate_to_failure()."""
    rsc = h.rsc
    names = _node_names(h, h.node, None)
    if names is None:
        return
    source, target = names
    rsc.role = Role.STARTED
    target_from = _find_op(ws, rsc.id, "migrate_from", target, source, 0)
    if not _unknown_on_node(ws, rsc, target) \
            and not _newer_state_after_migrate(ws, rsc.id, target, h.xml, target_from):
        target_node = ws.find_node(target)
        if target_node is not None and target_node.online:
            _add_running(ws, rsc, target_node, False)
    elif not _non_monitor_after(ws, rsc.id, source, h.xml, True):
        rsc.dangling_sources.insert(0, h.node)


def migrate_from_failure(ws: WorkingSet, h) -> None:
    """unpack_migrate_from_failure()."""
    rsc = h.rsc
    names = _node_names(h, None, h.node)
    if names is None:
        return
    source, target = names
    rsc.role = Role.STARTED
    source_to = _find_op(ws, rsc.id, "migrate_to", source, target, 0)
    if not _unknown_on_node(ws, rsc, source) \
            and not _newer_state_after_migrate(ws, rsc.id, source, source_to, h.xml):
        source_node = ws.find_node(source)
        if source_node is not None and source_node.online:
            _add_running(ws, rsc, source_node, True)
