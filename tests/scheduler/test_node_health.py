"""Node health as placement (daemon/scheduler/node_health.py): what each strategy makes of a
node's #health-* attributes, and allow-unhealthy-nodes."""

from __future__ import annotations

import pytest

from daemon.scheduler import load_cib, schedule
from daemon.scheduler.model import Node
from daemon.scheduler.node_health import node_health_sum
from tests.scheduler import sched_cib as c
from tests.scheduler.sched_conformance import normalise

NOW = 1_767_225_600
NODES = ["node1", "node2"]
INF = 1_000_000


def _summary(tmp_path, *, strategy: str, health: dict[str, str], meta=None,
             props=None) -> list[str]:
    """rsc1 runs on node1 (which has `health`); what the scheduler does with it."""
    status = (c.node_state("node1", c.running("rsc1", "node1"), attrs=health)
              + c.node_state("node2"))
    path = tmp_path / "cib.xml"
    path.write_text(c.cib(nodes=NODES, resources=c.dummy("rsc1", meta=meta), status=status,
                          props={"node-health-strategy": strategy, **(props or {})}))
    return [normalise(line) for line in schedule(load_cib(str(path)), NOW).summary_lines]


def _node(**attrs) -> Node:
    node = Node("n", "n", "member", 0, 0)
    node.attrs = dict(attrs)
    return node


def test_sum_of_colours_and_scores_with_a_base():
    colours = {"red": -INF, "yellow": -10, "green": 5}
    node = _node(**{"#health-a": "yellow", "#health-b": "green", "#health-c": "-3",
                    "#health-d": "not-a-score", "other": "red"})
    assert node_health_sum(node, colours) == -8
    assert node_health_sum(node, colours, base=8) == 0
    assert node_health_sum(_node(**{"#health-x": "RED"}), colours) == -INF


@pytest.mark.parametrize("strategy, colour, moves", [
    ("none", "red", False),
    ("migrate-on-red", "red", True),
    ("migrate-on-red", "yellow", False),
    ("only-green", "yellow", True),
    ("only-green", "green", False),
    ("no-such-strategy", "red", False),         # an unknown strategy counts as none
])
def test_strategies_ban_what_they_say(tmp_path, strategy, colour, moves):
    lines = _summary(tmp_path, strategy=strategy, health={"#health-disk": colour})
    assert lines == (["* Move rsc1 (node1 -> node2)"] if moves else [])


def test_progressive_uses_the_options_and_the_base(tmp_path):
    props = {"node-health-yellow": "-2000000", "node-health-base": "0"}
    assert _summary(tmp_path, strategy="progressive", health={"#health-cpu": "yellow"},
                    props=props) == ["* Move rsc1 (node1 -> node2)"]
    # the base counts on every node: node1 sums to 0, node2 to 50
    props = {"node-health-yellow": "-50", "node-health-base": "50"}
    assert _summary(tmp_path, strategy="progressive", health={"#health-cpu": "yellow"},
                    props=props) == ["* Move rsc1 (node1 -> node2)"]
    props = {"node-health-yellow": "0", "node-health-base": "50"}
    assert _summary(tmp_path, strategy="progressive", health={"#health-cpu": "yellow"},
                    props=props) == []
    # custom has no base
    props = {"node-health-yellow": "-INFINITY", "node-health-base": "INFINITY"}
    assert _summary(tmp_path, strategy="custom", health={"#health-cpu": "yellow"},
                    props=props) == ["* Move rsc1 (node1 -> node2)"]


def test_allow_unhealthy_nodes_ignores_bans_only(tmp_path):
    assert _summary(tmp_path, strategy="migrate-on-red", health={"#health-disk": "red"},
                    meta={"allow-unhealthy-nodes": "true"}) == []
