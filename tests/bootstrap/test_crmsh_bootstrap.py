"""crmsh's way, for real, on three bare sandbox hosts with sshd: `cluster init` on node1,
`cluster join -c node1` from node2 (an unknown host key refused first, then accepted with
--accept-new-host-key), `cluster add node3` from node1, a join that fails half-way rolled
back and retried, then a resource failing over when its node dies, and `cluster remove`.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.bootstrap.bare_hosts import MARKS, BareHosts, processes_containing, until

pytestmark = MARKS


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    box = BareHosts(tmp_path_factory.mktemp("bare") / "box", 3)
    try:
        box.up()
        yield box
    finally:
        box.down()


def _nodes_in_conf(hosts, node):
    text = hosts.run(node, "cat", "/etc/corosync/corosync.conf", check=False).stdout
    return re.findall(r"^\s+name: (\S+)", text, re.M)


def test_init_makes_a_running_one_node_cluster(hosts):
    start = time.monotonic()
    out = hosts.crm("node1", "cluster", "init", "-n", "web", "-y")
    took = time.monotonic() - start
    assert "node1: writing the corosync authkey and corosync.conf ... done" in out.stderr
    assert "warning: fencing is enabled and no fencing device" in out.stderr
    assert took < 10, f"init took {took:.1f} s"
    mode = hosts.run("node1", "stat", "-c", "%a", "/etc/corosync/authkey").stdout.strip()
    assert mode == "400"
    status = hosts.crm("node1", "status").stdout
    assert "Current DC: node1" in status and "partition with quorum" in status
    shown = hosts.crm("node1", "configure", "show").stdout
    assert "cluster-name=web" in shown and "resource-stickiness=1" in shown
    again = hosts.crm("node1", "cluster", "init", "-n", "other", check=False)
    assert again.returncode == 1 and "already part of cluster 'web'" in again.stderr


def test_join_refuses_an_unknown_host_key_then_accepts_it_with_the_flag(hosts):
    refused = hosts.crm("node2", "cluster", "join", "-c", "node1", check=False)
    assert refused.returncode == 1
    assert "unknown host key" in refused.stderr and "SHA256:" in refused.stderr
    assert "--accept-new-host-key" in refused.stderr
    assert _nodes_in_conf(hosts, "node1") == ["node1"]
    start = time.monotonic()
    out = hosts.crm("node2", "cluster", "join", "-c", "node1", "--accept-new-host-key")
    took = time.monotonic() - start
    assert "node1: adding node2 to corosync.conf ... done" in out.stderr
    assert took < 15, f"join took {took:.1f} s"
    assert _nodes_in_conf(hosts, "node1") == ["node1", "node2"]
    assert "two_node: 1" in hosts.run("node2", "cat", "/etc/corosync/corosync.conf").stdout
    until(lambda: "Online: [ node1 node2 ]" in hosts.crm("node1", "status").stdout)


def test_a_join_failing_half_way_is_rolled_back_and_a_retry_succeeds(hosts):
    # crmshelld cannot start on node3: its log directory is a file
    hosts.run("node3", "sh", "-c", "rm -rf /var/log/crmshell && touch /var/log/crmshell")
    failed = hosts.crm("node3", "cluster", "join", "-c", "node1", "--accept-new-host-key",
                       check=False)
    assert failed.returncode == 1, failed.stderr
    assert "node3: starting corosync and crmshelld failed" in failed.stderr
    assert "rolling back" in failed.stderr
    for node in ("node1", "node2"):
        assert _nodes_in_conf(hosts, node) == ["node1", "node2"]
    assert hosts.run("node3", "test", "-e", "/etc/corosync/corosync.conf",
                     check=False).returncode == 1
    assert hosts.run("node3", "pgrep", "-x", "corosync", check=False).returncode == 1
    hosts.run("node3", "rm", "-f", "/var/log/crmshell")
    out = hosts.crm("node1", "cluster", "add", "node3", "--accept-new-host-key")
    assert "node3: waiting to join the cluster (3 nodes) ... done" in out.stderr
    for node in ("node1", "node2", "node3"):
        assert _nodes_in_conf(hosts, node) == ["node1", "node2", "node3"]
    until(lambda: "Online: [ node1 node2 node3 ]" in hosts.crm("node2", "status").stdout)


def test_a_resource_fails_over_when_its_node_dies(hosts):
    hosts.crm("node1", "configure", "property", "stonith-enabled=false")
    hosts.crm("node1", "configure", "primitive", "web-ip", "ocf:crmshell:Dummy",
              "op", "monitor", "interval=2s")
    first = until(lambda: hosts.where("node1", "web-ip"))
    survivor = next(n for n in ("node1", "node2", "node3") if n != first)
    hosts.sandbox("kill", first)
    moved = until(lambda: (lambda at: at if at not in (None, first) else None)(
        hosts.where(survivor, "web-ip")), timeout=30)
    assert moved != first
    hosts.sandbox("start", first)


def test_an_unreachable_host_is_named_with_the_cause(hosts):
    out = hosts.crm("node1", "cluster", "add", "10.213.0.99", "--accept-new-host-key",
                    check=False)
    assert out.returncode == 1
    assert "10.213.0.99" in out.stderr and "cannot connect" in out.stderr.lower()
    assert _nodes_in_conf(hosts, "node1") == ["node1", "node2", "node3"]


def test_remove_takes_a_node_out_everywhere(hosts):
    out = hosts.crm("node1", "cluster", "remove", "node3", "-y", "--accept-new-host-key")
    assert "node3: stopping the cluster services ... done" in out.stderr
    for node in ("node1", "node2"):
        assert _nodes_in_conf(hosts, node) == ["node1", "node2"]
    assert hosts.run("node3", "test", "-e", "/etc/corosync/corosync.conf",
                     check=False).returncode == 1
    until(lambda: "node3" not in hosts.crm("node1", "configure", "show").stdout)


def test_no_secret_is_left_in_files_or_argv(hosts):
    assert hosts.files_containing(hosts.password) == []
    assert processes_containing(hosts.password) == []


def test_corosync_conf_commands_keep_the_nodes_in_step(hosts):
    assert "is the same on every node" in hosts.crm("node1", "corosync", "diff").stdout
    shown = hosts.crm("node2", "corosync", "show").stdout
    assert "cluster_name: web" in shown and "crypto_cipher: aes256" in shown
    hosts.crm("node1", "corosync", "add-node", "spare", "10.213.0.50")
    for node in ("node1", "node2"):
        assert _nodes_in_conf(hosts, node) == ["node1", "node2", "spare"]
    pushed = hosts.crm("node1", "corosync", "push", check=False)   # spare is no host
    assert pushed.returncode == 1 and "corosync push: spare: connecting failed" in pushed.stderr
    assert "node2: writing corosync.conf ... done" in pushed.stderr
    hosts.crm("node1", "corosync", "remove-node", "spare")
    for node in ("node1", "node2"):
        assert _nodes_in_conf(hosts, node) == ["node1", "node2"]
    bad = hosts.crm("node1", "corosync", "pull", "node9", check=False)
    assert bad.returncode == 1 and "node9" in bad.stderr


def test_rename_then_destroy_everywhere(hosts):
    hosts.crm("node1", "cluster", "rename", "shop")
    for node in ("node1", "node2"):
        assert "cluster_name: shop" in hosts.run(node, "cat", "/etc/corosync/corosync.conf").stdout
    assert "cluster-name=shop" in hosts.crm("node1", "configure", "show").stdout
    refused = hosts.crm("node1", "cluster", "destroy", "--all", check=False)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    hosts.crm("node1", "cluster", "destroy", "--all", "-y")
    for node in ("node1", "node2"):
        assert hosts.run(node, "test", "-e", "/etc/corosync/corosync.conf",
                         check=False).returncode == 1
        assert hosts.run(node, "pgrep", "-x", "corosync", check=False).returncode == 1
