"""Multi-site tickets: ticket states from the status section and rsc_ticket constraints.

A resource that depends on a ticket may run (or, with rsc-role=Promoted, be promoted) only
while the ticket is granted and not in standby. When a ticket is revoked while the resource
is active, the constraint's loss-policy says what happens (Pacemaker's pcmk_sched_tickets.c):

- stop (the default, and what fence falls back to without fencing): banned from every node;
- demote (the default with rsc-role=Promoted): the promoted instances are demoted (promotion
  is banned in `require_promotion_tickets()`); without a Promoted role, as stop;
- fence: banned, and the nodes it is active on fenced ('deadman ticket was lost');
- freeze: left as it is (unmanaged and blocked while active).

Only the rsc-role of the constraint filters fence and freeze: they apply to the resources
whose current role is that role (or to any role when none is given).
"""

from __future__ import annotations

from daemon.records import record
from daemon.scheduler import rules, scores
from daemon.scheduler.cluster_options import is_true
from daemon.scheduler.model import Resource
from daemon.scheduler.roles import Role, parse_role
from daemon.scheduler.working_set import WorkingSet

STOP, DEMOTE, FENCE, FREEZE = "stop", "demote", "fence", "freeze"


@record
class Ticket:
    id: str
    granted: bool = False
    standby: bool = False
    last_granted: int | None = None

    @property
    def usable(self) -> bool:
        return self.granted and not self.standby


@record
class RscTicket:
    id: str
    rsc: Resource
    ticket: Ticket
    loss_policy: str
    role: Role          # Role.UNKNOWN: any role


def _tickets(ws: WorkingSet) -> dict[str, Ticket]:
    return ws.tickets


def rsc_tickets(ws: WorkingSet, rsc: Resource) -> list[RscTicket]:
    """The ticket constraints made for a resource itself (not for its ancestors)."""
    return ws.rsc_tickets.get(rsc.id, [])


def unpack_ticket_states(ws: WorkingSet, status) -> None:
    """The status section's <tickets><ticket_state .../></tickets>."""
    table = _tickets(ws)
    if status is None:
        return
    for section in status:
        if section.tag != "tickets":
            continue
        for state in section:
            if state.tag != "ticket_state":
                continue
            tid = state.get("id")
            if not tid:
                ws.warn("ignoring <ticket_state> without id")
                continue
            ticket = table.get(tid)
            if ticket is None:
                ticket = table[tid] = Ticket(tid)
            if state.get("granted") is not None:
                ticket.granted = is_true(state.get("granted"))
            if state.get("standby") is not None:
                ticket.standby = is_true(state.get("standby"))
            last = state.get("last-granted")
            if last is not None:
                try:
                    ticket.last_granted = int(last)
                except ValueError:
                    ws.warn(f"ticket '{tid}': ignoring invalid last-granted '{last}'")


def parse_loss_policy(text: str | None, role: Role, fencing_enabled: bool) -> str:
    value = (text or "").lower()
    if value == FENCE:
        return FENCE if fencing_enabled else STOP
    if value in (FREEZE, DEMOTE, STOP):
        return value
    return DEMOTE if role == Role.PROMOTED else STOP


def _parse_role(text: str | None) -> Role:
    if text is None or text.lower() == "started":
        return Role.UNKNOWN
    return parse_role(text)


def unpack_rsc_ticket(ws: WorkingSet, el) -> None:
    from daemon.scheduler.constraints import (_set_resources, _tag_members,
                                              find_constraint_resource)
    cid = el.get("id")
    ticket_id = el.get("ticket")
    if not ticket_id:
        ws.warn(f"ignoring constraint '{cid}' without ticket")
        return
    table = _tickets(ws)
    ticket = table.get(ticket_id)
    if ticket is None:
        ticket = table[ticket_id] = Ticket(ticket_id)
    policy = el.get("loss-policy")
    sets = [s for s in el if s.tag == "resource_set"]
    if sets:
        for s in sets:
            s = rules.resolve_idref(s, ws.lookup_id)
            if s is None:
                return
            found = _set_resources(ws, s)
            if found is None:
                return
            for rsc in found:
                _new(ws, s.get("id") or cid, rsc, ticket, s.get("role"), policy)
        return
    rsc_id = el.get("rsc")
    if rsc_id is None:
        ws.warn(f"ignoring constraint '{cid}' without resource")
        return
    members = _tag_members(ws, rsc_id)
    if members is not None:
        for member in members:
            rsc = find_constraint_resource(ws, member)
            if rsc is not None:
                _new(ws, cid, rsc, ticket, el.get("rsc-role"), policy)
        return
    rsc = find_constraint_resource(ws, rsc_id)
    if rsc is None:
        ws.warn(f"ignoring constraint '{cid}': resource '{rsc_id}' does not exist")
        return
    _new(ws, cid, rsc, ticket, el.get("rsc-role"), policy)


def _new(ws: WorkingSet, cid: str, rsc: Resource, ticket: Ticket, role_text: str | None,
         policy_text: str | None) -> None:
    role = _parse_role(role_text)
    policy = parse_loss_policy(policy_text, role, ws.options.fencing_enabled)
    if policy_text is not None and policy_text.lower() == FENCE and policy == STOP:
        ws.warn(f"resetting 'loss-policy' for ticket '{ticket.id}' to 'stop' "
                "because fencing is not configured")
    constraint = RscTicket(cid, rsc, ticket, policy, role)
    ws.rsc_tickets.setdefault(rsc.id, []).append(constraint)
    if not ticket.usable:
        _constraints_for_ticket(ws, rsc, constraint)


def _role_matches(rsc: Resource, constraint: RscTicket) -> bool:
    return constraint.role == Role.UNKNOWN or constraint.role == rsc.role


def _constraints_for_ticket(ws: WorkingSet, rsc: Resource, constraint: RscTicket) -> None:
    from daemon.scheduler.fencing import fence_node
    from daemon.scheduler.unpack_resources import resource_location
    ticket = constraint.ticket
    if ticket.usable:
        return
    if rsc.children:
        for child in rsc.children:
            _constraints_for_ticket(ws, child, constraint)
        return
    inf = scores.INFINITY
    promoted_only = constraint.role == Role.PROMOTED
    if not ticket.granted and rsc.running_on:
        policy = constraint.loss_policy
        if policy == STOP:
            resource_location(ws, rsc, None, -inf, "__loss_of_ticket__")
        elif policy == DEMOTE:
            if not promoted_only:   # promotion itself is banned in require_promotion_tickets()
                resource_location(ws, rsc, None, -inf, "__loss_of_ticket__")
        elif policy == FENCE:
            if not _role_matches(rsc, constraint):
                return
            resource_location(ws, rsc, None, -inf, "__loss_of_ticket__")
            for node in list(rsc.running_on):
                fence_node(ws, node, "deadman ticket was lost", False)
        elif policy == FREEZE:
            if not _role_matches(rsc, constraint):
                return
            rsc.managed = False
            rsc.blocked = True
    elif not ticket.granted:
        if not promoted_only or constraint.loss_policy == STOP:
            resource_location(ws, rsc, None, -inf, "__no_ticket__")
    elif ticket.standby:
        if not promoted_only or constraint.loss_policy == STOP:
            resource_location(ws, rsc, None, -inf, "__ticket_standby__")


def require_promotion_tickets(ws: WorkingSet, rsc: Resource) -> None:
    """Ban a promotable clone everywhere while a ticket its promotion needs is not usable."""
    from daemon.scheduler.unpack_resources import resource_location
    for constraint in rsc_tickets(ws, rsc):
        if constraint.role == Role.PROMOTED and not constraint.ticket.usable:
            resource_location(ws, rsc, None, -scores.INFINITY, "__stateful_without_ticket__")
