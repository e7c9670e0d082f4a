"""`node fence` on three real nodes: the request made on a node that is not the DC, the DC
running the sandbox's fence agent (which really kills the target, and for a reboot starts
it again), the resource recovered elsewhere, the fencing history on every node's `status`
(a node that was down learns it when it joins), and a fencing no device can do failing
with its reason and shown as failed. The sandbox is taken down whatever happens.

The device can fence node2 and node3 only, so that node1 (the DC) is the node no device can
fence.
"""

from __future__ import annotations


import pytest
from sandbox_cluster import MARKS, NODES, sandbox_cluster, until

pytestmark = MARKS

SETUP = """configure
property stonith-enabled=true
property no-quorum-policy=stop
rsc_defaults resource-stickiness=100
primitive fence stonith:fence_sandbox params pcmk_host_list="node2 node3" pcmk_host_check=static-list
primitive guarded ocf:crmshell:Dummy op monitor interval=5s
location guarded-on-3 guarded 50: node3
commit
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with sandbox_cluster(tmp_path_factory.mktemp("sandbox") / "box", SETUP) as c:
        yield c


def events(cluster, node: str) -> list[dict]:
    return [dict(e.attrib) for e in cluster.status(node).iterfind("fence_history/fence_event")]


def starts(cluster, node: str) -> int:
    return (cluster.box / node / "crmshelld.log").read_text().count("crmshelld 0.1.0 started")


def test_off_asked_on_a_node_that_is_not_the_dc(cluster):
    until(lambda: cluster.where("node1", "guarded") == "node3", timeout=30)
    assert cluster.dc("node2") == "node1"
    proc = cluster.crm("node2", "node", "fence", "node3", "off", "-y")
    assert "node3 was fenced (off) by node1 at " in proc.stderr, proc.stderr
    # it is down for real, its resource runs elsewhere, and the cluster says how it went
    until(lambda: "node3" not in cluster.online("node1"), timeout=30)
    assert until(lambda: cluster.where("node2", "guarded") in ("node1", "node2"), timeout=30)
    for node in ("node1", "node2"):
        assert {"action": "off", "target": "node3", "client": "crmshell", "origin": "node2",
                "status": "success", "delegate": "node1"}.items() <= events(cluster, node)[0].items()
        text = cluster.crm(node, "status", "--fence-history").stdout
        assert "Fencing History:\n  * off of node3 by node1 for crmshell@node2 successful at " \
            in text
        assert "Fencing History" not in cluster.crm(node, "status").stdout   # level 1: failures
    # node3 comes back and learns the history from the others
    cluster.sandbox("start", "node3")
    until(lambda: cluster.online("node1") == set(NODES), timeout=40)
    until(lambda: [e["target"] for e in events(cluster, "node3")] == ["node3"], timeout=20)


def _runs(history: list[dict]) -> list[tuple[str, str]]:
    """(action, status) of each fencing, the records of one joined run counted once."""
    out: list[tuple[str, str]] = []
    for e in history:
        if not out or out[-1] != (e["action"], e["status"]):
            out.append((e["action"], e["status"]))
    return out


def test_reboot_kills_the_node_and_it_comes_back(cluster):
    before = starts(cluster, "node3")
    proc = cluster.crm("node2", "node", "fence", "node3", "--yes")
    assert "node3 was fenced (reboot) by node1 at " in proc.stderr, proc.stderr
    assert starts(cluster, "node3") == before + 1          # a new crmshelld: it was killed
    until(lambda: cluster.online("node1") == set(NODES), timeout=40)
    until(lambda: cluster.where("node1", "guarded"), timeout=30)
    # the DC may notice node3 gone before the reboot ends: its own fencing of node3 then
    # joins the one under way, and shows as a second success of the same reboot
    for node in NODES:
        try:
            until(lambda: _runs(events(cluster, node))[:2] == [("reboot", "success"),
                                                                 ("off", "success")], timeout=20)
        except AssertionError:
            raise AssertionError(f"{node}: {events(cluster, node)}") from None


def test_a_node_no_device_can_fence_fails_with_its_reason(cluster):
    proc = cluster.crm("node3", "node", "fence", "node1", "-y", check=False)
    assert proc.returncode == 1
    assert "fencing node1 (reboot) failed: no fence device can reboot node1" in proc.stderr
    assert "node1" in cluster.online("node2")               # nothing happened to it
    line = ("  * reboot of node1 by node2 for crmshell@node3 last failed (no fence device can "
            "reboot node1) at ")
    for node in NODES:
        text = until(lambda: (lambda t: t if line in t else None)(
            cluster.crm(node, "status").stdout), timeout=20)
        assert "Failed Fencing Actions:\n" + line in text
        failed = [e for e in events(cluster, node) if e["status"] == "failed"]
        assert failed[0]["exit-reason"] == "no fence device can reboot node1"


def test_an_unknown_node_is_refused_before_anything_is_asked(cluster):
    proc = cluster.crm("node2", "node", "fence", "node7", "-y", check=False)
    assert proc.returncode == 1
    assert "node node7 is not in the cluster (known: node1, node2, node3)" in proc.stderr
    assert "Do you want to fence" not in proc.stderr
