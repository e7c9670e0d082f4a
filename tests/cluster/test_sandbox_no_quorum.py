"""no-quorum-policy on a real partition: node3 cut off from node1 and node2 loses quorum, and
what it runs follows the policy (`stop` has its test in test_sandbox_cluster.py).

- freeze: node3 keeps running what it ran and starts nothing;
- demote: node3 demotes its promoted instance and keeps it running unpromoted;
- fence: a node left alone, without the quorum it had, fences itself (and, back from the
  reboot, having had no quorum since, does not again).
"""

from __future__ import annotations

import subprocess
import time

import pytest
from sandbox_cluster import CRMSHELL, MARKS, REPO, sandbox_cluster, until

pytestmark = MARKS
NODES = ("node1", "node2", "node3")

SETUP = """configure
property stonith-enabled=false
rsc_defaults resource-stickiness=100
commit
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with sandbox_cluster(tmp_path_factory.mktemp("sandbox") / "box", SETUP) as c:
        yield c


def role_on(cluster, node: str, rsc: str, where: str) -> str | None:
    """The role of `rsc`'s instance on `where`, as `node` reports it."""
    for found in cluster.status(node).iter("resource"):
        if found.get("id") == rsc and found.get("active") == "true":
            on = found.find("node")
            if on is not None and on.get("name") == where:
                return found.get("role")
    return None


def log_since(cluster, node: str, words: str, since_lines: int) -> list[str]:
    lines = (cluster.box / node / "crmshelld.log").read_text().splitlines()[since_lines:]
    return [line for line in lines if words in line]


def log_length(cluster, node: str) -> int:
    return len((cluster.box / node / "crmshelld.log").read_text().splitlines())


def healed(cluster) -> None:
    cluster.sandbox("heal")
    until(lambda: all(cluster.online(n) == set(NODES) for n in NODES), timeout=60)
    until(lambda: len({cluster.config(n) for n in NODES}) == 1, timeout=30)


def test_freeze_keeps_the_minority_s_resources_running(cluster):
    cluster.crm("node1", "-w", stdin="configure\nproperty no-quorum-policy=freeze\n"
                "primitive frozen ocf:crmshell:Dummy op monitor interval=2s\n"
                "location frozen-on-3 frozen 100: node3\ncommit\n")
    until(lambda: cluster.where("node1", "frozen") == "node3", timeout=30)
    mark = log_length(cluster, "node3")
    cluster.sandbox("partition", "node3")
    until(lambda: cluster.online("node3") == {"node3"}, timeout=30)
    time.sleep(5)                       # monitors keep running; nothing is stopped
    assert cluster.where("node3", "frozen") == "node3"
    assert not log_since(cluster, "node3", "running frozen_stop_0", mark)
    assert log_since(cluster, "node3", "frozen_monitor_2000 returned ok", mark) or \
        cluster.where("node3", "frozen") == "node3"
    healed(cluster)
    cluster.crm("node1", "-w", stdin="configure\ndelete frozen-on-3\ndelete frozen\ncommit\n")


def test_demote_demotes_the_minority_s_promoted_instance(cluster):
    cluster.crm("node1", "-w", stdin="configure\nproperty no-quorum-policy=demote\n"
                "primitive db ocf:crmshell:Stateful op monitor interval=3s role=Promoted "
                "op monitor interval=4s role=Unpromoted\n"
                "clone db-clone db meta promotable=true promoted-max=1\n"
                "location db-promoted-on-3 db-clone rule $role=Promoted 100: #uname eq node3\n"
                "location db-promoted-on-1 db-clone rule $role=Promoted 50: #uname eq node1\n"
                "commit\n")
    until(lambda: role_on(cluster, "node1", "db", "node3") == "Promoted", timeout=40)
    cluster.sandbox("partition", "node3")
    until(lambda: cluster.online("node3") == {"node3"}, timeout=30)
    until(lambda: role_on(cluster, "node3", "db", "node3") == "Unpromoted", timeout=30)
    time.sleep(3)
    assert role_on(cluster, "node3", "db", "node3") == "Unpromoted"     # demoted, not stopped
    # the majority promotes an instance of its own, where it prefers it next
    until(lambda: role_on(cluster, "node1", "db", "node1") == "Promoted", timeout=30)
    healed(cluster)


def test_fence_has_a_partition_that_lost_quorum_fence_itself(cluster):
    cluster.crm("node1", "-w", stdin="configure\nproperty stonith-enabled=true\n"
                "property no-quorum-policy=fence\nprimitive fence stonith:fence_sandbox params "
                "pcmk_host_list=\"node1 node2 node3\" pcmk_host_check=static-list\ncommit\n")
    until(lambda: all(cluster.online(n) == set(NODES) for n in NODES), timeout=30)
    mark = log_length(cluster, "node1")
    # node2 and node3 at once: node1 is left alone, without the quorum it had
    killers = [subprocess.Popen([*CRMSHELL, "sandbox", "kill", "--dir", str(cluster.box), n],
                                env=cluster.env, cwd=REPO) for n in ("node2", "node3")]
    assert [k.wait(timeout=60) for k in killers] == [0, 0]
    until(lambda: log_since(cluster, "node1", "crmshelld 0.1.0 started", mark), timeout=60)
    said = log_since(cluster, "node1", "", mark)
    assert any("Fence (reboot) node1 'cluster does not have quorum'" in line for line in said), said
    assert any("fencing node1 (reboot)" in line for line in said), said
    # back from the reboot alone: it never had quorum since, so it does not fence again
    time.sleep(3)
    assert len(log_since(cluster, "node1", "crmshelld 0.1.0 started", mark)) == 1
