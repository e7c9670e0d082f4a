"""The priority delay on the fencing of a lost node, as the scheduler puts it on the fence
action (priority_fencing_delay, seconds, as Pacemaker's graph has it): priority-fencing-delay
as set, and the two-node default that keeps both halves of a split from fencing each other."""

from __future__ import annotations

import pytest
from lxml import etree
from sched_cib import cib, dummy, node_state, running

from daemon.controller.planning import plan

FENCE = ('<primitive id="fence" class="stonith" type="fence_dummy">'
         '<instance_attributes id="fence-params"><nvpair id="fence-hl" name="pcmk_host_list" '
         'value="node1 node2 node3"/></instance_attributes></primitive>')


def fence_delays(nodes: list[str], runs: dict[str, list[str]], lost: str,
                 props: dict[str, str] | None = None, dc: str = "node1") -> dict[str, str]:
    """target -> the delay on its fence action, for `lost` gone from a cluster of `nodes`."""
    status = "".join(node_state(n, "".join(running(r, n) for r in runs.get(n, [])),
                                lost=n == lost) for n in nodes)
    text = cib(nodes=nodes, resources=FENCE + "".join(dummy(f"r{i}") for i in range(3)),
               status=status, props={"stonith-enabled": "true", **(props or {})})
    for n in nodes:                 # corosync's numeric node ids, as the daemon writes them
        text = text.replace(f'id="{n}" uname="{n}"', f'id="{n[4:]}" uname="{n}"')
        text = text.replace(f'<lrm id="{n}">', f'<lrm id="{n[4:]}">')
    text = text.replace(f'dc-uuid="{nodes[0]}"', f'dc-uuid="{dc[4:]}"')
    planned = plan(etree.fromstring(text), now_ms=1_700_000_000_000, seq=1, transition_id=1,
                   dc_uuid="u")
    assert planned.graph is not None, planned.error
    return {a.node: a.meta.get("priority_fencing_delay") for a in planned.graph.actions
            if a.task == "stonith"}


@pytest.mark.parametrize("runs, expected", [
    ({"node2": ["r0"]}, "5"),                   # node2 runs more: the other side fences first
    ({"node1": ["r0"]}, "0"),                   # we run more: at once
    ({}, "0"),                                  # equal: the lower node id wins, and we are it
    ({"node1": ["r0"], "node2": ["r1"]}, "0"),
])
def test_two_nodes_without_the_option_get_the_default_on_one_side(runs, expected):
    assert fence_delays(["node1", "node2"], runs, lost="node2") == {"node2": expected}


def test_a_fence_device_does_not_count_as_load():
    nodes = ["node1", "node2"]
    assert fence_delays(nodes, {"node1": ["fence"], "node2": ["r0"]}, lost="node2") == \
        {"node2": "5"}


def test_seen_from_the_other_side_the_default_falls_the_other_way():
    # node2 is DC of its half; node1 (lower id, equal load) is the one to keep: wait
    assert fence_delays(["node1", "node2"], {}, lost="node1", dc="node2") == {"node1": "5"}
    assert fence_delays(["node1", "node2"], {"node2": ["r0"]}, lost="node1",
                        dc="node2") == {"node1": "0"}


@pytest.mark.parametrize("props, runs, expected", [
    ({"priority-fencing-delay": "0"}, {"node2": ["r0"]}, "0"),     # the administrator's 0
    ({"priority-fencing-delay": "10s"}, {"node2": ["r0"]}, "0"),   # equal priorities: none
])
def test_a_set_option_is_taken_as_it_is(props, runs, expected):
    assert fence_delays(["node1", "node2"], runs, lost="node2", props=props) == {"node2": expected}


def test_the_option_with_priorities_delays_the_fencing_of_the_more_important_node():
    nodes, lost = ["node1", "node2"], "node2"
    status = "".join(node_state(n, running("r0", n) if n == lost else "", lost=n == lost)
                     for n in nodes)
    text = cib(nodes=nodes, resources=FENCE + dummy("r0", meta={"priority": "10"}),
               status=status, props={"stonith-enabled": "true", "priority-fencing-delay": "15s"})
    planned = plan(etree.fromstring(text), now_ms=1_700_000_000_000, seq=1, transition_id=1,
                   dc_uuid="u")
    delays = {a.node: a.meta.get("priority_fencing_delay") for a in planned.graph.actions
              if a.task == "stonith"}
    assert delays == {"node2": "15"}


def test_three_nodes_have_no_default():
    assert fence_delays(["node1", "node2", "node3"], {"node3": ["r0"]}, lost="node3") == \
        {"node3": "0"}
