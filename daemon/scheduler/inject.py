"""crm_simulate's synthetic cluster events: what-if changes to a CIB's status before it is
scheduled (`--node-up`, `--node-down`, `--node-fail`, `--op-inject`, the ticket options,
`--quorum`, `--watchdog`).

`apply_injections(cib, injections, when)` changes the CIB in place, in crm_simulate's order
(quorum, watchdog, nodes up, down, failed, tickets granted, revoked, standby, activated,
then injected operations), and returns the lines crm_simulate prints under "Performing
Requested Modifications". `when` stands for the wall clock crm_simulate reads for the
injected results and last-failure times. Where crm_simulate prints an error and goes on
(an unknown resource, a malformed operation), this raises InjectionError instead.

Tickets go into the status section as crm_simulate writes them (`tickets/ticket_state`),
where the scheduler's rsc_ticket constraints read them (daemon/scheduler/tickets.py).
"""

from __future__ import annotations

from daemon.records import field, record
from daemon.scheduler import status_xml
from daemon.scheduler.actions import parse_op_key
from daemon.scheduler.errors import SchedulerError


class InjectionError(SchedulerError):
    """A what-if change that cannot be made (bad operation spec, unknown node or resource)."""


@record(frozen=True)
class OpSpec:
    """`RSC_TASK_INTERVAL@NODE=RC`, as crm_simulate's --op-inject and --op-fail take it."""

    text: str
    rsc: str
    task: str
    interval_ms: int
    node: str
    rc: int

    def matches(self, names: tuple[str, ...], task: str, interval_ms: int, node: str) -> bool:
        """Whether this spec names an action (crm_simulate compares without case)."""
        return (self.task.lower() == task.lower() and self.interval_ms == interval_ms
                and self.node.lower() == node.lower()
                and any(self.rsc.lower() == name.lower() for name in names))


def parse_op_spec(text: str) -> OpSpec:
    key, at, rest = text.partition("@")
    node, eq, rc = rest.rpartition("=")
    parsed = parse_op_key(key) if at else None
    if parsed is None or not eq or not node or not rc.lstrip("-").isdigit():
        raise InjectionError(f"invalid operation '{text}': expected RSC_TASK_INTERVAL@NODE=RC, "
                             "e.g. web_monitor_10000@node1=7")
    rsc, task, interval_ms = parsed
    return OpSpec(text, rsc, task, interval_ms, node, int(rc))


@record
class Injections:
    quorum: str | None = None
    watchdog: str | None = None
    node_up: list[str] = field(default_factory=list)
    node_down: list[str] = field(default_factory=list)
    node_fail: list[str] = field(default_factory=list)
    ticket_grant: list[str] = field(default_factory=list)
    ticket_revoke: list[str] = field(default_factory=list)
    ticket_standby: list[str] = field(default_factory=list)
    ticket_activate: list[str] = field(default_factory=list)
    op_inject: list[OpSpec] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(value for value in vars(self).values())


_NODE_STATES = {  # in_ccm, crmd, join, expected
    "up": ("true", "online", "member", "member"),
    "down": ("false", "offline", "down", "down"),
}
# Ticket options: (message, attribute, value)
_TICKET_CHANGES = (
    ("ticket_grant", "Granting ticket {}", "granted", "true"),
    ("ticket_revoke", "Revoking ticket {}", "granted", "false"),
    ("ticket_standby", "Making ticket {} standby", "standby", "true"),
    ("ticket_activate", "Activating ticket {}", "standby", "false"),
)


def apply_injections(cib, injections: Injections, when: int) -> list[str]:
    lines: list[str] = []
    if injections.quorum is not None:
        lines.append(f"Setting quorum: {injections.quorum}")
        cib.set("have-quorum", injections.quorum)
    if injections.watchdog is not None:
        lines.append(f"Setting watchdog: {injections.watchdog}")
        _set_cluster_option(cib, "have-watchdog", injections.watchdog)
    for name in injections.node_up:
        lines.append(f"Bringing node {name} online")
        _set_node_state(cib, name, "up")
    for name in injections.node_down:
        lines.append(f"Taking node {name} offline")
        state = _set_node_state(cib, name, "down")
        for tag in ("lrm", "transient_attributes"):
            for found in state.findall(tag):
                state.remove(found)
    for name in injections.node_fail:
        lines.append(f"Failing node {name}")
        _set_node_state(cib, name, "up").set("in_ccm", "false")
    for option, message, attribute, value in _TICKET_CHANGES:
        for ticket in getattr(injections, option):
            lines.append(message.format(ticket))
            _ticket_state(cib, ticket).set(attribute, value)
    for spec in injections.op_inject:
        lines.append(f"Injecting {spec.text} into the configuration")
        lines += inject_op(cib, spec, when)
    return lines


def _state_of(cib, name: str):
    state = status_xml.node_state(cib, name)
    if state is None:
        raise InjectionError(f"no node named '{name}' in the configuration")
    return state


def _set_node_state(cib, name: str, how: str):
    state = _state_of(cib, name)
    for attribute, value in zip(("in_ccm", "crmd", "join", "expected"), _NODE_STATES[how]):
        state.set(attribute, value)
    state.set("crm-debug-origin", "crm_simulate")
    return state


def _ticket_state(cib, ticket: str):
    from lxml import etree
    tickets = status_xml.child(status_xml.status_of(cib), "tickets")
    for state in tickets.iterchildren("ticket_state"):
        if state.get("id") == ticket:
            return state
    return etree.SubElement(tickets, "ticket_state", id=ticket)


def _set_cluster_option(cib, name: str, value: str) -> None:
    from lxml import etree
    config = status_xml.child(cib.find("configuration"), "crm_config")
    for nvpair in config.iterfind("cluster_property_set/nvpair"):
        if nvpair.get("name") == name:
            nvpair.set("value", value)
            return
    sets = [s for s in config.iterchildren("cluster_property_set")
            if s.get("id") == "cib-bootstrap-options"]
    bootstrap = sets[0] if sets else etree.SubElement(config, "cluster_property_set",
                                                      id="cib-bootstrap-options")
    etree.SubElement(bootstrap, "nvpair", id=f"cib-bootstrap-options-{name}", name=name,
                     value=value)


def agent_of(cib, rsc_id: str) -> tuple[str, str | None, str]:
    """(class, provider, type) of a configured primitive (a clone instance 'rsc:N' is its
    primitive's), through its template when it has one."""
    base = rsc_id.partition(":")[0]
    resources = cib.find("configuration/resources")
    if resources is not None:
        for prim in resources.iter("primitive"):
            if prim.get("id") not in (rsc_id, base):
                continue
            source = prim
            template = prim.get("template")
            if template and prim.get("class") is None:
                source = next((t for t in resources.iter("template")
                               if t.get("id") == template), prim)
            if source.get("class") and source.get("type"):
                return source.get("class"), source.get("provider"), source.get("type")
    raise InjectionError(f"no primitive resource named '{rsc_id}' in the configuration")


def inject_op(cib, spec: OpSpec, when: int, op_status: int = 0) -> list[str]:
    """An operation result recorded as if the executor had reported it (expected result 0,
    so anything else is a failure), with the fail count a failure brings; `op_status`
    other than 0 (done) records an operation that did not complete (timeout is 2)."""
    agent = agent_of(cib, spec.rsc)
    state = _state_of(cib, spec.node)
    lines = status_xml.inject_failcount(state, spec.rsc, spec.task, spec.interval_ms, spec.rc,
                                        when)
    entry = status_xml.lrm_resource(state, spec.rsc, agent)
    call_id = status_xml.next_call_id(entry)
    status_xml.record_op(entry, task=spec.task, interval_ms=spec.interval_ms, rc=spec.rc,
                         target_rc=0, key=f"{call_id}:-1:0:{status_xml.SIM_UUID}",
                         call_id=call_id, when=when, node=spec.node, op_status=op_status)
    return lines
