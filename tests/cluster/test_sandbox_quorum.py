"""Votequorum's options on real sandboxes: the cluster has quorum exactly when corosync says
so, with the options corosync.conf gives (`sandbox up --quorum ...`), and resources follow
it under no-quorum-policy=stop.

- auto_tie_breaker, 4 nodes split 2 + 2: the half with the lowest node id keeps quorum and
  its resources, the other half stops them;
- last_man_standing, 4 nodes losing one at a time with the window between: expected votes
  follow, and the last two keep quorum (2 of 4 would not be quorate without it);
- wait_for_all, 3 nodes all down, then two started: not quorate until all three have been
  seen together, and nothing starts before.
"""

from __future__ import annotations

import sys
import time

import pytest
from sandbox_cluster import MARKS, sandbox_cluster, until

pytestmark = MARKS

SETUP = """configure
property stonith-enabled=false
property no-quorum-policy=stop
rsc_defaults resource-stickiness=100
primitive low ocf:crmshell:Dummy op monitor interval=5s
primitive high ocf:crmshell:Dummy op monitor interval=5s
location low-on-2 low 100: node2
location high-on-4 high 100: node{high}
commit
"""


def quorate(cluster, node: str) -> bool:
    current = cluster.status(node).find("summary/current_dc")
    return current is not None and current.get("with_quorum") == "true"


def flags(cluster, node: str) -> str:
    out = cluster.sandbox("exec", node, "--", sys.executable, "-m", "crmshell", "corosync",
                          "status", "quorum").stdout
    return next((line for line in out.splitlines() if line.startswith("Flags:")), "")


def test_auto_tie_breaker_keeps_the_half_with_the_lowest_node_id(tmp_path):
    with sandbox_cluster(tmp_path / "box", SETUP.format(high=4), 4,
                         "--quorum", "auto_tie_breaker") as cluster:
        until(lambda: cluster.where("node1", "high") == "node4", timeout=30)
        until(lambda: cluster.where("node1", "low") == "node2", timeout=30)
        assert "AutoTieBreaker" in flags(cluster, "node1")
        cluster.sandbox("partition", "node3", "node4")
        until(lambda: not quorate(cluster, "node3") and not quorate(cluster, "node4"), timeout=30)
        assert quorate(cluster, "node1") and quorate(cluster, "node2")
        # the losing half stops what it ran; the winning half keeps low and recovers high
        until(lambda: cluster.where("node4", "high") is None, timeout=30)
        until(lambda: cluster.where("node1", "high") in ("node1", "node2"), timeout=30)
        assert cluster.where("node1", "low") == "node2"


def test_last_man_standing_lets_the_last_two_of_four_keep_quorum(tmp_path):
    with sandbox_cluster(tmp_path / "box", SETUP.format(high=2), 4, "--quorum",
                         "last_man_standing,last_man_standing_window=1000") as cluster:
        until(lambda: cluster.where("node1", "low") == "node2", timeout=30)
        assert "LastManStanding" in flags(cluster, "node1")
        cluster.sandbox("kill", "node4")
        until(lambda: len(cluster.online("node1")) == 3, timeout=30)
        time.sleep(2.5)                 # the window (1 s) passes: expected votes become 3
        cluster.sandbox("kill", "node3")
        until(lambda: len(cluster.online("node1")) == 2, timeout=30)
        time.sleep(2.0)
        assert quorate(cluster, "node1") and quorate(cluster, "node2")
        assert cluster.where("node1", "low") == "node2"
        assert cluster.where("node1", "high") == "node2"


def test_wait_for_all_holds_quorum_until_every_node_was_seen(tmp_path):
    with sandbox_cluster(tmp_path / "box", SETUP.format(high=3), 3,
                         "--quorum", "wait_for_all") as cluster:
        until(lambda: cluster.where("node1", "low") == "node2", timeout=30)
        assert "WaitForAll" in flags(cluster, "node1")
        for node in ("node1", "node2", "node3"):
            cluster.sandbox("kill", node)
        for node in ("node1", "node2"):
            cluster.sandbox("start", node)
        until(lambda: cluster.online("node1") == {"node1", "node2"}, timeout=30)
        time.sleep(2.0)
        # two of three would be a majority; wait_for_all wants all three seen first
        assert not quorate(cluster, "node1") and not quorate(cluster, "node2")
        assert cluster.where("node1", "low") is None and cluster.where("node1", "high") is None
        cluster.sandbox("start", "node3")
        until(lambda: quorate(cluster, "node1"), timeout=30)
        until(lambda: cluster.where("node1", "low") == "node2", timeout=30)
