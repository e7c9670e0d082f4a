"""Multi-site tickets in the scheduler (daemon/scheduler/tickets.py): ticket states, rsc_ticket
constraints (single resource, sets, templates) and their loss-policies."""

from __future__ import annotations

from lxml import etree

from daemon.scheduler import load_cib, schedule
from daemon.scheduler.roles import Role
from daemon.scheduler.tickets import parse_loss_policy, unpack_ticket_states
from daemon.scheduler.working_set import WorkingSet
from tests.scheduler import sched_cib as c
from tests.scheduler.sched_conformance import normalise

NOW = 1_767_225_600
NODES = ["node1", "node2"]


def _ticket(granted: bool | None, standby: bool = False) -> str:
    if granted is None:
        return ""
    return (f'<tickets><ticket_state id="ticketA" granted="{str(granted).lower()}" '
            f'standby="{str(standby).lower()}"/></tickets>')


def _summary(tmp_path, *, resources: str, constraints: str, status: str) -> list[str]:
    path = tmp_path / "cib.xml"
    path.write_text(c.cib(nodes=NODES, resources=resources, constraints=constraints,
                          status=status))
    return [normalise(line) for line in schedule(load_cib(str(path)), NOW).summary_lines]


def _primitive_case(tmp_path, ticket: str, *, running: bool, extra: str = "") -> list[str]:
    lrm = c.running("rsc1", "node2") if running else ""
    status = c.node_state("node1") + c.node_state("node2", lrm) + ticket
    return _summary(tmp_path, resources=c.dummy("rsc1"),
                    constraints=f'<rsc_ticket id="rsc1-req" rsc="rsc1" ticket="ticketA"{extra}/>',
                    status=status)


def test_loss_policy_defaults_and_fallback():
    assert parse_loss_policy(None, Role.UNKNOWN, True) == "stop"
    assert parse_loss_policy(None, Role.PROMOTED, True) == "demote"
    assert parse_loss_policy("Freeze", Role.UNKNOWN, True) == "freeze"
    assert parse_loss_policy("fence", Role.UNKNOWN, True) == "fence"
    assert parse_loss_policy("fence", Role.UNKNOWN, False) == "stop"   # no fencing configured
    assert parse_loss_policy("bogus", Role.UNKNOWN, True) == "stop"


def test_ticket_states_from_status():
    ws = WorkingSet.__new__(WorkingSet)
    ws.tickets, ws.warnings = {}, []
    status = etree.fromstring(
        '<status><tickets><ticket_state id="a" granted="true" last-granted="17"/>'
        '<ticket_state id="b" granted="false" standby="true"/>'
        '<ticket_state id="c" last-granted="soon"/></tickets></status>')
    unpack_ticket_states(ws, status)
    a, b, cc = ws.tickets["a"], ws.tickets["b"], ws.tickets["c"]
    assert (a.granted, a.standby, a.last_granted, a.usable) == (True, False, 17, True)
    assert (b.granted, b.standby, b.usable) == (False, True, False)
    assert not cc.granted and cc.last_granted is None and ws.warnings


def test_no_ticket_state_means_not_granted(tmp_path):
    assert _primitive_case(tmp_path, _ticket(None), running=False) == []


def test_granted_ticket_lets_it_start(tmp_path):
    assert _primitive_case(tmp_path, _ticket(True), running=False) == ["* Start rsc1 (node1)"]


def test_revoked_ticket_stops_by_default(tmp_path):
    assert _primitive_case(tmp_path, _ticket(False), running=True) == [
        "* Stop rsc1 (node2) due to node availability"]


def test_standby_ticket_stops(tmp_path):
    assert _primitive_case(tmp_path, _ticket(True, standby=True), running=True) == [
        "* Stop rsc1 (node2) due to node availability"]


def test_freeze_leaves_it_running(tmp_path):
    assert _primitive_case(tmp_path, _ticket(False), running=True,
                           extra=' loss-policy="freeze"') == []


def test_fence_without_fencing_falls_back_to_stop(tmp_path):
    assert _primitive_case(tmp_path, _ticket(False), running=True,
                           extra=' loss-policy="fence"') == [
        "* Stop rsc1 (node2) due to node availability"]


def test_resource_set_and_template(tmp_path):
    resources = ('<template id="tmpl" class="ocf" provider="pacemaker" type="Dummy"/>'
                 '<primitive id="rsc1" template="tmpl"/>' + c.dummy("rsc2") + c.dummy("rsc3"))
    constraints = ('<rsc_ticket id="t1" rsc="tmpl" ticket="ticketA"/>'
                   '<rsc_ticket id="t2" ticket="ticketA"><resource_set id="s">'
                   '<resource_ref id="rsc2"/></resource_set></rsc_ticket>')
    lines = _summary(tmp_path, resources=resources, constraints=constraints,
                     status=c.node_state("node1") + c.node_state("node2") + _ticket(False))
    assert lines == ["* Start rsc3 (node1)"]


def test_promoted_role_ticket_only_bans_promotion(tmp_path):
    resources = c.clone("ms", c.stateful("rsc1"), {"promotable": "true"})
    constraints = '<rsc_ticket id="ms-req" rsc="ms" rsc-role="Promoted" ticket="ticketA"/>'
    nodes = c.node_state("node1", attrs={"master-rsc1": "10"}) + c.node_state("node2")
    lines = _summary(tmp_path, resources=resources, constraints=constraints,
                     status=nodes + _ticket(False))
    assert sorted(lines) == ["* Start rsc1:0 (node1)", "* Start rsc1:1 (node2)"]
    granted = _summary(tmp_path, resources=resources, constraints=constraints,
                       status=nodes + _ticket(True))
    assert any(line.startswith("* Promote") for line in granted)
