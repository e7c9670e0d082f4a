"""Pacemaker's text rules for pcmk_host_map, pcmk_host_list and agents' list output."""

from __future__ import annotations

import pytest

from daemon.fencing.hostlists import in_targets, parse_host_map, parse_targets


@pytest.mark.parametrize("text, ports", [
    ("node1:1;node2:2", {"node1": "1", "node2": "2"}),
    ("node1=1;node2=2", {"node1": "1", "node2": "2"}),
    ("node1:1 node2:2\tnode3:3", {"node1": "1", "node2": "2", "node3": "3"}),
    ("  ;;node1:1;  ; node2:2;  ", {"node1": "1", "node2": "2"}),
    ("node1:1;node2:2,3", {"node1": "1", "node2": "2,3"}),   # a comma belongs to the port
    ("node1:vm\\ one;node2:a\\;b", {"node1": "vm one", "node2": "a;b"}),
    ("node1:a\\:b", {"node1": "a:b"}),
    ("NODE1:1", {"node1": "1"}),
    ("", {}),
])
def test_host_map_separators(text, ports):
    parsed = parse_host_map(text)
    assert dict(parsed.ports) == ports
    assert parsed.malformed == ()


def test_host_map_lookup_ignores_case():
    assert parse_host_map("Node1:7").port("NODE1") == "7"
    assert parse_host_map("node1:7").port("node2") is None


@pytest.mark.parametrize("text, why", [
    ("node1", "has no ':'"),
    (":5", "no node name"),
    ("node1:", "no port"),
    ("node1:a:b", "second ':'"),
    ("node1=a=b", "second ':'"),
])
def test_host_map_malformed_entries_are_named_and_the_rest_kept(text, why):
    parsed = parse_host_map(f"good:1;{text};also:2")
    assert dict(parsed.ports) == {"good": "1", "also": "2"}
    assert len(parsed.malformed) == 1 and why in parsed.malformed[0]


@pytest.mark.parametrize("text, names", [
    ("node1,node2 node3;node4", ("node1", "node2", "node3", "node4")),
    ("node1, node1,NODE2", ("node1", "NODE2")),
    ("vm1,alias1\nvm2,alias2\n", ("vm1", "alias1", "vm2", "alias2")),
    ("vm1\\nvm2", ("vm1", "vm2")),                       # an escaped newline ends a line
    ("Status: ON\nnode1 on\nnode2 off", ("Status", "node1", "node2")),
    ("invalid output line\nnode1", ("node1",)),
    ("variable x\nnode1", ("node1",)),
    ("node1:extra node_2.x-y", ("node1", "node_2.x-y")),
    ("", ()),
])
def test_targets_as_pacemaker_reads_lists(text, names):
    assert parse_targets(text) == names


def test_in_targets_ignores_case():
    assert in_targets("Node1", ("node1",))
    assert not in_targets("node10", ("node1",))
