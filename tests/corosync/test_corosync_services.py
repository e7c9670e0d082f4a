"""Quorum, cmap and cfg through the asyncio binding against a real one-node corosync."""

from __future__ import annotations

from conftest import needs_corosync

pytestmark = needs_corosync


def _driver(node):
    drv = node.driver()
    drv.expect("ready")
    return drv


def test_first_quorum_notification_is_quorate_for_the_single_node(node):
    drv = _driver(node)
    drv.send(op="open_quorum", timeout=20)
    first = drv.expect("quorum", timeout=20)
    assert first["quorate"] is True and first["nodes"] == [1]
    opened = drv.expect("quorum_opened")
    assert opened == {"event": "quorum_opened", "quorate": True, "votes": 1, "expected": 1,
                      "quorum": 1, "nodeid": 1}


def test_cmap_nodelist_local_node_and_cluster_name(node):
    drv = _driver(node)
    drv.send(op="cmap", timeout=20)
    cmap = drv.expect("cmap", timeout=20)
    assert cmap["local"] == [1, "node1", ["127.0.0.1"]]
    assert cmap["nodes"] == [[1, "node1", ["127.0.0.1"]]]
    assert cmap["cluster_name"] == "crmshell-test"
    assert cmap["token"] == 300


def test_cfg_local_nodeid_and_link_status(node):
    drv = _driver(node)
    drv.send(op="cfg", timeout=20)
    cfg = drv.expect("cfg", timeout=20)
    assert cfg == {"event": "cfg", "nodeid": 1, "reachable": True}


def test_cfg_node_addresses_and_an_unknown_node(node):
    drv = _driver(node)
    drv.send(op="cfg_addrs", nodeid=1, timeout=20)
    assert drv.expect("cfg_addrs", timeout=20)["addrs"] == ["127.0.0.1"]
    drv.send(op="cfg_addrs", nodeid=7)
    failed = drv.expect("failed")
    assert failed["op"] == "cfg_addrs" and "CS_ERR_NOT_EXIST" in failed["message"]


def test_cmap_waits_for_corosync(cold_node):
    drv = _driver(cold_node)
    drv.send(op="cmap")
    assert not [r for r in drv.quiet(0.5) if r["event"] in ("cmap", "failed", "error")]
    cold_node.start()
    assert drv.expect("cmap", timeout=20)["local"][1] == "node1"
