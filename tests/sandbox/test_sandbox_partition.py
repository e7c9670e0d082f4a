"""Partitions as bridges (crmshell/sandbox/partition.py): who hangs on which, and the ip lines."""

from __future__ import annotations

import pytest

from crmshell.sandbox.layout import BRIDGE, LayoutError
from crmshell.sandbox.partition import bridges_for, ip_batch

NODES = ["node1", "node2", "node3"]
VETH = {"node1": "sb1", "node2": "sb2", "node3": "sb3"}
WHOLE = dict.fromkeys(NODES, BRIDGE)


def test_named_nodes_are_cut_off_from_the_rest() -> None:
    assert bridges_for([["node3"]], NODES) == {"node1": BRIDGE, "node2": BRIDGE,
                                               "node3": f"{BRIDGE}p1"}
    assert bridges_for([["node1"], ["node2"]], NODES) == {
        "node1": f"{BRIDGE}p1", "node2": f"{BRIDGE}p2", "node3": BRIDGE}


@pytest.mark.parametrize("groups, said", [
    ([], "name the nodes"),
    ([["node9"]], "no node 'node9' in this sandbox (its nodes: node1, node2, node3)"),
    ([["node1"], ["node1"]], "node1 is named twice"),
    ([["node1", "node2", "node3"]], "every node on one side"),
])
def test_bad_partitions_are_refused_in_words(groups: list, said: str) -> None:
    with pytest.raises(LayoutError, match=said.replace("(", r"\(").replace(")", r"\)")):
        bridges_for(groups, NODES)


def test_ip_lines_make_move_and_remove_bridges() -> None:
    cut = bridges_for([["node3"]], NODES)
    assert ip_batch(WHOLE, cut, VETH) == (f"link add {BRIDGE}p1 type bridge\n"
                                          f"link set {BRIDGE}p1 up\n"
                                          f"link set sb3 master {BRIDGE}p1\n")
    assert ip_batch(cut, WHOLE, VETH) == (f"link set sb3 master {BRIDGE}\n"
                                          f"link del {BRIDGE}p1\n")
    assert ip_batch(WHOLE, WHOLE, VETH) == ""


def test_a_node_that_is_down_has_no_port_to_move() -> None:
    cut = bridges_for([["node3"]], NODES)
    assert "sb3" not in ip_batch(WHOLE, cut, {"node1": "sb1", "node2": "sb2"})
