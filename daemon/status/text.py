"""The cluster status in crm_mon's text format (`crm status`, `crm_mon -1`).

Sections come in crm_mon's order, separated by one blank line, each a list whose items are
"* " lines indented two spaces per level:

    Cluster Summary / Node List / resources / Node Attributes / Migration Summary or
    Operations / Failed Resource Actions / Failed Fencing Actions / Tickets /
    Negative Location Constraints / fencing history
"""

from __future__ import annotations

from daemon.scheduler import model as m
from daemon.scheduler.model import Node
from daemon.scheduler.node_names import name_key
from daemon.scheduler.status_view import (Show, brief_lines, display_name, is_active,
                                          node_line, node_list, primitive_text,
                                          resource_lines)
from daemon.scheduler.working_set import WorkingSet
from daemon.status import fencing, records
from daemon.status.fencing import FenceEvent
from daemon.status.load import working_set
from daemon.status.options import StatusOptions
from daemon.status.records import unpack_placement
from daemon.status.results import EXEC_DONE, exec_status_text, exit_text, readable_action
from daemon.status.summary import PACEMAKERD_STATES, Live, summarise
from daemon.status.timefmt import ctime_text, epoch_of, readable_interval

_MAINTENANCE_BANNER = ["", "              *** Resource management is DISABLED ***",
                       "  The cluster will not attempt to start, stop or recover services"]
_STOP_ALL_BANNER = ["", "    *** Resource management is DISABLED ***",
                    "  The cluster will keep all resources stopped"]


def render_text(cib, *, now: float, options: StatusOptions = StatusOptions(),
                local_node: str | None = None, pacemakerd_state: str | None = None,
                stack: str | None = None,
                fence_history: list[FenceEvent] | None = None) -> list[str]:
    """crm_mon's text for a CIB (the <cib> element, or XML text) at Unix time `now`.

    The keywords are what a live cluster adds (summary.Live); without them the text is
    `CIB_file=... crm_mon`'s. StatusError says where `cib` is not a CIB.
    """
    ws = working_set(cib, now)
    return status_lines(ws, options, Live(local_node, pacemakerd_state, stack, fence_history))


def show_for(options: StatusOptions, **extra) -> Show:
    """crm_mon 2.1 always shows pending actions, in its words; -R adds node ids, feature
    sets and every clone instance."""
    return Show(pending=True, node_id=options.detail, feature_set=options.detail,
                clone_detail=options.detail, inactive=options.inactive, pacemaker_2_1=True,
                probe_words=exit_text, brief=options.brief, **extra)


def status_lines(ws: WorkingSet, options: StatusOptions, live: Live = Live()) -> list[str]:
    """The text for an unpacked working set (one section after another)."""
    show = show_for(options)
    if options.tickets or options.neg_locations is not None:
        unpack_placement(ws)
    sections: list[list[str]] = []
    sections.append(_summary(ws, options, show, live))
    sections.append(_nodes(ws, options, show))
    sections.append(_resources(ws, options, show))
    if options.node_attributes:
        sections.append(_attributes(ws, show))
    if options.failcounts or options.show_operations:
        sections.append(_node_histories(ws, options, show))
    sections.append(_failures(ws, options))
    history = live.fence_history if options.fence_history > 0 else None
    if history is not None:
        sections.append(_fencing(history, fencing.FAILED, "Failed Fencing Actions", options))
    if options.tickets:
        sections.append(_tickets(ws))
    if options.neg_locations is not None:
        sections.append(_bans(ws, options.neg_locations, show))
    if history is not None:
        if options.fence_history >= 2:
            sections.append(_fencing(history, None, "Fencing History", options))
        else:
            sections.append(_fencing(history, fencing.PENDING, "Pending Fencing Actions",
                                     options))
    lines: list[str] = []
    for section in sections:
        if not section:
            continue
        if lines and section[0] != "":
            lines.append("")
        lines += section
    return lines


def _item(depth: int, text: str) -> str:
    return "  " * depth + "* " + text


# ---- summary ------------------------------------------------------------------------------

def _summary(ws: WorkingSet, options: StatusOptions, show: Show, live: Live) -> list[str]:
    """The summary; -D leaves out all of it (the management banners too) but a missing
    DC, which crm_mon always shows."""
    summary = summarise(ws, live)
    stack = summary.stack
    if live.pacemakerd_state is not None:
        state = PACEMAKERD_STATES.get(live.pacemakerd_state, "Invalid pacemakerd state")
        stack += f" ({state})"
    if summary.dc is None:
        dc = "NONE"
    else:
        dc = (f"{display_name(summary.dc, show)} (version "
              f"{summary.dc_version if summary.dc_version is not None else 'unknown'}) - "
              f"{'MIXED-VERSION ' if summary.mixed_version else ''}partition "
              f"{'with' if summary.quorate else 'WITHOUT'} quorum")
    updated = ctime_text(ws.now) + (f" on {live.local_node}" if live.local_node else "")
    headers = not options.hide_headers
    items = [f"Stack: {stack}"] if headers else []
    if headers or summary.dc is None:
        items.append(f"Current DC: {dc}")
    if headers and not options.quiet:       # -Q drops the times section
        items += [f"Last updated: {updated}", f"Last change:  {summary.last_change.text()}"]
    if headers:
        items += [f"{summary.nodes} node{_plural(summary.nodes)} configured",
                  _instances(summary.instances, summary.disabled, summary.blocked)]
    lines = ["Cluster Summary:"] + [_item(1, item) for item in items] if items else []
    if headers and ws.options.maintenance_mode:
        lines += _MAINTENANCE_BANNER
    elif headers and ws.options.stop_all:
        lines += _STOP_ALL_BANNER
    return lines


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _instances(total: int, disabled: int, blocked: int) -> str:
    text = f"{total} resource instance{_plural(total)} configured"
    blocked_text = f"{blocked} BLOCKED from further action due to failure"
    if disabled and blocked:
        return f"{text} ({disabled} DISABLED, {blocked_text})"
    if disabled:
        return f"{text} ({disabled} DISABLED)"
    if blocked:
        return f"{text} ({blocked_text})"
    return text


# ---- nodes and resources ----------------------------------------------------------------------

def _sorted_nodes(ws: WorkingSet) -> list[Node]:
    return sorted(ws.nodes, key=lambda n: name_key(n.name))


def _nodes(ws: WorkingSet, options: StatusOptions, show: Show) -> list[str]:
    if not ws.nodes:
        return []
    lines = ["Node List:"]
    if not options.group_by_node:
        return lines + [_item(1, text) for text in node_list(ws, show)]
    by_node = show_for(options, rsc_only=True)
    for node in _sorted_nodes(ws):
        if options.brief:       # nodes running nothing are left out
            if node.running:
                lines += [_item(1, node_line(ws, node, show) + ":"), _item(2, "Resources:")]
                lines += brief_lines(node.running, 3, inactive=False, rsc_only=True)
            continue
        lines += [_item(1, node_line(ws, node, show) + ":"), _item(2, "Resources:")]
        lines += [_item(3, primitive_text(ws, rsc, show=by_node)) for rsc in node.running]
    return lines


def _resources(ws: WorkingSet, options: StatusOptions, show: Show) -> list[str]:
    if options.group_by_node and not options.inactive:
        return []
    if options.group_by_node:
        heading, empty = "Inactive Resources:", "No inactive resources"
    elif options.inactive:
        heading, empty = "Full List of Resources:", "No resources"
    else:
        heading, empty = "Active Resources:", "No active resources"
    body: list[str] = []
    if options.brief and not options.group_by_node:     # primitives counted up front
        body += brief_lines(ws.resources, 1, inactive=options.inactive)
    for rsc in ws.resources:
        active = is_active(rsc, every_member=True)
        if rsc.removed and not active:
            continue
        if options.group_by_node:
            if active:
                continue
        elif options.brief and rsc.variant == m.PRIMITIVE:
            continue
        elif not options.inactive and not is_active(rsc):
            continue
        body += resource_lines(ws, rsc, 1, show)
    return [heading] + (body or [_item(1, empty)])


# ---- below the resources ------------------------------------------------------------------------

def _attributes(ws: WorkingSet, show: Show) -> list[str]:
    lines: list[str] = []
    for node, attributes in records.node_attributes(ws):
        lines.append(_item(1, f"Node: {display_name(node, show)}:"))
        for attribute in attributes:
            lines.append(_item(2, _attribute_text(attribute)))
    return (["Node Attributes:"] + lines) if lines else []


def _attribute_text(attribute: records.Attribute) -> str:
    value = attribute.value if attribute.value is not None else "(null)"
    text = f"{attribute.name:<32}\t: {value:<10}"
    if attribute.expected is None:
        return text
    score = records.scan_int(attribute.value, 0) if attribute.value is not None else 0
    if score <= 0:
        return text + "\t: Connectivity is lost"
    if score < attribute.expected:
        return text + f"\t: Connectivity is degraded (Expected={attribute.expected})"
    return text


def _node_histories(ws: WorkingSet, options: StatusOptions, show: Show) -> list[str]:
    operations = options.show_operations
    histories = records.node_histories(ws, operations)
    if histories is None:
        return []
    lines = ["Operations:" if operations else "Migration Summary:"]
    for node, rows in histories:
        if not rows:
            continue
        lines.append(_item(1, f"Node: {display_name(node, show)}:"))
        for row in rows:
            if not operations:
                lines.append(_item(2, _history_heading(row, row.rsc_id, all_fields=False)))
                continue
            lines.append(_item(2, _history_heading(row, row.shown_id, all_fields=True) + ":"))
            lines += [_item(3, _op_text(op, options.timing)) for op in row.ops]
    return lines


def _history_heading(row: records.ResourceHistory, rsc_id: str, *, all_fields: bool) -> str:
    if row.rsc is None:
        return f"{rsc_id}: orphan"
    if not (all_fields or row.failcount or row.last_failure > 0):
        return f"{rsc_id}:"
    text = f"{rsc_id}: migration-threshold={row.rsc.migration_threshold}"
    if row.failcount > 0:
        text += f" fail-count={row.failcount}"
    if row.last_failure > 0:
        text += f" last-failure='{ctime_text(row.last_failure)}'"
    return text


def _op_text(op, timing: bool) -> str:
    interval = op.get("interval")
    interval_text = (f' interval="{interval}ms"'
                     if interval is not None and interval != "0" else "")
    head = f"({op.get('call-id')}) {records.shown_task(op)}"
    if not timing:
        return head + (":" + interval_text if interval_text else "")
    text = head + ":" + interval_text
    changed = epoch_of(op.get("last-rc-change"))
    if changed is not None and changed > 0:
        text += f' last-rc-change="{ctime_text(changed)}"'
    for name in ("exec-time", "queue-time"):
        if op.get(name) is not None:
            text += f' {name}="{op.get(name)}ms"'
    rc = records.scan_int(op.get("rc-code"), 0)
    return text + f" rc={rc} ({exit_text(rc)})"


def _failures(ws: WorkingSet, options: StatusOptions) -> list[str]:
    actions = records.failed_actions(ws)
    if not ws.failed_ops:
        return []
    lines = [_item(1, _technical_failure(a) if options.detail else _friendly_failure(a))
             for a in actions]
    return (["Failed Resource Actions:"] + lines) if lines else []


def _friendly_failure(action: records.FailedAction) -> str:
    xml_op = action.xml
    reason = xml_op.get("exit-reason") or ""
    text = f"{action.rsc_id} "
    if action.interval_ms:
        text += f"{readable_interval(action.interval_ms)}-interval "
    text += f"{readable_action(action.task, action.interval_ms)} on {action.node_name}"
    if action.status == EXEC_DONE:
        text += f" returned '{exit_text(action.rc)}'" + (f" ({reason})" if reason else "")
    else:
        text += (f" could not be executed ({exec_status_text(action.status)}"
                 + (f": {reason}" if reason else "") + ")")
    changed = epoch_of(xml_op.get("last-rc-change"))
    if changed is not None:
        text += f" at {ctime_text(changed)}"
    exec_ms = records.scan_int(xml_op.get("exec-time"), 0)
    if exec_ms > 0:
        text += f" after {readable_interval(exec_ms)}"
    return text


def _technical_failure(action: records.FailedAction) -> str:
    xml_op = action.xml
    text = (f"{action.key or 'unknown operation'} on {action.node_name} "
            f"'{exit_text(action.rc)}' ({action.rc}): call={xml_op.get('call-id') or 'unknown'}"
            f", status='{exec_status_text(action.status)}'")
    if xml_op.get("exit-reason"):
        text += f", exitreason='{xml_op.get('exit-reason')}'"
    changed = epoch_of(xml_op.get("last-rc-change"))
    if changed is not None:
        text += f", last-rc-change='{ctime_text(changed)}'"
    if xml_op.get("queue-time"):
        text += f", queued={xml_op.get('queue-time')}ms"
    if xml_op.get("exec-time"):
        text += f", exec={xml_op.get('exec-time')}ms"
    return text


def _tickets(ws: WorkingSet) -> list[str]:
    found = records.tickets(ws)
    if not found:
        return []
    lines = ["Tickets:"]
    for ticket in found:
        text = f"{ticket.id}: {'granted' if ticket.granted else 'revoked'}"
        if ticket.standby:
            text += " [standby]"
        if ticket.last_granted is not None:
            text += f' last-granted="{ctime_text(ticket.last_granted)}"'
        lines.append(_item(1, text))
    return lines


def _bans(ws: WorkingSet, prefix: str, show: Show) -> list[str]:
    lines = [_item(1, f"{ban.constraint_id}\tprevents {ban.rsc.id} from running "
                      f"{'in Promoted role ' if ban.promoted_only else ''}on "
                      f"{display_name(ban.node, show)}")
             for ban in records.bans(ws, prefix)]
    return (["Negative Location Constraints:"] + lines) if lines else []


def _fencing(history: list[FenceEvent], state: str | None, heading: str,
             options: StatusOptions) -> list[str]:
    """One fencing section: failed events, pending events (until the first completed one),
    or every event but failures. Levels 2 and 3 are the same in crm_mon 2.1 (every event,
    worded as full history); level 1 keeps the newest event of each kind ("last ...")."""
    full = options.fence_history >= 2
    events = history if full else fencing.reduce_history(history)
    chosen = []
    for event in events:
        if state == fencing.PENDING:
            if event.state != fencing.PENDING:
                break
            chosen.append(event)
        elif state == fencing.FAILED:
            if event.state == fencing.FAILED:
                chosen.append(event)
        elif event.state != fencing.FAILED:
            chosen.append(event)
    lines = [_item(1, fencing.description(event, history, full=full, technical=options.detail))
             for event in chosen]
    return ([heading + ":"] + lines) if lines else []
