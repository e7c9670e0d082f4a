"""What crm_mon lists below the resources, as plain records for the text and XML writers:
node attributes, each node's resource history (fail counts or operations), failed actions,
tickets and negative location constraints.

Each follows the crm_mon function that gathers it (node-attribute-list, node-summary,
failed-action-list, ticket-list, ban-list), including what it leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from daemon.scheduler import failcounts
from daemon.scheduler.constraints import unpack_constraints
from daemon.scheduler.glib_sort import merge_sort
from daemon.scheduler.history_entry import is_newer, mask_probe_failure
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.node_names import name_key
from daemon.scheduler.params import rsc_params
from daemon.scheduler.roles import Role
from daemon.scheduler.tickets import Ticket
from daemon.scheduler.status_view import printable_id
from daemon.scheduler.working_set import WorkingSet
from daemon.status.ghash import hash_order
from daemon.status.results import history_key, parse_op_key, scan_int

# Node attributes crm_mon never shows (prefixes).
_HIDDEN_ATTRIBUTES = ("fail-count-", "last-failure-", "shutdown", "terminate", "standby", "#")
_PING_AGENTS = ("ping", "pingd")


# ---- node attributes ------------------------------------------------------------------

@dataclass(frozen=True)
class Attribute:
    name: str
    value: str | None
    expected: int | None = None     # ping connectivity: the score when every host answers


def node_attributes(ws: WorkingSet) -> list[tuple[Node, list[Attribute]]]:
    """Online nodes with attributes to show, each with its sorted attributes."""
    out = []
    for node in ws.nodes:
        if not node.online:
            continue
        names = sorted(name for name in node.attrs if not name.startswith(_HIDDEN_ATTRIBUTES))
        if names:
            out.append((node, [Attribute(name, node.attrs.get(name),
                                         _ping_expected(ws, node, name)) for name in names]))
    return out


def _ping_expected(ws: WorkingSet, node: Node, attribute: str) -> int | None:
    """The full score of the ping resource on `node` that sets `attribute`, if any."""
    for rsc in _with_children(node.running):
        if (rsc.agent or "").lower() not in _PING_AGENTS:
            continue
        params = rsc_params(ws, rsc, node)
        if (params.get("name") or "pingd").lower() != attribute.lower():
            continue
        hosts = params.get("host_list")
        count = len(hosts.split(" ")) if hosts else 0
        multiplier = params.get("multiplier")
        return count * (scan_int(multiplier, 1) if multiplier is not None else 1)
    return None


def _with_children(resources: list[Resource]) -> list[Resource]:
    out: list[Resource] = []
    for rsc in resources:
        out += _with_children(rsc.children)
        out.append(rsc)
    return out


# ---- resource history per node ----------------------------------------------------------

@dataclass
class ResourceHistory:
    """One lrm_resource of a node: its fail count and (with operations) its shown ops."""

    rsc_id: str                  # as the history names it
    rsc: Resource | None         # the configured resource it belongs to (None: orphan)
    failcount: int
    last_failure: int
    ops: list = field(default_factory=list)

    @property
    def shown_id(self) -> str:
        """The id an operations list heads with (an anonymous instance's configured id)."""
        return printable_id(self.rsc) if self.rsc is not None else self.rsc_id


def resource_index(ws: WorkingSet) -> dict[str, Resource]:
    """pe_find_resource(): every resource by id and by the history name it was matched
    under, the first in configuration order winning."""
    index: dict[str, Resource] = {}

    def walk(rsc: Resource) -> None:
        index.setdefault(rsc.id, rsc)
        if rsc.history_id is not None:
            index.setdefault(rsc.history_id, rsc)
        for child in rsc.children:
            walk(child)

    for rsc in ws.resources:
        walk(rsc)
    return index


def node_histories(ws: WorkingSet, operations: bool
                   ) -> list[tuple[Node, list[ResourceHistory]]] | None:
    """Per online node with a node_state (status order): the resources it has history for,
    with a fail count (failcounts) or operations to show. None when no online node has a
    node_state, in which case crm_mon prints no heading either."""
    status = ws.cib.find("status")
    if status is None:
        return None
    index = resource_index(ws)
    out = None
    for state in status.iterfind("node_state"):
        node = ws.node_by_id.get(state.get("id") or "")
        if node is None or not node.online:
            continue
        if out is None:
            out = []
        rows = []
        for entry in state.iterfind("lrm/lrm_resources/lrm_resource"):
            row = _resource_history(ws, node, entry, index, operations)
            if row is not None:
                rows.append(row)
        out.append((node, rows))
    return out


def _resource_history(ws: WorkingSet, node: Node, entry, index, operations: bool
                      ) -> ResourceHistory | None:
    rsc_id = entry.get("id") or ""
    rsc = index.get(rsc_id)
    count, last = failcounts.get_failcount(ws, node, rsc) if rsc is not None else (0, 0)
    row = ResourceHistory(rsc_id, rsc, count, last)
    if not operations:
        return row if count > 0 else None
    row.ops = operation_list(entry)
    return row if row.ops else None


def operation_list(entry) -> list:
    """An lrm_resource's operations crm_mon shows: not notifications, not probes that found
    the resource stopped, oldest first."""
    ops = []
    for op in entry.iterfind("lrm_rsc_op"):
        task = op.get("operation")
        if task == "notify":
            continue
        if _is_probe(op) and scan_int(op.get("rc-code"), 0) == 7:
            continue
        ops.append(op)
    return merge_sort(ops, lambda a, b: is_newer(a, b, True))


def _is_probe(op) -> bool:
    return (op.get("operation") or "").lower() == "monitor" and op.get("interval", "0") == "0"


def shown_task(op) -> str:
    return "probe" if _is_probe(op) else (op.get("operation") or "")


# ---- failed actions -------------------------------------------------------------------

@dataclass(frozen=True)
class FailedAction:
    xml: object        # the lrm_rsc_op
    node_name: str
    key: str
    rsc_id: str
    task: str
    interval_ms: int
    rc: int
    status: int


def failed_actions(ws: WorkingSet) -> list[FailedAction]:
    """The failures unpacking recorded, without masked probe failures (not installed)."""
    out = []
    for node_name, _, entry in ws.failed_ops:
        xml_op = entry.xml
        if mask_probe_failure(xml_op):
            continue
        key = history_key(xml_op) or ""
        parsed = parse_op_key(key)
        if parsed is None:
            continue
        rsc_id, task, interval_ms = parsed
        out.append(FailedAction(xml_op, node_name or "unknown node", key, rsc_id, task,
                                interval_ms, scan_int(xml_op.get("rc-code"), 0),
                                scan_int(xml_op.get("op-status"), 0)))
    return out


# ---- tickets and bans ---------------------------------------------------------------------

def tickets(ws: WorkingSet) -> list[Ticket]:
    """Tickets with a state in the status section, then those constraints name, in the
    order of Pacemaker's ticket table (ghash)."""
    found: dict[str, Ticket] = {}
    status = ws.cib.find("status")
    if status is not None:
        for state in status.iterfind("tickets/ticket_state"):
            ticket_id = state.get("id")
            if not ticket_id or ticket_id in found:
                continue
            ticket = Ticket(ticket_id)
            ticket.granted = _true(state.get("granted"))
            ticket.standby = _true(state.get("standby"))
            if state.get("last-granted") is not None:
                ticket.last_granted = scan_int(state.get("last-granted"), 0)
            found[ticket_id] = ticket
    for constraint in ws.cib.iterfind("configuration/constraints/rsc_ticket"):
        ticket_id = constraint.get("ticket")
        if ticket_id and ticket_id not in found:
            found[ticket_id] = Ticket(ticket_id)
    return [found[ticket_id] for ticket_id in hash_order(found)]


def _true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("true", "on", "yes", "y", "1")


@dataclass(frozen=True)
class Ban:
    constraint_id: str
    rsc: Resource
    node: Node
    score: int
    promoted_only: bool


def unpack_placement(ws: WorkingSet) -> None:
    """Unpack the constraints, as crm_mon does before it shows tickets or bans (which also
    settles each clone's allowed nodes, shown in its Stopped list)."""
    config = ws.cib.find("configuration")
    unpack_constraints(ws, config.find("constraints") if config is not None else None)


def _location_node_order(ws: WorkingSet, location) -> list:
    """A location's nodes in the order Pacemaker lists them: a rule joined by "or" adds
    matching nodes in node order; any other location starts from the node list copied
    back to front."""
    ordered = sorted(location.nodes, key=lambda pair: name_key(pair[0].name))
    rule = ws.lookup_id(location.id)
    if rule is not None and rule.tag == "rule" and (rule.get("boolean-op") or "and") == "or":
        return ordered
    return ordered[::-1]


def bans(ws: WorkingSet, prefix: str = "") -> list[Ban]:
    """Negative location preferences (placement constraints must have been unpacked)."""
    out = []
    for location in reversed(ws.locations):     # Pacemaker prepends each to its list
        if prefix and not location.id.startswith(prefix):
            continue
        for node, score in _location_node_order(ws, location):
            if score < 0:
                out.append(Ban(location.id, location.rsc, node, score,
                               location.role_filter == Role.PROMOTED))
    return out
