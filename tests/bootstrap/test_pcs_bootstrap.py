"""pcs's way, for real, on three bare sandbox hosts running the remote API: `cluster auth`
with a wrong and then the right hacluster password (checked by PAM on each node),
`cluster setup --start --wait` to a formed cluster with a DC, `cluster stop/start --all`,
and a revoked token refused by the node."""

from __future__ import annotations

import json
import time

import pytest

from tests.bootstrap.bare_hosts import CRMSHELL, MARKS, BareHosts, processes_containing, until

pytestmark = MARKS
NODES = ("node1", "node2", "node3")


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    box = BareHosts(tmp_path_factory.mktemp("bare") / "box", 3)
    try:
        box.up()
        for node in NODES:   # the remote API answers on every host, as pcsd after install
            until(lambda node=node: hosts_ping(box, node), timeout=20)
        yield box
    finally:
        box.down()


def hosts_ping(box: BareHosts, node: str) -> bool:
    code = ("from daemon.remote.client import RemoteClient as C; c = C('127.0.0.1', 2224); "
            "print(c.call('ping')['node'])")
    out = box.run(node, *CRMSHELL[:1], "-c", code, check=False)
    return out.returncode == 0 and node in out.stdout


def _known(hosts: BareHosts, node: str) -> dict:
    out = hosts.run(node, "cat", "/var/lib/crmshell/known-nodes.json", check=False)
    return json.loads(out.stdout) if out.returncode == 0 else {}


def test_a_wrong_password_is_refused_by_every_node(hosts):
    out = hosts.crm("node1", "cluster", "auth", *NODES, "-u", "hacluster",
                    stdin="not-the-password\n", check=False)
    assert out.returncode == 1
    assert "authentication failed" in out.stderr
    assert "not-the-password" not in out.stderr + out.stdout
    assert not any(entry.get("token") for entry in _known(hosts, "node1").values())


def test_auth_setup_and_start_all(hosts):
    out = hosts.crm("node1", "cluster", "auth", *NODES, stdin=hosts.password + "\n")
    assert "authorized: node1, node2, node3" in out.stdout
    mode = hosts.run("node1", "stat", "-c", "%a", "/var/lib/crmshell/known-nodes.json")
    assert mode.stdout.strip() == "600"
    known = _known(hosts, "node1")
    assert all(known[n]["fingerprint"].startswith("SHA256:") for n in NODES)
    start = time.monotonic()
    out = hosts.crm("node1", "cluster", "setup", "web", *NODES, "--start", "--wait")
    took = time.monotonic() - start
    assert "node3: writing the corosync authkey and corosync.conf ... done" in out.stderr
    assert took < 15, f"setup took {took:.1f} s"
    status = hosts.crm("node3", "status").stdout
    assert "Online: [ node1 node2 node3 ]" in status and "Current DC:" in status
    # every node got the known nodes, so any of them can run the whole cluster
    assert set(_known(hosts, "node2")) == set(NODES)
    hosts.crm("node2", "cluster", "stop", "--all")
    for node in NODES:
        assert hosts.run(node, "pgrep", "-x", "corosync", check=False).returncode == 1
    hosts.crm("node2", "cluster", "start", "--all", "--wait")
    until(lambda: "Online: [ node1 node2 node3 ]" in hosts.crm("node1", "status").stdout)


def test_a_revoked_token_is_refused(hosts):
    token = _known(hosts, "node1")["node3"]["token"]
    hosts.crm("node1", "cluster", "deauth", "node3")
    assert "node3" not in _known(hosts, "node1")
    code = ("import sys; from daemon.remote.client import RemoteClient as C, RemoteError as E\n"
            "try:\n C('node3', 2224).call('info', {}, token=sys.stdin.read().strip())\n"
            "except E as e: print('refused', e.code, e)\nelse: print('accepted')")
    out = hosts.run("node1", *CRMSHELL[:1], "-c", code, stdin=token)
    assert out.stdout.startswith("refused unauthenticated"), out.stdout


def test_no_password_in_any_file_or_argv(hosts):
    assert hosts.files_containing(hosts.password) == []
    assert processes_containing(hosts.password) == []
