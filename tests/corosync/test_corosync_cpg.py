"""CPG through the asyncio binding against a real corosync (one node, own namespaces)."""

from __future__ import annotations

import time

import pytest

from conftest import needs_corosync
from corosync_node import DriverError

pytestmark = needs_corosync

JOIN = 1


def test_connect_waits_for_corosync_then_joins_the_group(cold_node):
    drv = cold_node.driver()
    pid = drv.expect("ready")["pid"]
    drv.send(op="open_group")
    early = drv.quiet(1.0)
    assert not [r for r in early if r["event"] in ("opened", "error", "failed")], early
    assert any(r["event"] == "log" and "waiting for corosync" in r["message"]
               for r in early), early
    cold_node.start()
    confchg = drv.expect("confchg", timeout=20)
    assert confchg["group"] == "crmshell"
    assert confchg["members"] == [[1, pid]]
    assert confchg["joined"] == [[1, pid, JOIN]]
    opened = drv.expect("opened")
    assert opened["local"] == [1, pid] and opened["members"] == [[1, pid]]


def test_connect_timeout_names_the_call_and_the_reason(cold_node):
    drv = cold_node.driver()
    drv.expect("ready")
    drv.send(op="open_group", timeout=0.3)
    failed = drv.expect("failed", timeout=10)
    assert failed["kind"] == "CorosyncUnavailable"
    assert ("gave up waiting for corosync (CPG group crmshell) after 0.3 s: "
            "corosync is not running") in failed["message"]
    assert "cpg_model_initialize" in failed["message"]


def test_own_messages_come_back_in_agreed_order(driver):
    pid = driver.seen[0]["pid"]
    for i in range(20):
        driver.send(op="send", payload=f"m{i}")
    got = [driver.expect("deliver") for _ in range(20)]
    assert [d["payload"] for d in got] == [f"m{i}" for i in range(20)]
    assert {(d["nodeid"], d["pid"]) for d in got} == {(1, pid)}


def test_a_failing_callback_loses_and_reorders_nothing(driver):
    for payload in ("a", "boom", "b", "c"):
        driver.send(op="send", payload=payload)
    assert [driver.expect("deliver")["payload"] for _ in range(4)] == ["a", "boom", "b", "c"]
    driver.send(op="state")
    assert driver.expect("state")["group_open"] is True


def test_totem_change_reports_the_ring_and_its_nodes(driver):
    totem = next(r for r in driver.seen if r["event"] == "totem")
    assert totem["nodes"] == [1]
    assert totem["ring"][0] == 1 and totem["ring"][1] > 0


@pytest.mark.slow
def test_burst_of_2000_messages_of_20_kb_arrives_whole_and_in_order(driver):
    driver.send(op="burst", count=2000, size=20 * 1024, timeout=60)
    burst = driver.expect("burst", timeout=90)
    assert burst["delivered"] == 2000 and burst["in_order"], burst
    assert burst["max_queued"] <= 1024, burst   # the channel's queue stays bounded
    print(f"\n20 KB burst: {burst['per_second']:.0f} msg/s, "
          f"{burst['try_again']} TRY_AGAIN, {burst['max_queued']} queued at most")


@pytest.mark.slow
def test_latency_and_throughput_figures(driver):
    driver.send(op="rtt", count=500, size=200)
    rtt = driver.expect("rtt", timeout=30)
    driver.send(op="burst", count=10000, size=200, timeout=30)
    burst = driver.expect("burst", timeout=40)
    assert burst["delivered"] == 10000 and burst["in_order"]
    assert rtt["median_ms"] < 5
    print(f"\nown message round trip: median {rtt['median_ms']:.3f} ms, "
          f"max {rtt['max_ms']:.2f} ms; 200 B: {burst['per_second']:.0f} msg/s")


def test_corosync_killed_reports_loss_fails_sends_and_does_not_spin(node, driver):
    driver.send(op="open_quorum")
    driver.expect("quorum_opened")
    node.kill()
    lost = {}
    for _ in range(2):
        record = driver.expect("lost", timeout=10)
        lost[record["service"]] = record
    assert set(lost) == {"cpg", "quorum"}
    for record in lost.values():
        assert record["kind"] == "CorosyncUnavailable"
        assert "lost the connection to corosync" in record["message"]
    driver.send(op="send", payload="after")
    failed = driver.expect("failed")
    assert failed["kind"] == "CorosyncUnavailable" and "cpg_dispatch" in failed["message"]
    driver.send(op="state")
    assert driver.expect("state") == {"event": "state", "group_open": False,
                                      "quorum_open": False}
    driver.send(op="cpu", seconds=1.0)
    assert driver.expect("cpu")["seconds"] < 0.1   # the dead fd is no longer watched
    assert not [r for r in driver.seen if r["event"] == "lost"][2:]   # once per channel


def test_reconnect_after_corosync_restarts(node, driver):
    node.kill()
    driver.expect("lost")
    driver.send(op="open_group")
    time.sleep(0.3)
    node.start()
    driver.expect("opened", timeout=20)
    driver.send(op="send", payload="again")
    assert driver.expect("deliver")["payload"] == "again"


def test_a_closed_channel_refuses_to_send(driver):
    driver.send(op="close")
    driver.expect("closed")
    driver.send(op="send", payload="late")
    failed = driver.expect("failed")
    assert failed["kind"] == "CorosyncError" and "closed" in failed["message"]


