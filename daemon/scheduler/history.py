"""Unpacking the status section's resource history into roles, failures and actions.

For every node, each lrm_resource's operations are replayed oldest first to work out the
resource's role there, whether it failed and how to respond (on-fail), mirroring
Pacemaker's unpack.c. Instances of anonymous clones are matched to instance numbers here.
"""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import digests, failcounts
from daemon.scheduler import history_entry as he
from daemon.scheduler import model as m
from daemon.scheduler import scores
from daemon.scheduler.fencing import fence_node
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.roles import Role
from daemon.scheduler import remote_nodes as rn
from daemon.scheduler.shutdown_lock import unpack_history_lock
from daemon.scheduler.unpack_nodes import unpack_node_state, unpack_remote_attrs
from daemon.scheduler.unpack_resources import (create_clone_child, get_target_role,
                                               resource_location, unpack_resource)
from daemon.scheduler.migration_history import (migrate_from_failure, migrate_to_failure,
                                                 migrate_to_success)
from daemon.scheduler.working_set import WorkingSet


class _History:
    """One parsed history entry (Pacemaker's struct action_history)."""

    __slots__ = ("rsc", "node", "xml", "id", "key", "task", "interval_ms", "call_id",
                 "expected", "exit_status", "exec_status", "exit_reason")


# ---- status entry points ----------------------------------------------------------

def unpack_status(ws: WorkingSet, status) -> None:
    if status is None:
        return
    states = [el for el in status if el.tag == "node_state"]
    for state in states:
        unpack_node_state(ws, state)
    while _unpack_node_histories(ws, states, fence=False):
        pass
    _unpack_node_histories(ws, states, fence=ws.options.fencing_enabled)
    # launchers of failed bundle connections stop where they turned out to be
    for launcher_rsc in ws.stop_needed:
        from daemon.scheduler.assign import current_node
        where = current_node(launcher_rsc)
        if where is not None:
            act.resource_action(ws, launcher_rsc, "stop", where, False)
    ws.stop_needed = []
    # remote nodes: connections of nodes shutting down stop, and nodes with no history
    # of their own get their online status from their connection now
    for node in ws.nodes:
        if not rn.is_pacemaker_remote(node):
            continue
        if node.shutdown and node.remote_rsc is not None:
            node.remote_rsc.next_role = Role.STOPPED
        if not node.remote_reset:
            rn.determine_online_status(node)


def _unpack_node_histories(ws: WorkingSet, states, fence: bool) -> bool:
    did = False
    for state in states:
        node_id = state.get("id")
        uname = state.get("uname")
        if node_id is None or uname is None:
            continue
        node = ws.node_by_id.get(node_id) or ws.node_by_name.get(uname)
        if node is None or node.unpacked:
            continue
        if fence:
            pass
        elif rn.is_pacemaker_remote(node):
            if not rn.history_ready(ws, node):
                continue
        elif not ws.options.fencing_enabled and not ws.options.shutdown_lock \
                and not node.online:
            continue
        if rn.is_pacemaker_remote(node):
            rn.determine_online_status(node)
            unpack_remote_attrs(ws, node, state)
        node.unpacked = True
        _unpack_node_lrm(ws, node, state)
        did = True
    return did


def _unpack_node_lrm(ws: WorkingSet, node: Node, state) -> None:
    lrm = state.find("lrm")
    if lrm is None:
        return
    resources = lrm.find("lrm_resources")
    if resources is None:
        return
    launched_orphans = False
    for entry in resources:
        if entry.tag == "lrm_resource":
            rsc = unpack_lrm_resource(ws, node, entry)
            if rsc is not None and rsc.removed and entry.get("container"):
                launched_orphans = True
    if launched_orphans:
        _map_removed_launched(ws, resources)


def _map_removed_launched(ws: WorkingSet, resources) -> None:
    """handle_removed_launched_resources(): a removed resource whose history names its
    container is launched by that container, if it still exists."""
    for entry in resources:
        if entry.tag != "lrm_resource":
            continue
        launcher_id, rsc_id = entry.get("container"), entry.get("id")
        if launcher_id is None or rsc_id is None:
            continue
        launcher_rsc = ws.rsc_by_id.get(launcher_id)
        rsc = ws.rsc_by_id.get(rsc_id)
        if launcher_rsc is None or rsc is None or rsc.launcher is not None or not rsc.removed:
            continue
        rsc.launcher = launcher_rsc
        launcher_rsc.launched.append(rsc)


# ---- finding the resource an entry belongs to -------------------------------------

def _find_resource(ws: WorkingSet, rsc_id: str) -> Resource | None:
    """The resource with this id, else the first (in configuration order) known in its
    history by this name."""
    rsc = ws.rsc_by_id.get(rsc_id)
    if rsc is not None:
        return rsc
    known_as = ws.config_cache.get(("history-names",), {}).get(rsc_id)
    if not known_as:
        return None
    if len(known_as) == 1:
        return known_as[0]
    key = ("rsc-positions", len(ws.rsc_by_id))
    positions = ws.config_cache.get(key)
    if positions is None:
        positions = ws.config_cache[key] = {id(r): i for i, r in
                                           enumerate(ws.rsc_by_id.values())}
    return min(known_as, key=lambda r: positions[id(r)])


def _set_history_id(ws: WorkingSet, rsc: Resource, name: str | None) -> None:
    """Name a resource by its history entry's id, keeping the lookup by that name."""
    names = ws.config_cache.setdefault(("history-names",), {})
    if rsc.history_id is not None:
        names[rsc.history_id].remove(rsc)
    rsc.history_id = name
    if name is not None:
        names.setdefault(name, []).append(rsc)


def location_nodes(rsc: Resource, with_pending: bool) -> list[Node]:
    """Nodes where a resource (or any descendant) is active, optionally or pending."""
    out: list[Node] = []
    if rsc.children:
        for child in rsc.children:
            for n in location_nodes(child, with_pending):
                if n not in out:
                    out.append(n)
        return out
    out.extend(rsc.running_on)
    if with_pending and rsc.pending_node is not None and rsc.pending_node not in out:
        out.append(rsc.pending_node)
    return out


def _find_anonymous_clone(ws: WorkingSet, node: Node, parent: Resource,
                          base: str) -> Resource:
    rsc = None
    inactive = None
    skip_inactive = False
    for child in parent.children:
        if rsc is not None:
            break
        locations = location_nodes(child, True)
        if locations:
            if locations[0] is node:
                rsc = child.find_clone_only(base)
                if rsc is not None and rsc.running_on:
                    skip_inactive = True
                    rsc = None
        elif not skip_inactive and inactive is None and not child.blocked:
            inactive = child.find_clone_only(base)
            if inactive is not None and inactive.pending_node is not None \
                    and inactive.pending_node is not node:
                inactive = None
    if rsc is None and not skip_inactive and inactive is not None:
        rsc = inactive
    if rsc is not None and rsc.requires != m.REQUIRES_FENCING \
            and (not node.online or node.unclean) and not rn.is_guest(node) \
            and not _is_universal_clone(ws, parent):
        rsc = None
    if rsc is None:
        top = create_clone_child(ws, parent)
        rsc = top.find_clone_only(base) or top
    return rsc


def _is_universal_clone(ws: WorkingSet, rsc: Resource) -> bool:
    """A clone with an instance for every node (pe__is_universal_clone())."""
    return rsc.variant == m.CLONE and rsc.clone_max == len(ws.nodes)


def _unpack_find_resource(ws: WorkingSet, node: Node, rsc_id: str) -> Resource | None:
    rsc = _find_resource(ws, rsc_id)
    parent = None
    if rsc is None:
        base = failcounts.clone_strip(rsc_id)
        clone0 = ws.rsc_by_id.get(base + ":0")
        if clone0 is not None and not clone0.unique:
            rsc = clone0
            parent = clone0.top()
    elif rsc.variant > m.PRIMITIVE:
        return None
    else:
        parent = rsc.top()
    if parent is not None and parent.variant == m.CLONE and not parent.unique:
        if parent.parent is not None and parent.parent.variant == m.BUNDLE:
            from daemon.scheduler.bundle import replica_for_node
            rsc = replica_for_node(parent.parent, node)
        else:
            rsc = _find_anonymous_clone(ws, node, parent, failcounts.clone_strip(rsc_id))
    if rsc is not None and rsc_id != rsc.id and rsc_id != rsc.history_id:
        _set_history_id(ws, rsc, rsc_id)
    return rsc


def _process_removed_resource(ws: WorkingSet, entry, node: Node) -> Resource | None:
    from lxml import etree
    xml = etree.Element("primitive")
    for name, value in entry.attrib.items():
        xml.set(name, value)
    rsc = unpack_resource(ws, xml, None)
    if rsc is None:
        return None
    if rn.is_connection_xml(xml):
        # an orphaned connection: its node (created if need be) is shutting down
        target = ws.node_by_name.get(rsc.id) or rn.add_remote_node(ws, rsc.id)
        rn.link_connection(ws, rsc)
        target.shutdown = True
    rsc.removed = True
    ws.resources.append(rsc)
    if not ws.options.stop_orphan_resources:
        rsc.managed = False
    else:
        resource_location(ws, rsc, None, -scores.INFINITY, "__removed_do_not_run__")
    return rsc


# ---- one resource's history on one node -----------------------------------------

def unpack_lrm_resource(ws: WorkingSet, node: Node, entry) -> Resource | None:
    rsc_id = entry.get("id")
    if rsc_id is None:
        return None
    ops = [op for op in entry if op.tag == "lrm_rsc_op"]
    locked = ws.options.shutdown_lock and entry.get("shutdown-lock") is not None
    if not ops and not locked:
        return None
    rsc = _unpack_find_resource(ws, node, rsc_id)
    if rsc is None:
        if not ops:
            return None
        rsc = _process_removed_resource(ws, entry, node)
        if rsc is None:
            return None
    if locked:
        unpack_history_lock(ws, rsc, node, entry)
    if not ops:
        return rsc
    saved_role = rsc.role
    rsc.role = Role.UNKNOWN
    sorted_ops = he.sorted_by_call_id(ops)
    state = {"on_fail": m.ON_FAIL_IGNORE, "last_failure": None}
    for op in sorted_ops:
        _unpack_rsc_op(ws, rsc, node, op, state)
    start_index, stop_index = he.active_indexes(sorted_ops)
    _process_recurring(ws, node, rsc, start_index, stop_index, sorted_ops)
    _process_rsc_state(ws, rsc, node, state["on_fail"])
    req = get_target_role(rsc)
    if req is not None and (rsc.next_role == Role.UNKNOWN or req < rsc.next_role):
        rsc.next_role = req
    if saved_role > rsc.role:
        rsc.role = saved_role
    ws.history_by_node.setdefault(node.name, {})[rsc_id] = entry
    return rsc


def _process_recurring(ws: WorkingSet, node: Node, rsc: Resource, start_index: int,
                       stop_index: int, ops: list) -> None:
    for counter, op in enumerate(ops):
        if not node.online:
            break
        if start_index < stop_index and counter <= stop_index:
            continue
        if counter < start_index:
            continue
        interval = he.interval_of(op)
        if interval == 0:
            continue
        if op.get("op-status") == "-1":
            continue
        task = op.get("operation")
        act.custom_action(ws, rsc, act.op_key(rsc.id, task, interval), task, node, True)


def _set_active(rsc: Resource) -> None:
    rsc.role = Role.UNPROMOTED if rsc.top().promotable else Role.STARTED


def native_add_running(ws: WorkingSet, rsc: Resource, node: Node, failed: bool) -> None:
    if node in rsc.running_on:
        return
    rsc.running_on.append(node)
    if rsc.variant == m.PRIMITIVE:
        node.running.append(rsc)
        if rsc.priority and not failed:
            node.priority += rsc.priority + (1 if rsc.role == Role.PROMOTED else 0)
        if node.maintenance:
            rsc.managed = False
            rsc.maintenance = True
    if not rsc.managed:
        resource_location(ws, rsc, node, scores.INFINITY, "not_managed_default")
        p = rsc.parent
        while p is not None:        # Pacemaker 3 counts offline nodes too (2.1 did not)
            p.running_on.append(node)
            p = p.parent
        return
    if rsc.variant == m.PRIMITIVE and _count_active(rsc) > 1:
        if rsc.multiply_active == m.MULTIPLY_ACTIVE_STOP:
            rsc.allowed = {n: -scores.INFINITY for n in ws.nodes}
            _explain_ban(rsc, "multiple-active=stop_only")
        elif rsc.multiply_active == m.MULTIPLY_ACTIVE_BLOCK:
            rsc.managed = False
            rsc.blocked = True
            if rsc.parent is not None and rsc.parent.variant == m.GROUP \
                    and rsc.parent.multiply_active == m.MULTIPLY_ACTIVE_BLOCK:
                for child in rsc.parent.children:
                    child.managed = False
                    child.blocked = True
    if rsc.parent is not None:
        native_add_running(ws, rsc.parent, node, False)


def _count_active(rsc: Resource) -> int:
    if rsc.requires == m.REQUIRES_FENCING:
        return len(rsc.running_on)
    return sum(1 for n in rsc.running_on if n.online and not n.unclean)


def _is_bundled(rsc: Resource) -> bool:
    """Inside a bundle (pcmk__is_bundled())."""
    return rsc.parent is not None and rsc.top_with_bundle().variant == m.BUNDLE


def _process_rsc_state(ws: WorkingSet, rsc: Resource, node: Node, on_fail: int) -> None:
    known_active = rsc.role > Role.STOPPED
    if rsc.role != Role.UNKNOWN:
        it: Resource | None = rsc
        while it is not None:
            it.probed.add(node)
            if it.unique:
                break
            it = it.parent
    if known_active and not node.online and not node.maintenance and rsc.managed:
        should_fence = False
        reason = None
        if rn.is_guest(node):
            # a guest is "fenced" by recovering its launcher, fencing enabled or not
            rsc.failed = True
            rsc.stop_if_failed = True
            should_fence = True
        elif ws.options.fencing_enabled:
            if rn.is_remote(node) and node.remote_rsc is not None \
                    and not node.remote_rsc.failed:
                # fence only if the connection cannot come back elsewhere
                node.seen = False
                reason = (f"{rsc.id} is active there (fencing will be revoked if remote "
                          "connection can be re-established elsewhere)")
            should_fence = True
        if should_fence:
            fence_node(ws, node, reason or f"{rsc.id} is thought to be active there",
                       False)
    save_on_fail = on_fail
    if node.unclean:
        on_fail = m.ON_FAIL_IGNORE
    if on_fail == m.ON_FAIL_DEMOTE:
        rsc.failed = True
        act.resource_action(ws, rsc, "demote", node, False)
    elif on_fail == m.ON_FAIL_FENCE:
        fence_node(ws, node, f"{rsc.id} failed there", False)
    elif on_fail == m.ON_FAIL_STANDBY:
        node.standby = True
        node.fail_standby = True
    elif on_fail == m.ON_FAIL_BLOCK:
        rsc.managed = False
        rsc.blocked = True
    elif on_fail == m.ON_FAIL_BAN:
        resource_location(ws, rsc, node, -scores.INFINITY, "__action_migration_auto__")
    elif on_fail == m.ON_FAIL_STOP:
        rsc.next_role = Role.STOPPED
    elif on_fail == m.ON_FAIL_RESTART:
        if known_active:
            rsc.failed = True
            rsc.stop_if_failed = True
            act.resource_action(ws, rsc, "stop", node, False)
    elif on_fail == m.ON_FAIL_RESTART_CONTAINER:
        rsc.failed = True
        rsc.stop_if_failed = True
        if rsc.launcher is not None and _is_bundled(rsc):
            ws.stop_needed.insert(0, rsc.launcher)
        elif rsc.launcher is not None:
            act.resource_action(ws, rsc.launcher, "stop", node, False)
        elif known_active:
            act.resource_action(ws, rsc, "stop", node, False)
    elif on_fail == m.ON_FAIL_RESET_REMOTE:
        rsc.failed = True
        rsc.stop_if_failed = True
        if ws.options.fencing_enabled:
            target = rn.connection_node(ws, rsc)
            if rn.is_remote(target) and not target.remote_was_fenced:
                fence_node(ws, target, "remote connection is unrecoverable", False)
        if known_active:
            act.resource_action(ws, rsc, "stop", node, False)
        if rsc.remote_reconnect_ms > 0:
            rsc.next_role = Role.STOPPED
    if rsc.failed and rsc.is_remote_connection:
        # a failed connection forces an unclean remote node's fencing even if it reconnects
        target = ws.node_by_name.get(rsc.id)
        if target is not None and target.unclean:
            target.seen = True
    if known_active:
        native_add_running(ws, rsc, node, save_on_fail != m.ON_FAIL_IGNORE)
        if on_fail == m.ON_FAIL_IGNORE:
            pass
        elif on_fail in (m.ON_FAIL_DEMOTE, m.ON_FAIL_BLOCK):
            rsc.failed = True
        else:
            rsc.failed = True
            rsc.stop_if_failed = True
    elif rsc.history_id is not None and ":" in rsc.history_id:
        _set_history_id(ws, rsc, None)
    else:
        for stop in act.resource_actions(rsc, node, "stop"):
            stop.flags |= m.OPTIONAL
    if rsc.role == Role.STOPPED and rsc.running_on and rsc.partial_target is not None \
            and rsc.partial_source is node:
        rsc.role = Role.STARTED


# ---- one history entry --------------------------------------------------------------

def _unpack_rsc_op(ws: WorkingSet, rsc: Resource, node: Node, xml_op, state: dict) -> None:
    h = _History()
    h.rsc = rsc
    h.node = node
    h.xml = xml_op
    h.id = xml_op.get("id")
    if h.id is None:
        return
    h.task = xml_op.get("operation")
    if h.task is None:
        return
    h.interval_ms = he.interval_of(xml_op)
    if h.task not in ("monitor", "start", "stop", "promote", "demote", "migrate_to",
                      "migrate_from", "asyncmon"):
        return
    status = xml_op.get("op-status")
    rc = xml_op.get("rc-code")
    try:
        h.exec_status = int(status)
    except (TypeError, ValueError):
        return
    if h.exec_status < he.EXEC_PENDING or h.exec_status > he.EXEC_MAX \
            or h.exec_status == he.EXEC_CANCELLED:
        return
    try:
        h.exit_status = int(rc)
    except (TypeError, ValueError):
        return
    if h.exit_status < 0 or h.exit_status > 255:
        return
    h.exit_reason = xml_op.get("exit-reason")
    h.expected = he.expected_rc(xml_op)
    h.key = he.history_key(xml_op)
    h.call_id = he.to_int(xml_op.get("call-id"), -1)

    expired = _check_operation_expiry(ws, h)
    old_rc = h.exit_status
    _remap_operation(ws, h, state, expired)
    if expired and _process_expired_result(ws, h, old_rc):
        return
    if he.mask_probe_failure(xml_op):
        _mask_probe_failure(ws, h, state)
        return
    parent = rsc if rsc.unique else rsc.top()
    es = h.exec_status
    if es == he.EXEC_PENDING:
        _process_pending(ws, h, state["last_failure"])
        return
    if es == he.EXEC_DONE:
        _update_resource_state(ws, h, h.exit_status, state)
        return
    if es == he.EXEC_NOT_INSTALLED:
        strategy, fail_role = _failure_handling(ws, h)
        if strategy == m.ON_FAIL_IGNORE:
            state["on_fail"] = m.ON_FAIL_BAN
        resource_location(ws, parent, node, -scores.INFINITY, "hard-error")
        _unpack_rsc_op_failure(ws, h, strategy, fail_role, state)
        return
    strategy, fail_role = _failure_handling(ws, h)
    if strategy == m.ON_FAIL_IGNORE or (strategy == m.ON_FAIL_RESTART_CONTAINER
                                        and h.task == "stop"):
        _update_resource_state(ws, h, h.expected, state)
        rsc.failure_ignored = True
        _record_failed_op(ws, h)
        if strategy == m.ON_FAIL_RESTART_CONTAINER and state["on_fail"] <= m.ON_FAIL_RESTART:
            state["on_fail"] = strategy
        return
    _unpack_rsc_op_failure(ws, h, strategy, fail_role, state)
    if h.exec_status == he.EXEC_ERROR_HARD:
        resource_location(ws, parent, node, -scores.INFINITY, "hard-error")
    elif h.exec_status == he.EXEC_ERROR_FATAL:
        resource_location(ws, parent, None, -scores.INFINITY, "fatal-error")


def _failure_handling(ws: WorkingSet, h: _History) -> tuple[int, Role]:
    config = act.find_action_config(ws, h.rsc, h.task, h.interval_ms, True)
    meta = act.action_meta(ws, h.rsc, h.node, h.task, h.interval_ms, config)
    on_fail = act.parse_on_fail(ws, h.rsc, h.task, h.interval_ms, meta.get("on-fail"))
    return on_fail, act.role_after_failure(h.task, on_fail, meta, h.rsc.remote_reconnect_ms)


def _record_failed_op(ws: WorkingSet, h: _History) -> None:
    if not h.node.online:
        return
    for node_name, key, _ in ws.failed_ops:
        if key == h.key and node_name == h.node.name:
            return
    ws.failed_ops.append((h.node.name, h.key, h))


def _remap_operation(ws: WorkingSet, h: _History, state: dict, expired: bool) -> None:
    orig_exit = h.exit_status
    h.exit_status = he.effective_rc(h.exit_status)
    if h.exit_status != orig_exit:
        if not expired and (not h.node.shutdown or h.node.online):
            _record_failed_op(ws, h)
    if he.mask_probe_failure(h.xml) and (h.exec_status != he.EXEC_DONE
                                         or h.exit_status != he.OCF_NOT_RUNNING):
        h.exec_status = he.EXEC_DONE
        h.exit_status = he.OCF_NOT_RUNNING
    if h.exec_status not in (he.EXEC_DONE, he.EXEC_ERROR):
        if h.exec_status in (he.EXEC_NO_FENCE_DEVICE, he.EXEC_NO_SECRETS):
            h.exec_status = he.EXEC_ERROR_HARD
        return
    is_probe = he.is_probe(h.xml)
    if h.expected < 0:
        h.exec_status = he.EXEC_ERROR
    elif h.exit_status == h.expected:
        h.exec_status = he.EXEC_DONE
    else:
        h.exec_status = he.EXEC_ERROR
    rsc = h.rsc
    ex = h.exit_status
    if ex == he.OCF_OK:
        if is_probe and h.expected == he.OCF_NOT_RUNNING:
            h.exec_status = he.EXEC_DONE
    elif ex == he.OCF_NOT_RUNNING:
        if is_probe or h.expected == ex or not rsc.managed:
            h.exec_status = he.EXEC_DONE
            rsc.role = Role.STOPPED
            state["on_fail"] = m.ON_FAIL_IGNORE
            rsc.next_role = Role.UNKNOWN
    elif ex == he.OCF_RUNNING_PROMOTED:
        if is_probe and ex != h.expected:
            h.exec_status = he.EXEC_DONE
        if not expired or ex == h.expected:
            rsc.role = Role.PROMOTED
    elif ex == he.OCF_FAILED_PROMOTED:
        if not expired:
            rsc.role = Role.PROMOTED
        h.exec_status = he.EXEC_ERROR
    elif ex == he.OCF_NOT_CONFIGURED:
        h.exec_status = he.EXEC_ERROR_FATAL
    elif ex == he.OCF_UNIMPLEMENT_FEATURE:
        if h.interval_ms == 0:
            if not expired:
                _block_if_unrecoverable(ws, h)
            h.exec_status = he.EXEC_ERROR_HARD
        else:
            h.exec_status = he.EXEC_NOT_SUPPORTED
    elif ex in (he.OCF_NOT_INSTALLED, he.OCF_INVALID_PARAM, he.OCF_INSUFFICIENT_PRIV):
        if not expired:
            _block_if_unrecoverable(ws, h)
        h.exec_status = he.EXEC_ERROR_HARD
    else:
        if h.exec_status == he.EXEC_DONE:
            h.exec_status = he.EXEC_ERROR


def _block_if_unrecoverable(ws: WorkingSet, h: _History) -> None:
    if h.task != "stop":
        return
    if ws.can_fence(h.node):
        return
    h.rsc.managed = False
    h.rsc.blocked = True


def _check_operation_expiry(ws: WorkingSet, h: _History) -> bool:
    rsc = h.rsc
    expired = False
    is_last_failure = h.id.endswith("_last_failure_0")
    if h.exec_status == he.EXEC_NOT_INSTALLED:
        return False
    unexpired_fail_count = 0
    expiration_s = failcounts.ms_to_s(rsc.failure_expiration_ms)
    last_run = h.xml.get("last-rc-change")
    if expiration_s > 0 and last_run is not None:
        try:
            last_run_i = int(last_run)
        except ValueError:
            last_run_i = None
        if last_run_i is not None:
            if ws.now >= last_run_i + expiration_s \
                    and not _failure_timeout_ignored(ws, rsc, h.task, h.interval_ms):
                expired = True
            unexpired_fail_count, _ = failcounts.get_failcount(
                ws, h.node, rsc, failcounts.EFFECTIVE, h.xml)
    clear_reason = None
    if expired:
        count, _ = failcounts.get_failcount(ws, h.node, rsc, 0, h.xml)
        if count:
            if unexpired_fail_count == 0:
                clear_reason = "it expired"
            else:
                expired = False
        elif is_last_failure and rsc.remote_reconnect_ms:
            clear_reason = "reconnect interval is set"
    if not expired and is_last_failure and h.task in ("start", "monitor"):
        result = digests.compare(ws, rsc, h.xml, h.node)
        if result.rc not in (digests.UNKNOWN, digests.MATCH):
            clear_reason = "resource parameters have changed"
    if clear_reason is not None:
        clear_failcount(ws, rsc, h.node, clear_reason)
    if expired and h.interval_ms == 0 and h.task == "monitor":
        if h.exit_status in (he.OCF_OK, he.OCF_NOT_RUNNING, he.OCF_RUNNING_PROMOTED,
                             he.OCF_DEGRADED, he.OCF_DEGRADED_PROMOTED):
            expired = False
    return expired


def _failure_timeout_ignored(ws: WorkingSet, rsc: Resource, task: str,
                             interval_ms: int) -> bool:
    """should_ignore_failure_timeout(): a remote connection's failed recurring monitor
    (with reconnect_interval and fencing on) does not expire before its node is fenced,
    since a monitor that keeps failing records no new result."""
    if rsc.remote_reconnect_ms <= 0 or not ws.options.fencing_enabled or interval_ms == 0 \
            or task != "monitor":
        return False
    node = ws.node_by_name.get(rsc.id)
    return node is not None and not node.remote_was_fenced


def clear_failcount(ws: WorkingSet, rsc: Resource, node: Node, reason: str):
    key = act.op_key(rsc.id, "clear_failcount", 0)
    action = act.custom_action(ws, rsc, key, "clear_failcount", node, False)
    action.meta["op_no_wait"] = "true"
    action.set_reason(reason)
    return action


def _process_expired_result(ws: WorkingSet, h: _History, orig_exit: int) -> bool:
    """True if an expired entry needs no further processing."""
    if he.mask_probe_failure(h.xml) and orig_exit != h.expected:
        if h.rsc.role <= Role.STOPPED:
            h.rsc.role = Role.UNKNOWN
        return True
    if h.exit_status == h.expected:
        return False
    if h.interval_ms == 0:
        return True
    if h.node.online and not h.node.unclean:
        h.xml.set("op-restart-digest", "calculated-failure-timeout")
        return True
    return False


def _mask_probe_failure(ws: WorkingSet, h: _History, state: dict) -> None:
    ban = h.rsc if h.rsc.unique else h.rsc.top()
    _update_resource_state(ws, h, h.expected, state)
    _record_failed_op(ws, h)
    resource_location(ws, ban, h.node, -scores.INFINITY, "masked-probe-failure")


def _failure_is_newer(h: _History, last_failure) -> bool:
    if last_failure is None:
        return False
    if h.task != last_failure.get("operation"):
        return False
    if he.interval_of(last_failure) != h.interval_ms:
        return False
    try:
        this_change = int(h.xml.get("last-rc-change"))
        failure_change = int(last_failure.get("last-rc-change"))
    except (TypeError, ValueError):
        return False
    return failure_change >= this_change


def _process_pending(ws: WorkingSet, h: _History, last_failure) -> None:
    if _failure_is_newer(h, last_failure):
        return
    rsc = h.rsc
    if h.task == "start":
        rsc.start_pending = True
        _set_active(rsc)
    elif h.task == "promote":
        rsc.role = Role.PROMOTED
    elif h.task == "migrate_to" and h.node.unclean:
        target = ws.find_node(h.xml.get("migrate_target"))
        if target is not None:
            act.resource_action(ws, rsc, "stop", target, False)
    if rsc.pending_task is not None:
        return
    if h.task == "monitor" and h.interval_ms == 0:
        return
    rsc.pending_task = h.task
    rsc.pending_node = h.node


def _update_resource_state(ws: WorkingSet, h: _History, exit_status: int,
                           state: dict) -> None:
    rsc = h.rsc
    clear_past_failure = False
    task = h.task
    if exit_status == he.OCF_NOT_INSTALLED or he.mask_probe_failure(h.xml):
        rsc.role = Role.STOPPED
    elif exit_status == he.OCF_NOT_RUNNING:
        clear_past_failure = True
    elif task == "monitor":
        last = state["last_failure"]
        if last is not None and h.key == he.history_key(last):
            clear_past_failure = True
        if rsc.role < Role.STARTED:
            _set_active(rsc)
    elif task == "start":
        rsc.role = Role.STARTED
        clear_past_failure = True
    elif task == "stop":
        rsc.role = Role.STOPPED
        clear_past_failure = True
    elif task == "promote":
        rsc.role = Role.PROMOTED
        clear_past_failure = True
    elif task == "demote":
        if state["on_fail"] == m.ON_FAIL_DEMOTE:
            clear_past_failure = True
        rsc.role = Role.UNPROMOTED
    elif task == "migrate_from":
        rsc.role = Role.STARTED
        clear_past_failure = True
    elif task == "migrate_to":
        migrate_to_success(ws, h)
    elif rsc.role < Role.STARTED:
        _set_active(rsc)
    if not clear_past_failure:
        return
    on_fail = state["on_fail"]
    if on_fail in (m.ON_FAIL_STOP, m.ON_FAIL_BAN, m.ON_FAIL_STANDBY, m.ON_FAIL_FENCE):
        return
    if on_fail == m.ON_FAIL_RESET_REMOTE:
        if rsc.remote_reconnect_ms == 0:
            state["on_fail"] = m.ON_FAIL_IGNORE
            rsc.next_role = Role.UNKNOWN
        return
    state["on_fail"] = m.ON_FAIL_IGNORE
    rsc.next_role = Role.UNKNOWN


def _unpack_rsc_op_failure(ws: WorkingSet, h: _History, config_on_fail: int,
                           fail_role: Role, state: dict) -> None:
    rsc = h.rsc
    state["last_failure"] = h.xml
    is_probe = he.is_probe(h.xml)
    if ws.options.symmetric or h.exit_status != he.OCF_NOT_INSTALLED:
        _record_failed_op(ws, h)
    if state["on_fail"] < config_on_fail:
        state["on_fail"] = config_on_fail
    if h.task == "stop":
        resource_location(ws, rsc, h.node, -scores.INFINITY, "__stop_fail__")
    elif h.task == "migrate_to":
        migrate_to_failure(ws, h)
    elif h.task == "migrate_from":
        migrate_from_failure(ws, h)
    elif h.task == "promote":
        rsc.role = Role.PROMOTED
    elif h.task == "demote":
        if config_on_fail == m.ON_FAIL_BLOCK:
            rsc.role = Role.PROMOTED
            rsc.next_role = Role.STOPPED
        elif h.exit_status == he.OCF_NOT_RUNNING:
            rsc.role = Role.STOPPED
        else:
            rsc.role = Role.UNPROMOTED
    if is_probe and h.exit_status == he.OCF_NOT_INSTALLED:
        rsc.role = Role.STOPPED
    elif rsc.role < Role.STARTED:
        _set_active(rsc)
    if fail_role != Role.STARTED and rsc.next_role < fail_role:
        rsc.next_role = fail_role
    if fail_role == Role.STOPPED:
        _ban_from_all_nodes(ws, rsc)


def _ban_from_all_nodes(ws: WorkingSet, rsc: Resource) -> None:
    if rsc.parent is not None:
        top = rsc.top()
        if top.variant == m.CLONE and not top.unique:
            rsc = top
    rsc.allowed = {n: -scores.INFINITY for n in ws.nodes}
    _explain_ban(rsc, "on-fail=stop")


def _explain_ban(rsc: Resource, why: str) -> None:
    if rsc.explanation is not None:
        rsc.explanation.append(("ban", why))
