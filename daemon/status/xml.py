"""The cluster status as crm_mon's XML (`crm_mon -1 --output-as=xml`, API version 2.25).

Elements and attributes come in Pacemaker 2.1.5's order with its values, so tools that
read crm_mon's XML read ours: <summary>, <nodes>, <resources> (with <clone>, <group> and
<node> children), <node_attributes>, <node_history>, <failures>, <fence_history>,
<tickets>, <bans>, then <status code="0" message="OK"/>. The XML shows everything crm_mon's
XML shows by default (inactive resources, operations with timing, bans) whatever the
display options; only -R's detail and the fence history level change it.
"""

from __future__ import annotations

import shlex

from lxml import etree

from daemon.scheduler import model as m
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.status_view import (is_active, is_disabled, node_feature_set,
                                          node_health, printable_id)
from daemon.scheduler.working_set import WorkingSet
from daemon.status import fencing, records
from daemon.status.fencing import FenceEvent
from daemon.status.options import StatusOptions, crm_mon_argv
from daemon.status.load import working_set
from daemon.status.records import unpack_placement
from daemon.status.results import exec_status_text, exit_text
from daemon.status.summary import Live, cluster_options, summarise
from daemon.status.timefmt import ctime_text, epoch_of, iso_text

API_VERSION = "2.25"
_PENDING_STATE = {"start": "Starting", "stop": "Stopping", "migrate_to": "Migrating",
                  "migrate_from": "Migrating", "promote": "Promoting", "demote": "Demoting"}
_PENDING_ACTION = {"monitor": "Monitoring"}


def render_xml(cib, *, now: float, options: StatusOptions = StatusOptions(),
               request: str | None = None, local_node: str | None = None,
               pacemakerd_state: str | None = None, stack: str | None = None,
               fence_history: list[FenceEvent] | None = None) -> bytes:
    """crm_mon's XML document for a CIB at Unix time `now`, as UTF-8 bytes.

    `request` is the command line recorded in <pacemaker-result> (by default the crm_mon
    command that shows the same); the other keywords are render_text()'s. Raises
    StatusError when `cib` is not a CIB.
    """
    ws = working_set(cib, now)
    return status_xml(ws, options, Live(local_node, pacemakerd_state, stack, fence_history),
                      request=request)


def status_xml(ws: WorkingSet, options: StatusOptions, live: Live = Live(), *,
               request: str | None = None) -> bytes:
    if request is None:
        request = shlex.join(crm_mon_argv(options.replace(output="xml")))
    unpack_placement(ws)
    root = etree.Element("pacemaker-result", {"api-version": API_VERSION,
                                              "request": request})
    _summary(root, ws, live)
    _nodes(root, ws)
    _resources(root, ws)
    _attributes(root, ws)
    _node_history(root, ws)
    _failures(root, ws)
    if live.fence_history is not None and options.fence_history > 0:
        _fence_history(root, live.fence_history)
    _tickets(root, ws)
    _bans(root, ws, options.neg_locations or "")
    etree.SubElement(root, "status", code="0", message="OK")
    return etree.tostring(root, pretty_print=True, encoding="UTF-8")


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _list(root, tag: str, items: list):
    """The element that lists `items`, or None when there are none: crm_mon leaves an
    empty list out (and the caller's loop over no items never touches the None)."""
    return etree.SubElement(root, tag) if items else None


def _add(parent, tag: str, attrs: list[tuple[str, str | None]]):
    """A child element with the attributes whose value is not None, in order."""
    el = etree.SubElement(parent, tag)
    for name, value in attrs:
        if value is not None:
            el.set(name, value)
    return el


# ---- summary and nodes ---------------------------------------------------------------------

def _summary(root, ws: WorkingSet, live: Live):
    summary = summarise(ws, live)
    el = etree.SubElement(root, "summary")
    _add(el, "stack", [("type", summary.stack), ("pacemakerd-state", live.pacemakerd_state)])
    if summary.dc is None:
        _add(el, "current_dc", [("present", "false")])
    else:
        _add(el, "current_dc", [("present", "true"), ("version", summary.dc_version or ""),
                                ("name", summary.dc.name), ("id", summary.dc.id),
                                ("with_quorum", _bool(summary.quorate)),
                                ("mixed_version", _bool(summary.mixed_version))])
    _add(el, "last_update", [("time", ctime_text(ws.now)), ("origin", live.local_node)])
    change = summary.last_change
    _add(el, "last_change", [("time", change.written or ""), ("user", change.user or ""),
                             ("client", change.client or ""), ("origin", change.origin or "")])
    _add(el, "nodes_configured", [("number", str(summary.nodes))])
    _add(el, "resources_configured", [("number", str(summary.instances)),
                                      ("disabled", str(summary.disabled)),
                                      ("blocked", str(summary.blocked))])
    _add(el, "cluster_options", cluster_options(ws))


def _health_text(health: int) -> str:
    return "red" if health < 0 else ("yellow" if health == 0 else "green")


def _nodes(root, ws: WorkingSet) -> None:
    el = etree.SubElement(root, "nodes")
    for node in ws.nodes:
        _add(el, "node", [
            ("name", node.name), ("id", node.id), ("online", _bool(node.online)),
            ("standby", _bool(node.standby)), ("standby_onfail", _bool(node.fail_standby)),
            ("maintenance", _bool(node.maintenance)), ("pending", _bool(node.pending)),
            ("unclean", _bool(node.unclean)), ("health", _health_text(node_health(ws, node))),
            ("feature_set", node_feature_set(node)), ("shutdown", _bool(node.shutdown)),
            ("expected_up", _bool(node.expected_up)), ("is_dc", _bool(node.is_dc)),
            ("resources_running", str(len(node.running))),
            ("type", "remote" if node.kind == "remote" else "member")])


# ---- resources ----------------------------------------------------------------------------------

def _resources(root, ws: WorkingSet) -> None:
    el = etree.SubElement(root, "resources")
    for rsc in ws.resources:
        if rsc.removed and not is_active(rsc, every_member=True):
            continue
        _resource(el, ws, rsc)


def _resource(parent, ws: WorkingSet, rsc: Resource) -> None:
    if rsc.variant == m.PRIMITIVE:
        _primitive(parent, rsc)
    elif rsc.variant == m.GROUP:
        el = _add(parent, "group", [("id", rsc.id), ("number_resources", str(len(rsc.children))),
                                    ("managed", _bool(rsc.managed)),
                                    ("disabled", _bool(is_disabled(rsc)))])
        for child in rsc.children:
            _resource(el, ws, child)
    else:
        el = _add(parent, "clone", [
            ("id", rsc.id), ("multi_state", _bool(rsc.promotable)), ("unique", _bool(rsc.unique)),
            ("managed", _bool(rsc.managed)), ("disabled", _bool(is_disabled(rsc))),
            ("failed", _bool(rsc.failed)), ("failure_ignored", _bool(rsc.failure_ignored)),
            ("target_role", _configured_role(rsc))])
        for child in rsc.children:
            _resource(el, ws, child)


def _configured_role(rsc: Resource) -> str | None:
    """A clone's target-role, or its first instance's."""
    role = rsc.meta.get("target-role")
    if role is None and rsc.children:
        role = rsc.children[0].meta.get("target-role")
    return role


def _role_text(rsc: Resource) -> str:
    if rsc.pending_task in _PENDING_STATE:
        return _PENDING_STATE[rsc.pending_task]
    role = rsc.role
    if role.text == "Started" and rsc.top().promotable:
        return "Unpromoted"
    return role.text


def _primitive(parent, rsc: Resource) -> None:
    standard = rsc.standard or "unknown"
    provider = f"{rsc.provider}:" if rsc.provider else ""
    agent = f"{standard}:{provider}{rsc.agent or 'unknown'}"
    el = _add(parent, "resource", [
        ("id", printable_id(rsc)), ("resource_agent", agent), ("role", _role_text(rsc)),
        ("target_role", rsc.meta.get("target-role")), ("active", _bool(is_active(rsc))),
        ("orphaned", _bool(rsc.removed)), ("blocked", _bool(rsc.blocked)),
        ("managed", _bool(rsc.managed)), ("failed", _bool(rsc.failed)),
        ("failure_ignored", _bool(rsc.failure_ignored)),
        ("nodes_running_on", str(len(rsc.running_on))),
        ("pending", _PENDING_ACTION.get(rsc.pending_task or "")),
        ("locked_to", rsc.lock_node.name if rsc.lock_node is not None else None)])
    for node in rsc.running_on:
        _add(el, "node", [("name", node.name), ("id", node.id), ("cached", _bool(node.online))])


# ---- below the resources ------------------------------------------------------------------------

def _attributes(root, ws: WorkingSet) -> None:
    found = records.node_attributes(ws)
    el = _list(root, "node_attributes", found)
    for node, attributes in found:
        node_el = _add(el, "node", [("name", node.name)])
        for attribute in attributes:
            _add(node_el, "attribute", [
                ("name", attribute.name), ("value", attribute.value),
                ("expected", str(attribute.expected) if attribute.expected is not None
                 else None)])


def _node_history(root, ws: WorkingSet) -> None:
    histories = records.node_histories(ws, operations=True)
    if histories is None:
        return
    el = etree.SubElement(root, "node_history")
    for node, rows in histories:
        if not rows:
            continue
        node_el = _add(el, "node", [("name", node.name)])
        for row in rows:
            _resource_history(node_el, row)


def _resource_history(parent, row: records.ResourceHistory) -> None:
    if row.rsc is None:
        el = _add(parent, "resource_history", [("id", row.rsc_id), ("orphan", "true")])
    else:
        el = _add(parent, "resource_history", [
            ("id", row.shown_id), ("orphan", "false"),
            ("migration-threshold", str(row.rsc.migration_threshold)),
            ("fail-count", str(row.failcount) if row.failcount > 0 else None),
            ("last-failure", ctime_text(row.last_failure) if row.last_failure > 0 else None)])
    for op in row.ops:
        rc = records.scan_int(op.get("rc-code"), 0)
        interval = op.get("interval")
        changed = epoch_of(op.get("last-rc-change")) or 0
        _add(el, "operation_history", [
            ("call", op.get("call-id")), ("task", records.shown_task(op)), ("rc", str(rc)),
            ("rc_text", exit_text(rc)),
            ("interval", f"{interval}ms" if interval not in (None, "0") else None),
            ("last-rc-change", ctime_text(changed) if changed > 0 else None),
            ("exec-time", f"{op.get('exec-time')}ms" if op.get("exec-time") is not None
             else None),
            ("queue-time", f"{op.get('queue-time')}ms" if op.get("queue-time") is not None
             else None)])


def _failures(root, ws: WorkingSet) -> None:
    actions = records.failed_actions(ws)
    el = _list(root, "failures", actions)
    for action in actions:
        xml_op = action.xml
        key_name = "op_key" if xml_op.get("operation_key") is not None else "id"
        failure = _add(el, "failure", [
            (key_name, action.key), ("node", action.node_name),
            ("exitstatus", exit_text(action.rc)),
            ("exitreason", xml_op.get("exit-reason") if xml_op.get("exit-reason") is not None
             else "none"),
            ("exitcode", str(action.rc)), ("call", xml_op.get("call-id")),
            ("status", exec_status_text(action.status))])
        changed = epoch_of(xml_op.get("last-rc-change")) or 0
        if changed > 0:
            for name, value in (("last-rc-change", iso_text(changed)),
                                ("queued", xml_op.get("queue-time")),
                                ("exec", xml_op.get("exec-time")),
                                ("interval", str(action.interval_ms)),
                                ("task", xml_op.get("operation"))):
                if value is not None:
                    failure.set(name, value)


def _fence_history(root, history: list[FenceEvent]) -> None:
    """Every event, unreduced, at any level but 0: crm_mon's XML shows all sections and
    never reduces the history."""
    el = etree.SubElement(root, "fence_history")
    for event in history:
        status = {fencing.FAILED: "failed", fencing.DONE: "success"}.get(event.state,
                                                                           "pending")
        _add(el, "fence_event", [
            ("action", event.action), ("target", event.target), ("client", event.client),
            ("origin", event.origin), ("status", status),
            ("exit-reason", event.exit_reason if event.state == fencing.FAILED else None),
            ("delegate", event.delegate),
            ("completed", iso_text(event.completed) if event.state != fencing.PENDING
             else None)])


def _tickets(root, ws: WorkingSet) -> None:
    found = records.tickets(ws)
    el = _list(root, "tickets", found)
    for ticket in found:
        _add(el, "ticket", [
            ("id", ticket.id), ("status", "granted" if ticket.granted else "revoked"),
            ("standby", _bool(ticket.standby)),
            ("last-granted", ctime_text(ticket.last_granted)
             if ticket.last_granted is not None else None)])


def _bans(root, ws: WorkingSet, prefix: str) -> None:
    found = records.bans(ws, prefix)
    el = _list(root, "bans", found)
    for ban in found:
        _add(el, "ban", [("id", ban.constraint_id), ("resource", ban.rsc.id),
                         ("node", ban.node.name), ("weight", str(ban.score)),
                         ("promoted-only", _bool(ban.promoted_only)),
                         ("master_only", _bool(ban.promoted_only))])
