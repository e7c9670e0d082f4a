"""Two real nodes (corosync's two_node: each half of a split keeps quorum), fencing on with
the sandbox's fence agent, which really kills its target.

A split is the fence race two-node clusters are known for: both halves are quorate and each
wants the other fenced. With no fencing delay configured, crmshell's default gives way on one
side only (daemon/fencing/delays.py): the node running the resource fences at once, the
other waits, so exactly one node is fenced and the resource never stops. A crash of the node
running the resource is recovered on the survivor after the default delay, fencing first.
"""

from __future__ import annotations

import datetime
import sys

import pytest
from sandbox_cluster import MARKS, sandbox_cluster, until

pytestmark = MARKS
NODES = ("node1", "node2")

SETUP = """configure
property stonith-enabled=true
rsc_defaults resource-stickiness=100
primitive fence stonith:fence_sandbox params pcmk_host_list="node1 node2" pcmk_host_check=static-list
primitive busy ocf:crmshell:Dummy op monitor interval=5s
location busy-on-2 busy 50: node2
commit
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with sandbox_cluster(tmp_path_factory.mktemp("sandbox") / "box", SETUP, 2) as c:
        yield c


def now() -> str:
    return datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")[:23]


def lines(cluster, node: str, words: str, since: str) -> list[str]:
    return [line for line in (cluster.box / node / "crmshelld.log").read_text().splitlines()
            if words in line and line[:23] >= since]


def test_two_nodes_have_quorum_each(cluster):
    until(lambda: cluster.where("node1", "busy") == "node2", timeout=30)
    for node in NODES:
        status = cluster.sandbox("exec", node, "--", sys.executable, "-m", "crmshell",
                                 "corosync", "status", "quorum").stdout
        assert "2Node" in status and "Quorate" in status, status   # corosync-quorumtool's flags


def test_a_split_fences_the_idle_node_only_and_the_resource_stays(cluster):
    until(lambda: cluster.where("node1", "busy") == "node2", timeout=30)
    split = now()
    cluster.sandbox("partition", "node2")
    # node2 runs busy: it fences node1 at once; node1 waits (the two-node default) and is
    # taken down before its turn comes
    until(lambda: lines(cluster, "node2", "node1 was fenced", split), timeout=40)
    assert lines(cluster, "node1", "fencing node2 (reboot) in 5.0 s", split)
    assert not any(lines(cluster, n, "node2 was fenced", split) for n in NODES)
    assert cluster.where("node2", "busy") == "node2"
    cluster.sandbox("heal")
    until(lambda: all(cluster.online(n) == set(NODES) for n in NODES), timeout=60)
    until(lambda: len({cluster.config(n) for n in NODES}) == 1, timeout=20)
    assert {cluster.where(n, "busy") for n in NODES} == {"node2"}
    assert not lines(cluster, "node2", "running busy_stop_0", split)


def test_the_crash_of_the_busy_node_is_recovered_after_fencing_it(cluster):
    until(lambda: all(cluster.online(n) == set(NODES) for n in NODES), timeout=60)
    until(lambda: cluster.where("node1", "busy") == "node2", timeout=30)
    killed = now()
    cluster.sandbox("kill", "node2")
    fenced = until(lambda: lines(cluster, "node1", "node2 was fenced", killed), timeout=40)
    # waited for first: node2 ran busy (the default delay); fenced, then started again
    # (on node1, or on node2 if its reboot brought it back first: busy prefers it)
    waited = lines(cluster, "node1", "fencing node2 (reboot) in 5.0 s", killed)
    assert waited and waited[0][:23] >= killed
    until(lambda: cluster.where("node1", "busy") is not None, timeout=40)
    starts = [line[:23] for n in NODES for line in lines(cluster, n, "running busy_start_0",
                                                         killed)]
    assert starts and min(starts) >= fenced[0][:23], (starts, fenced)
