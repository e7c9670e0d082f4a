"""Device delays (pcmk_delay_base, pcmk_delay_max, seeded) and priority-fencing-delay."""

from __future__ import annotations

import random

import pytest

from daemon.fencing.delays import (TWO_NODE_DELAY_MS, NodeStanding, cluster_delay_ms,
                                   delay_base_ms, delay_max_ms, device_delay_ms, node_priority,
                                   priority_delay_ms, total_delay_ms)
from daemon.fencing.errors import FencingConfigError
from daemon.fencing.plan import plan_fencing
from tests.fencing.fence_fixtures import cib, device, level


@pytest.mark.parametrize("text, target, expected", [
    (None, "node1", 0),
    ("5s", "node1", 5000),
    ("500ms", "node1", 500),
    ("2", "node1", 2000),
    ("1min", "node1", 60_000),
    ("node1:5s;node2:0", "node1", 5000),
    ("node1:5s;node2:0", "NODE2", 0),
    ("node1:5s node2:10s", "node2", 10_000),
    ("node1:5s;node2:10s", "node3", 0),
])
def test_delay_base_plain_or_per_node(text, target, expected):
    assert delay_base_ms(text, target, device_id="f1") == expected


@pytest.mark.parametrize("text", ["node1:", ":5s", "node1:5s;node2", "node1:soon", "soon"])
def test_malformed_delay_base_names_the_device(text):
    with pytest.raises(FencingConfigError) as caught:
        delay_base_ms(text, "node1", device_id="f1")
    assert (caught.value.element_id, caught.value.attribute) == ("f1", "pcmk_delay_base")


def test_delay_max_is_random_within_base_and_max_and_replays_from_its_seed():
    draws = [device_delay_ms(2000, 5000, random.Random(seed)) for seed in range(200)]
    assert all(2000 <= d <= 5000 for d in draws) and len(set(draws)) > 100
    assert draws == [device_delay_ms(2000, 5000, random.Random(seed)) for seed in range(200)]
    assert device_delay_ms(3000, 1000, random.Random(1)) == 3000   # max below base: ignored
    assert device_delay_ms(0, 0, random.Random(1)) == 0
    assert delay_max_ms("8s", device_id="f1") == 8000 and delay_max_ms(None, device_id="f1") == 0


def test_plan_delay_uses_the_first_device_and_only_fencing_actions():
    config = cib(device("a", pcmk_host_list="node1", pcmk_delay_base="node1:1s;node2:9s",
                        pcmk_delay_max="3s")
                 + device("b", pcmk_host_list="node1", pcmk_delay_base="20s"))
    plan = plan_fencing(config, "node1")
    step = plan.levels[0].steps[0]
    assert (step.device, step.delay_base_ms, step.delay_max_ms) == ("a", 1000, 3000)
    first = plan.delay_ms(random.Random(7))
    assert 1000 <= first <= 3000 and first == plan.delay_ms(random.Random(7))
    assert plan.delay_ms(random.Random(7), requested_ms=15_000) == first + 15_000
    assert plan.delay_ms(random.Random(7), requested_ms=-1) == 0
    assert plan_fencing(config, "node1", "on").delay_ms(random.Random(7)) == 0


def test_remapped_reboot_delays_the_off_steps_not_the_on_steps():
    config = cib(device("a", pcmk_host_check="none", pcmk_delay_base="4s")
                 + device("b", pcmk_host_check="none"),
                 levels=level("l1", 1, "a,b", target="node1"))
    steps = plan_fencing(config, "node1").levels[0].steps
    assert [(s.action, s.delay_base_ms) for s in steps] == [("off", 4000), ("off", 0),
                                                            ("on", 0), ("on", 0)]


def test_a_malformed_delay_leaves_the_device_out_by_name():
    plan = plan_fencing(cib(device("f1", pcmk_host_list="node1", pcmk_delay_max="x")), "node1")
    assert not plan.ok and str(plan.problems[0]).startswith("f1: pcmk_delay_max:")


def test_total_delay():
    assert total_delay_ms(2000) == 2000
    assert total_delay_ms(2000, 15_000) == 17_000
    assert total_delay_ms(2000, -1) == 0


def test_node_priority_counts_a_promoted_instance_one_more_unless_zero():
    assert node_priority([(10, False), (5, True), (0, True)]) == 16
    assert node_priority([]) == 0


def two_nodes(me_online: bool = True, **priorities: int) -> list[NodeStanding]:
    return [NodeStanding("node1", me_online, priorities.get("node1", 0)),
            NodeStanding("node2", False, priorities.get("node2", 0))]


def test_two_node_split_delays_only_the_fencing_of_the_more_important_node():
    # node2 runs the important resources; seen from node1, node2 is lost.
    assert priority_delay_ms("node2", two_nodes(node2=10), 15_000, target_lost=True) == 15_000
    # Seen from node2, node1 (less important) is lost: no delay, node2 fences at once.
    view = [NodeStanding("node1", False, 0), NodeStanding("node2", True, 10)]
    assert priority_delay_ms("node1", view, 15_000, target_lost=True) == 0


def test_priority_delay_applies_only_to_lost_nodes():
    assert priority_delay_ms("node2", two_nodes(node2=10), 15_000, target_lost=False) == 0


def test_priority_delay_is_off_by_default_and_with_equal_priorities():
    assert priority_delay_ms("node2", two_nodes(node2=10), 0, target_lost=True) == 0
    assert priority_delay_ms("node2", two_nodes(node1=5, node2=5), 15_000,
                             target_lost=True) == 0


def test_priority_delay_not_for_a_node_in_our_partition_or_unknown():
    nodes = [NodeStanding("node1", True, 0), NodeStanding("node2", True, 10)]
    assert priority_delay_ms("node2", nodes, 15_000, target_lost=True) == 0
    assert priority_delay_ms("node9", two_nodes(node2=10), 15_000, target_lost=True) == 0


def test_priority_delay_not_when_we_hold_a_majority():
    nodes = [NodeStanding("node1", True, 0), NodeStanding("node2", True, 0),
             NodeStanding("node3", False, 10)]
    assert priority_delay_ms("node3", nodes, 15_000, target_lost=True) == 0
    alone = [NodeStanding("node1", True, 0), NodeStanding("node2", False, 0),
             NodeStanding("node3", False, 10)]
    assert priority_delay_ms("node3", alone, 15_000, target_lost=True) == 15_000
    assert priority_delay_ms("node2", alone, 15_000, target_lost=True) == 0


def test_priority_delay_ignores_remote_nodes():
    nodes = two_nodes(node2=10) + [NodeStanding("remote1", False, 50, cluster_node=False)]
    assert priority_delay_ms("node2", nodes, 15_000, target_lost=True) == 15_000
    assert priority_delay_ms("remote1", nodes, 15_000, target_lost=True) == 0


@pytest.mark.parametrize("option, nodes, expected", [
    (None, 2, (TWO_NODE_DELAY_MS, True)), (None, 3, (0, False)), (None, 1, (0, False)),
    ("0", 2, (0, False)), ("15s", 2, (15_000, False)), ("20", 3, (20_000, False)),
    ("soon", 2, (0, False)),
])
def test_the_cluster_s_delay_and_the_two_node_default(option, nodes, expected):
    assert cluster_delay_ms(option, nodes) == expected


def test_the_two_node_default_tells_equal_priorities_apart_by_load_then_node_id():
    def view(lost: str, **active: int) -> list[NodeStanding]:
        return [NodeStanding(n, n != lost, 0, True, active.get(n, 0), i)
                for i, n in ((1, "node1"), (2, "node2"))]

    def delay(target: str, **active: int) -> int:
        return priority_delay_ms(target, view(target, **active), 5000, target_lost=True,
                                 tie_break=True)
    assert delay("node2", node2=3, node1=1) == 5000     # the busier node is waited for
    assert delay("node1", node2=3, node1=1) == 0        # ... and fences at once
    assert delay("node1") == 5000 and delay("node2") == 0      # equal: the lower id stays
    # exactly one side of each split waits
    for a, b in ((0, 0), (1, 0), (0, 2), (4, 4)):
        waits = [delay("node1", node1=a, node2=b), delay("node2", node1=a, node2=b)]
        assert sorted(waits) == [0, 5000]
