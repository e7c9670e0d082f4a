"""crmshelld as a process: waiting for corosync, losing it, kill -9 during commits."""

from __future__ import annotations

import random
import shutil
import subprocess
import threading

import pytest
from lxml import etree

from daemon_node import DaemonNode

from daemon.api.errors import ApiError
from daemon.cib.patchset import make_patchset

pytestmark = pytest.mark.skipif(
    not (shutil.which("corosync") and shutil.which("unshare") and shutil.which("nsenter")),
    reason="needs corosync, unshare and nsenter")


@pytest.fixture
def daemon_node():
    node = DaemonNode()
    try:
        yield node
    finally:
        node.close()


def commit(client, edit) -> list[int]:
    reply = client.call("query")
    old, new = etree.fromstring(reply.body), etree.fromstring(reply.body)
    edit(new)
    return client.call("apply-patch", body=etree.tostring(make_patchset(old, new))).result["version"]


def set_counter(value: int):
    return set_property("counter", str(value))


def set_property(name: str, value: str):
    """Set cluster property `name` in the property set `test` (made when missing)."""
    def edit(cib):
        crm_config = cib.find("configuration/crm_config")
        cps = crm_config.find("cluster_property_set[@id='test']")
        if cps is None:
            cps = etree.SubElement(crm_config, "cluster_property_set", id="test")
        nv = cps.find(f"nvpair[@id='test-{name}']")
        if nv is None:
            nv = etree.SubElement(cps, "nvpair", id=f"test-{name}", name=name)
        nv.set("value", value)
    return edit


def add_dummy(rid: str, monitor: str | None = "1s"):
    def edit(cib):
        prim = etree.SubElement(cib.find("configuration/resources"), "primitive", id=rid,
                                provider="crmshell", type="Dummy")
        prim.set("class", "ocf")
        if monitor:
            ops = etree.SubElement(prim, "operations")
            etree.SubElement(ops, "op", id=f"{rid}-monitor-{monitor}", name="monitor",
                             interval=monitor)
    return edit


def fencing_off(cib):
    crm_config = cib.find("configuration/crm_config")
    cps = etree.SubElement(crm_config, "cluster_property_set", id="cib-test-options")
    etree.SubElement(cps, "nvpair", id="cto-stonith", name="stonith-enabled", value="false")


def test_it_waits_for_corosync_serving_reads_and_refusing_writes(daemon_node):
    daemon_node.start_daemon()
    hello = daemon_node.until(daemon_node.hello)
    assert hello["connected"] is False
    with daemon_node.client() as client:
        assert client.call("query").body.startswith(b"<cib")
        with pytest.raises(ApiError) as refused:
            commit(client, set_counter(1))
        assert refused.value.code == "unavailable"
    daemon_node.start_corosync()
    hello = daemon_node.wait_dc()
    assert hello["node"] == "node1" and hello["node_id"] == "1" and hello["quorate"]
    with daemon_node.client() as client:
        assert commit(client, set_counter(2))[1] >= 1
    assert "waiting for corosync" in daemon_node.log_text()


def test_corosync_going_away_keeps_the_cib_and_comes_back(daemon_node):
    daemon_node.start_corosync()
    daemon_node.start_daemon()
    daemon_node.wait_dc()
    with daemon_node.client() as client:
        version = commit(client, set_counter(7))
    daemon_node.kill_corosync()
    daemon_node.until(lambda: (h := daemon_node.hello()) and h["connected"] is False)
    with daemon_node.client() as client:
        assert b'value="7"' in client.call("query", {"xpath": "//nvpair[@id='test-counter']"}).body
        with pytest.raises(ApiError) as refused:
            commit(client, set_counter(8))
        assert refused.value.code == "unavailable"
    assert "corosync" in daemon_node.log_text()
    daemon_node.start_corosync()
    daemon_node.wait_dc()
    with daemon_node.client() as client:
        assert commit(client, set_counter(9))[:2] > version[:2]


def running_one_dummy(daemon_node, rid: str = "d1", monitor: str | None = "1s") -> None:
    """Corosync and the daemon up, fencing off, one Dummy started and the cluster settled."""
    daemon_node.start_corosync()
    daemon_node.start_daemon()
    daemon_node.wait_dc()
    with daemon_node.client() as client:
        commit(client, fencing_off)
        commit(client, add_dummy(rid, monitor))
        client.call("wait", {"timeout": 30})


def test_a_resource_starts_and_the_transition_is_waited_for(daemon_node):
    running_one_dummy(daemon_node)
    with daemon_node.client() as client:
        status = etree.fromstring(client.call("status", {"format": "xml"}).body)
    rsc = status.find(".//resource[@id='d1']")
    assert rsc is not None and rsc.get("role") == "Started" and rsc.get("active") == "true"


def test_sigterm_stops_resources_then_leaves(daemon_node):
    running_one_dummy(daemon_node)
    assert daemon_node.kill_daemon(sig=15) == 0
    log = daemon_node.log_text()
    assert "shutting down" in log and "d1_stop_0" in log


@pytest.mark.slow
def test_kill_9_during_commits_leaves_a_committed_valid_cib_and_running_resources(daemon_node,
                                                                                tmp_path):
    """Every commit that was answered survives the kill: the daemon answers a change of
    the configuration once it is on disk (one node has no peer to take it back from)."""
    rounds = 100
    rng = random.Random(7)
    running_one_dummy(daemon_node, "keep", monitor="10s")
    sent: set[int] = set()
    counter = acknowledged = 0
    for round_ in range(rounds):
        stop = threading.Event()

        def stream():
            nonlocal counter, acknowledged
            try:
                with daemon_node.client(timeout=5) as client:
                    while not stop.is_set():
                        counter += 1
                        sent.add(counter)
                        commit(client, set_counter(counter))
                        acknowledged = counter
            except (ApiError, OSError):
                pass
        writer = threading.Thread(target=stream)
        writer.start()
        threading.Event().wait(rng.uniform(0.0, 0.15))
        daemon_node.kill_daemon()
        stop.set()
        writer.join(10)
        daemon_node.start_daemon()
        daemon_node.wait_dc()
        with daemon_node.client() as client:
            cib = client.call("query").body
            root = etree.fromstring(cib)
            if root.find(".//primitive[@id='keep']") is None:
                kept = tmp_path / "lost"
                shutil.copytree(daemon_node.dir, kept, ignore=shutil.ignore_patterns("*.sock"),
                                dirs_exist_ok=True)
                (kept / "query.xml").write_bytes(cib)
                pytest.fail(f"round {round_}: the restarted daemon lost the configuration "
                            f"(epoch {root.get('epoch')}); its files kept in {kept}\n"
                            f"{daemon_node.log_text()[-6000:]}")
            counter_nv = root.find(".//nvpair[@id='test-counter']")
            if counter_nv is not None:
                assert int(counter_nv.get("value")) in sent, f"round {round_}"
            assert acknowledged == 0 or (counter_nv is not None
                                         and int(counter_nv.get("value")) >= acknowledged), \
                f"round {round_}: commit {acknowledged} was answered, then lost"
            if round_ % 20 == 0:
                path = tmp_path / "cib.xml"
                path.write_bytes(cib)
                verify = subprocess.run(["crm_verify", "-x", str(path)], capture_output=True,
                                        text=True, timeout=60)
                assert verify.returncode == 0, verify.stdout + verify.stderr
    with daemon_node.client() as client:
        client.call("wait", {"timeout": 30})
    # Every restart probed "keep" and found it running: it was never started again.
    log = daemon_node.log_text()
    assert log.count("running keep_start_0") == 1, "a restarted daemon restarted a running resource"


def test_concurrent_commits_each_apply_once_with_their_own_version(daemon_node):
    """Clients committing at once, so that updates travel several to a message (outbox.py):
    each is still applied alone, acknowledged with its own version, none lost or doubled."""
    daemon_node.start_corosync()
    daemon_node.start_daemon()
    daemon_node.wait_dc()
    clients, rounds = 8, 25
    with daemon_node.client() as client:
        for c in range(clients):
            commit(client, set_property(f"c{c}", "start"))
        base = etree.fromstring(client.call("query").body)
    epoch0 = int(base.get("epoch"))
    versions: list[tuple] = []
    errors: list[str] = []

    def run(c: int) -> None:
        try:
            with daemon_node.client() as mine:
                for i in range(rounds):
                    body = etree.tostring(make_patchset(*_property_pair(base, f"c{c}", str(i))))
                    versions.append(tuple(mine.call("apply-patch", {"force": True},
                                                    body).result["version"]))
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(repr(err))
    threads = [threading.Thread(target=run, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    epochs = sorted(v[1] for v in versions)
    assert epochs == list(range(epoch0 + 1, epoch0 + 1 + clients * rounds))
    with daemon_node.client() as client:
        cib = etree.fromstring(client.call("query").body)
    assert int(cib.get("epoch")) == epoch0 + clients * rounds
    for c in range(clients):
        assert cib.find(f".//nvpair[@id='test-c{c}']").get("value") == str(rounds - 1)


def _property_pair(base, name: str, value: str):
    new = etree.fromstring(etree.tostring(base))
    set_property(name, value)(new)
    return base, new
