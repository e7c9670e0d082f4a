"""The nodelist arithmetic of bootstrap: ids, two_node, names, as pure functions."""

import pytest

from crmshell.bootstrap import plan
from daemon.corosync.conf import ClusterConfig, parse, render


def _roundtrip(config):
    return ClusterConfig.from_tree(parse(render(config)))


def test_new_cluster_numbers_nodes_and_is_encrypted():
    config = plan.new_cluster("web", [("a", ("10.0.0.1",)), ("b", ("10.0.0.2",))])
    assert [(n.name, n.nodeid) for n in config.nodes] == [("a", 1), ("b", 2)]
    text = render(config)
    assert "crypto_cipher: aes256" in text and "crypto_hash: sha256" in text
    assert "two_node: 1" in text and "token: 1000" in text
    assert _roundtrip(config).nodes == config.nodes


def test_adding_takes_the_lowest_free_id_and_drops_two_node_at_three():
    config = plan.new_cluster("web", [("a", ("10.0.0.1",))])
    two = plan.add_node(config, "b", ("10.0.0.2",))
    assert "two_node: 1" in render(two)
    three = plan.add_node(two, "c", ("10.0.0.3",))
    assert "two_node" not in render(three)
    without_a = plan.remove_node(three, "a")
    assert "two_node: 1" in render(without_a)
    again = plan.add_node(without_a, "d", ("10.0.0.4",))
    assert {n.name: n.nodeid for n in again.nodes} == {"b": 2, "c": 3, "d": 1}


@pytest.mark.parametrize("name,addr,why", [
    ("a", ("10.0.0.9",), "already a node"),
    ("z", ("10.0.0.1",), "already node a's"),
])
def test_adding_a_node_twice_is_refused(name, addr, why):
    config = plan.new_cluster("web", [("a", ("10.0.0.1",))])
    with pytest.raises(plan.PlanError, match=why):
        plan.add_node(config, name, addr)


def test_removing_the_last_or_an_unknown_node_is_refused():
    config = plan.new_cluster("web", [("a", ("10.0.0.1",))])
    with pytest.raises(plan.PlanError, match="last node"):
        plan.remove_node(config, "a")
    with pytest.raises(plan.PlanError, match="its nodes: a"):
        plan.remove_node(config, "q")


@pytest.mark.parametrize("bad", ["", "-x", "a b", "x" * 33, "a{b"])
def test_cluster_names_are_checked(bad):
    with pytest.raises(plan.PlanError, match="cluster name"):
        plan.new_cluster(bad, [("a", ("10.0.0.1",))])
