"""Unit tests of daemon/scheduler/utilization.py: capacities, checks and node order."""

from daemon.scheduler import utilization as u
from daemon.scheduler.model import Node, Resource


def _node(name, **cap):
    node = Node(name, name, "member", 0, 0)
    node.online = True
    node.utilization = {k: str(v) for k, v in cap.items()}
    return node


def _rsc(rid, **need):
    rsc = Resource(rid, None, 0, None)
    rsc.utilization = {k: str(v) for k, v in need.items()}
    return rsc


def test_value_parses_and_defaults():
    assert u.value("12") == 12
    assert u.value(None) == 0
    assert u.value("abc") == 0
    assert u.value("-3") == -3


def test_compare_capacities_counts_attributes():
    a, b = _node("a", cpu=4, mem=10), _node("b", cpu=2, mem=10)
    assert u.compare_capacities(a, b) < 0
    assert u.compare_capacities(b, a) > 0
    assert u.compare_capacities(a, a) == 0
    c = _node("c", disk=5)
    assert u.compare_capacities(a, c) == -1  # a more cpu and mem, c more disk


def test_consume_release_and_have_enough():
    node = _node("n", cpu=2)
    rsc = _rsc("r", cpu=2, mem=1)
    assert u.have_enough(node, {"cpu": "2"})
    assert not u.have_enough(node, rsc.utilization)  # no mem on the node
    u.consume(node.utilization, rsc)
    assert node.utilization == {"cpu": "0", "mem": "0"}
    u.release(node.utilization, rsc.utilization)
    assert node.utilization == {"cpu": "2", "mem": "1"}


def test_compare_nodes_strategies():
    a, b = _node("a", cpu=1), _node("b", cpu=8)
    a.num_resources, b.num_resources = 0, 1
    assert u.compare_nodes(u.BALANCED, a, 0, b, 0, None) > 0   # b has more room
    assert u.compare_nodes(u.UTILIZATION, a, 0, b, 0, None) < 0  # a has fewer resources
    assert u.compare_nodes(u.MINIMAL, b, 0, a, 0, None) > 0    # by name only
    assert u.compare_nodes(u.BALANCED, a, 10, b, 0, None) < 0  # score first
