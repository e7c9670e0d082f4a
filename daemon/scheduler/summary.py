"""The Transition Summary: one line per primitive change and per fencing, in Pacemaker's form.

`summary_lines()` reproduces crm_simulate's block line for line, including the column
padding (which grows as longer names are printed, as Pacemaker's does).
"""

from __future__ import annotations

from daemon.records import record
from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler.assign import current_node
from daemon.scheduler.model import Action, Node, Resource
from daemon.scheduler.roles import Role
from daemon.scheduler.working_set import WorkingSet


@record(frozen=True)
class SummaryItem:
    """One Transition Summary line, parsed into its parts."""

    change: str            # Start, Stop, Move, Recover, Restart, Promote, Demote, Fence ...
    resource: str | None   # primitive id (None for fencing)
    details: str           # the text between the parentheses (or the node for fencing)
    reason: str | None     # "due to ..." / "blocked" / fencing reason


class _Widths:
    def __init__(self) -> None:
        self.rsc = 5
        self.detail = 5


def _first(actions: list[Action]) -> Action | None:
    return actions[0] if actions else None


def _item(items: list, widths: _Widths, change: str, rsc: Resource, origin: Node | None,
          destination: Node | None, action: Action | None, source: Action | None) -> None:
    if source is None:
        source = action
    if len(rsc.id) > widths.rsc:
        widths.rsc = len(rsc.id) + 2
    need_role = rsc.role > Role.STARTED or rsc.next_role > Role.UNPROMOTED
    same_host = origin is not None and destination is not None and origin is destination
    same_role = rsc.role == rsc.next_role
    role, next_role = rsc.role.text, rsc.next_role.text
    if need_role and origin is None:
        details = f"{role} -> {next_role} {destination.name}"
    elif origin is None:
        details = destination.name
    elif need_role and destination is None:
        details = f"{role} {origin.name}"
    elif destination is None:
        details = origin.name
    elif need_role and same_role and same_host:
        details = f"{role} {origin.name}"
    elif same_role and same_host:
        details = origin.name
    elif need_role and same_role:
        details = f"{origin.name} -> {destination.name} {role}"
    elif same_role:
        details = f"{origin.name} -> {destination.name}"
    elif same_host:
        details = f"{role} -> {next_role} {origin.name}"
    else:
        details = f"{role} {origin.name} -> {next_role} {destination.name}"
    if len(details) > widths.detail:
        widths.detail = len(details)
    runnable = action is None or bool(action.flags & m.RUNNABLE)
    source_reason = source.reason if source is not None else None
    if source_reason and not runnable:
        reason = f"due to {source_reason} (blocked)"
    elif source_reason:
        reason = f"due to {source_reason}"
    elif not runnable:
        reason = "blocked"
    else:
        reason = None
    items.append((SummaryItem(change, rsc.id, details, reason), widths.rsc, widths.detail))


def _rsc_action(items: list, widths: _Widths, rsc: Resource, current: Node | None,
                nxt: Node | None) -> None:
    if not rsc.managed or (current is None and nxt is None):
        return
    moving = current is not None and nxt is not None and current is not nxt
    start = _first(act.resource_actions(rsc, nxt, "start"))
    start_node = current if (start is not None and start.flags & m.RUNNABLE) else None
    stop = _first(act.resource_actions(rsc, start_node, "stop"))
    promote = _first(act.resource_actions(rsc, nxt, "promote"))
    demote = _first(act.resource_actions(rsc, nxt, "demote"))
    if rsc.role == rsc.next_role:
        if nxt is None:
            return
        migrate = _first(act.resource_actions(rsc, nxt, "migrate_from"))
        if migrate is not None and current is not None and migrate.flags & m.RUNNABLE:
            _item(items, widths, "Migrate", rsc, current, nxt, start, None)
        elif rsc.reload:
            _item(items, widths, "Reload", rsc, current, nxt, start, None)
        elif start is None or (start.flags & m.OPTIONAL):
            if demote is not None and promote is not None \
                    and not (demote.flags & m.OPTIONAL) and not (promote.flags & m.OPTIONAL):
                _item(items, widths, "Re-promote", rsc, current, nxt, promote, demote)
        elif not (start.flags & m.RUNNABLE):
            _item(items, widths, "Stop", rsc, current, None, stop,
                  stop if (stop is not None and stop.reason) else start)
        elif moving and current is not None:
            _item(items, widths, "Recover" if rsc.failed else "Move", rsc, current, nxt,
                  stop, None)
        elif rsc.failed:
            _item(items, widths, "Recover", rsc, current, None, stop, None)
        else:
            _item(items, widths, "Restart", rsc, current, nxt, start, None)
        return
    if stop is not None and (rsc.next_role == Role.STOPPED
                             or (start is not None and not (start.flags & m.RUNNABLE))):
        key = act.op_key(rsc.id, "stop")
        for node in list(rsc.running_on):
            stop_op = _first(act.find_actions(rsc, key, node))
            _item(items, widths, "Stop", rsc, node, None, stop_op,
                  stop_op if (stop_op is not None and stop_op.reason) else start)
    elif stop is not None and rsc.failed and rsc.stop_if_failed:
        _item(items, widths, "Recover", rsc, current, nxt, stop, start)
    elif moving:
        _item(items, widths, "Move", rsc, current, nxt, stop, None)
    elif rsc.reload:
        _item(items, widths, "Reload", rsc, current, nxt, start, None)
    elif stop is not None and not (stop.flags & m.OPTIONAL):
        _item(items, widths, "Restart", rsc, current, nxt, start, None)
    elif rsc.role == Role.PROMOTED:
        _item(items, widths, "Demote", rsc, current, nxt, demote, None)
    elif rsc.next_role == Role.PROMOTED:
        _item(items, widths, "Promote", rsc, current, nxt, promote, None)
    elif rsc.role == Role.STOPPED and rsc.next_role > Role.STOPPED:
        _item(items, widths, "Start", rsc, current, nxt, start, None)


def _output_resource(items: list, widths: _Widths, rsc: Resource) -> None:
    if rsc.children:
        for child in rsc.children:
            _output_resource(items, widths, child)
        return
    nxt = rsc.assigned_to
    current = None
    if rsc.running_on:
        current = current_node(rsc)
        if rsc.role == Role.STOPPED:
            rsc.role = Role.STARTED
    if current is None and rsc.removed:
        return
    _rsc_action(items, widths, rsc, current, nxt)


def summary_items(ws: WorkingSet) -> list[tuple[SummaryItem, int, int]]:
    items: list = []
    for action in reversed(ws.actions):
        if action.rsc is not None or (action.flags & m.OPTIONAL):
            continue
        if action.task == "stonith":
            op = action.meta.get("stonith_action")
            name = action.node.name
            connection = action.node.remote_rsc
            if connection is not None and connection.launcher is not None:
                name = f"{name} (resource: {connection.launcher.id})"     # a guest node
            items.append((SummaryItem(f"Fence ({op})", None, name, action.reason), 0, 0))
    widths = _Widths()
    for rsc in ws.resources:
        _output_resource(items, widths, rsc)
    return items


def format_items(items: list[tuple[SummaryItem, int, int]]) -> list[str]:
    """Render as crm_simulate does: '  * Start      rsc1     ( node1 )  due to ...'.

    Pacemaker's column widths only grow and it works the summary out twice (logging, then
    output), so every printed line is padded to the widest values of the whole summary."""
    lines = []
    rsc_width = max((w for _, w, _ in items), default=5)
    detail_width = max((w for _, _, w in items), default=5)
    for item, _, _ in items:
        if item.resource is None:
            if item.reason is not None:
                lines.append(f"  * {item.change} {item.details} '{item.reason}'")
            continue
        tail = f"  {item.reason}" if item.reason else ""
        lines.append(f"  * {item.change:<8}   {item.resource:<{rsc_width}}   "
                     f"( {item.details:>{detail_width}} ){tail}")
    return lines
