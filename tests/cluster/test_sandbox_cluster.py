"""Three real nodes: corosync and crmshelld on each, in a sandbox, driven through crmshell.

One CIB everywhere (a commit on one node is read on another), actions carried out on the
node the DC chose, failover when the node running a resource is killed (SIGKILL of the whole
node, as a crash), a new DC when the DC dies, rejoining nodes synced, a partition's minority
stopping its resources under no-quorum-policy=stop. The sandbox is taken down whatever
happens. Fencing is off but in the last test, where the sandbox's fence agent really takes
the lost node down before its resource is recovered.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
import time

import pytest
from sandbox_cluster import MARKS, NODES, REPO, sandbox_cluster, until

from crmshell.sandbox.commands import exec_argv
from daemon.replication.sync import ROUND_TIMEOUT_S

pytestmark = MARKS


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with sandbox_cluster(tmp_path_factory.mktemp("sandbox") / "box",
                         "configure\nproperty stonith-enabled=false\n"
                         "rsc_defaults resource-stickiness=100\ncommit\n") as c:
        yield c


def test_one_cib_everywhere_and_actions_on_the_chosen_nodes(cluster):
    assert all(cluster.dc(n) == "node1" for n in NODES)
    cluster.crm("node2", "-w", stdin="configure\n" + "".join(
        f"primitive s{i} ocf:crmshell:Dummy op monitor interval=5s\n" for i in range(3))
        + "commit\n")
    shown = {n: cluster.config(n) for n in NODES}
    assert "primitive s2 ocf:crmshell:Dummy" in shown["node1"]
    assert shown["node1"] == shown["node2"] == shown["node3"]
    placed = {cluster.where("node3", f"s{i}") for i in range(3)}
    assert placed == set(NODES)             # one on each node, as the scheduler spreads them
    # each node ran its own: the probes and the start are in that node's own history
    status = cluster.status("node1")
    for i in range(3):
        on = cluster.where("node1", f"s{i}")
        history = status.find(f"node_history/node[@name='{on}']/resource_history[@id='s{i}']")
        assert history is not None, f"s{i}: no history on {on}"


def test_cluster_status_inside_a_node_shows_its_services_and_the_summary(cluster):
    argv, env = exec_argv(cluster.box, "node2", [sys.executable, "-m", "crmshell", "cluster",
                                                 "status"])
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=REPO,
                          env={**env, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:3] == ["Cluster services on this node:",
                         "  * corosync: running (node id 2, 3 members, quorate)",
                         f"  * crmshelld: running (API on {cluster.socket('node2')})"], lines
    assert "Current DC: node1" in proc.stdout
    assert "partition with quorum" in proc.stdout


def test_a_killed_node_s_resource_is_started_elsewhere(cluster):
    cluster.crm("node1", "-w", "configure", "primitive", "victim", "ocf:crmshell:Dummy",
                "op", "monitor", "interval=5s")
    first = until(lambda: cluster.where("node1", "victim"))
    survivor = next(n for n in NODES if n != first)
    started = time.monotonic()
    cluster.sandbox("kill", first)
    moved = until(lambda: (lambda w: w if w not in (None, first) else None)(
        cluster.where(survivor, "victim")), timeout=30, step=0.05)
    took = time.monotonic() - started
    assert moved != first
    assert first not in cluster.online(survivor)
    print(f"\nkill -9 of {first} to victim Started on {moved}: {took:.2f} s")
    cluster.sandbox("start", first)
    until(lambda: cluster.online(survivor) == set(NODES), timeout=30)
    # the rejoined node has the cluster's CIB, not its own older one
    until(lambda: cluster.config(first) == cluster.config(survivor), timeout=20)
    assert cluster.where(first, "victim") == moved      # stickiness keeps it where it went


def test_a_new_dc_when_the_dc_dies(cluster):
    cluster.crm("node2", "-w", "configure", "primitive", "ondc", "ocf:crmshell:Dummy",
                "meta", "target-role=Started")
    cluster.crm("node2", "-w", stdin="configure\nlocation ondc-on-1 ondc 50: node1\ncommit\n")
    until(lambda: cluster.where("node2", "ondc") == "node1")
    cluster.sandbox("kill", "node1")
    until(lambda: cluster.dc("node3") == "node2", timeout=30)
    until(lambda: cluster.where("node3", "ondc") in ("node2", "node3"), timeout=30)
    cluster.sandbox("start", "node1")
    until(lambda: cluster.online("node2") == set(NODES), timeout=30)
    until(lambda: cluster.dc("node2") == "node1", timeout=30)   # the lowest node id leads
    until(lambda: cluster.config("node1") == cluster.config("node3"), timeout=20)


def test_the_minority_of_a_partition_stops_its_resources(cluster):
    cluster.crm("node1", "-w", stdin="configure\nproperty no-quorum-policy=stop\n"
                "primitive lonely ocf:crmshell:Dummy op monitor interval=5s\n"
                "location lonely-on-3 lonely 100: node3\ncommit\n")
    until(lambda: cluster.where("node1", "lonely") == "node3")
    cluster.sandbox("partition", "node3")
    # node3 alone has no quorum: it stops what it ran; the majority starts it again
    until(lambda: cluster.where("node3", "lonely") is None, timeout=30)
    until(lambda: cluster.where("node1", "lonely") in ("node1", "node2"), timeout=30)
    cluster.sandbox("heal")
    until(lambda: all(cluster.online(n) == set(NODES) for n in NODES), timeout=30)
    until(lambda: len({cluster.config(n) for n in NODES}) == 1, timeout=20)
    where = {cluster.where(n, "lonely") for n in NODES}
    assert len(where) == 1 and None not in where


def test_a_daemon_that_stops_answering_holds_a_sync_round_only_until_it_is_cut(cluster):
    until(lambda: all(cluster.online(n) == set(NODES) for n in NODES), timeout=30)
    before = len((cluster.box / "node1" / "crmshelld.log").read_text().splitlines())
    cluster.sandbox("exec", "node3", "--", "pkill", "-STOP", "-f", "crmshelld")
    try:
        cluster.sandbox("kill", "node2")
        cluster.sandbox("start", "node2")       # a join: a sync round node3 cannot answer
        started = time.monotonic()
        cluster.crm("node1", "configure", "property", "stuck-round=1", timeout=90)
        took = time.monotonic() - started
        assert took < ROUND_TIMEOUT_S + 10, took
        lines = (cluster.box / "node1" / "crmshelld.log").read_text().splitlines()[before:]
        assert any("the round goes on without node(s) 3" in line for line in lines), lines
    finally:
        cluster.sandbox("exec", "node3", "--", "pkill", "-CONT", "-f", "crmshelld")
    # node3 reads what it missed, in order, and ends with the same CIB
    until(lambda: len({cluster.config(n) for n in NODES}) == 1, timeout=30)
    assert "stuck-round=1" in cluster.config("node3")


def test_with_fencing_a_lost_node_is_fenced_before_its_resource_moves(cluster):
    cluster.crm("node1", "-w", stdin="configure\nproperty stonith-enabled=true\n"
                "property no-quorum-policy=stop\n"
                "primitive fence stonith:fence_sandbox params pcmk_host_list=\"node1 node2 node3\" "
                "pcmk_host_check=static-list\n"
                "primitive guarded ocf:crmshell:Dummy op monitor interval=5s\n"
                "location guarded-on-3 guarded 200: node3\ncommit\n")
    until(lambda: cluster.where("node1", "guarded") == "node3", timeout=30)
    killed = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")[:23]
    cluster.sandbox("kill", "node3")

    def fence_line():
        for n in ("node1", "node2"):
            for line in (cluster.box / n / "crmshelld.log").read_text().splitlines():
                if "node3 was fenced (reboot)" in line and line[:23] >= killed:
                    return line
        return None
    fenced_at = until(fence_line, timeout=40)[:23]
    until(lambda: cluster.where("node1", "guarded"), timeout=40)
    # nothing started guarded again before node3 was fenced (wherever it runs now)
    starts = [line[:23] for n in NODES
              for line in (cluster.box / n / "crmshelld.log").read_text().splitlines()
              if "running guarded_start_0" in line and line[:23] >= killed]
    assert starts and min(starts) >= fenced_at, (starts, fenced_at)
    # fence_sandbox's reboot starts node3 again: it rejoins with the cluster's CIB
    until(lambda: cluster.online("node1") == set(NODES), timeout=40)
    until(lambda: len({cluster.config(n) for n in NODES}) == 1, timeout=20)
