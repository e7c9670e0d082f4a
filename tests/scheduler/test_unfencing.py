"""Unfencing (daemon/scheduler/unfencing.py). Expected lines agree with crm_simulate 2.1.5
on the same CIBs (unfencing did not change between 2.1 and 3.0)."""

from __future__ import annotations

from daemon.scheduler import schedule
from daemon.scheduler.cib_xml import parse_cib_text
from tests.scheduler import sched_cib as c

NOW = 1_767_225_600
NODES = ["node1", "node2"]
DEVICE = ('<primitive id="scsi" class="stonith" type="fence_scsi"><meta_attributes id="scsi-m">'
          '<nvpair id="scsi-m1" name="provides" value="unfencing"/></meta_attributes></primitive>')


def _lines(*, node2_unfenced: str | None, device_agent: str = "fence_scsi") -> list[str]:
    history = c.running("scsi", "node1").replace(
        'class="ocf" provider="pacemaker" type="Dummy"', f'class="stonith" type="{device_agent}"')
    status = (c.node_state("node1", history + c.running("d", "node1", 20),
                           attrs={"#node-unfenced": "123"})
              + c.node_state("node2", attrs={"#node-unfenced": node2_unfenced}
                             if node2_unfenced else None))
    text = c.cib(nodes=NODES, resources=DEVICE + c.dummy("d"), status=status,
                 props={"stonith-enabled": "true"}, rsc_defaults={"resource-stickiness": "100"})
    return [" ".join(line.split()) for line in schedule(parse_cib_text(text), NOW).summary_lines]


def test_a_node_never_unfenced_is_unfenced_before_its_probes():
    assert _lines(node2_unfenced=None) == ["* Fence (on) node2 'required by scsi monitor'"]
    assert _lines(node2_unfenced="0") == ["* Fence (on) node2 'required by scsi monitor'"]


def test_an_unfenced_node_is_left_alone():
    assert _lines(node2_unfenced="456") == []


def test_a_changed_device_agent_unfences_again_and_restarts_what_needs_it():
    assert _lines(node2_unfenced="456", device_agent="fence_mpath") == [
        "* Fence (on) node1 'Device definition changed'",
        "* Restart scsi ( node1 )",
        "* Restart d ( node1 ) due to required stonith"]
