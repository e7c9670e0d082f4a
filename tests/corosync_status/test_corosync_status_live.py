"""`crmshell corosync status` against the real tools, on a real corosync cluster.

A sandbox (corosync alone: `--no-daemon`) runs 3 or 2 nodes; in one node's namespaces we run
`crmshell corosync status [ring|quorum|pcs]` and the tool it stands for (corosync-cfgtool -s,
corosync-quorumtool -s, and corosync-quorumtool -l for pcs, which prints that output
rstripped) and compare the texts byte for byte, masking only the Date line (the clock moves
between two runs). Then a node is killed and the comparison is made again, so the lines that
change (disconnected, Nodes, Total votes, Activity blocked, the ring id) are compared too.

The sandbox's totem is loopback-fast (token 300 ms), so on a loaded machine a knet link can
flap for a moment between two runs: a comparison is retried, and passes only when our text
equals the tool's run just before it and the tool's run just after it is the same (nothing
moved meanwhile). A real difference fails every attempt, with the diff.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crmshell.sandbox.commands import exec_argv

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not all(shutil.which(p) for p in ("corosync", "corosync-cfgtool", "corosync-quorumtool",
                                      "unshare", "nsenter")),
    reason="needs corosync and its tools, unshare and nsenter")]

REPO = Path(__file__).resolve().parents[2]
ROOT = os.geteuid() == 0
TOOLS = {"ring": ["corosync-cfgtool", "-s"], "quorum": ["corosync-quorumtool", "-s"],
         "pcs": ["corosync-quorumtool", "-l"]}
ATTEMPTS = 6
_DATE = re.compile(r"^Date:             (.*)$", re.M)


def sandbox(*args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crmshell", "sandbox", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def in_node(directory: Path, node: str, *argv: str) -> subprocess.CompletedProcess:
    """`crmshell sandbox exec NODE -- ARGV` without starting Python for the exec itself."""
    enter, env = exec_argv(directory, node, list(argv))
    return subprocess.run(enter, cwd=REPO, capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL, env=env)


def ours(directory: Path, node: str, view: str, *prefix: str) -> subprocess.CompletedProcess:
    return in_node(directory, node, *prefix, sys.executable, "-m", "crmshell", "corosync",
                   "status", view)


def masked(text: str) -> str:
    return _DATE.sub("Date:             <now>", text)


def same_as_tool(directory: Path, node: str, view: str) -> str:
    """Our text for `view` on `node`, once it equals the tool's (see the module's doc)."""
    diff = ""
    for _attempt in range(ATTEMPTS):
        before = in_node(directory, node, *TOOLS[view])
        mine = ours(directory, node, view)
        after = in_node(directory, node, *TOOLS[view])
        assert mine.returncode == 0 and "Traceback" not in mine.stderr, mine.stderr
        assert before.returncode in (0, 2), before.stderr   # quorumtool: 2 = not quorate
        expected = before.stdout.rstrip() + "\n" if view == "pcs" else before.stdout
        steady = masked(before.stdout) == masked(after.stdout)
        if steady and masked(mine.stdout) == masked(expected):
            return mine.stdout
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), mine.stdout.splitlines(),
                                              f"{' '.join(TOOLS[view])}", "crmshell", lineterm=""))
        time.sleep(0.3)
    pytest.fail(f"corosync status {view} on {node} differs from the tool:\n{diff}")


def compare_all(directory: Path, node: str) -> dict[str, str]:
    return {view: same_as_tool(directory, node, view) for view in TOOLS}


def wait_for(directory: Path, node: str, predicate, timeout: float = 15.0) -> None:
    """Until the real tools on `node` show what `predicate(ring, quorum)` wants."""
    deadline = time.monotonic() + timeout
    while True:
        ring = in_node(directory, node, *TOOLS["ring"]).stdout
        quorum = in_node(directory, node, *TOOLS["quorum"]).stdout
        if predicate(ring, quorum):
            return
        if time.monotonic() > deadline:
            pytest.fail(f"the tools never showed the expected state:\n{ring}\n{quorum}")
        time.sleep(0.1)


def nodes_line(count: int) -> str:
    return f"Nodes:            {count}\n"


@pytest.fixture
def cluster(tmp_path: Path, request):
    """A sandbox of `request.param` nodes, corosync alone; always taken down."""
    directory = tmp_path / "sbx"
    try:
        done = sandbox("up", "--nodes", str(request.param), "--no-daemon", "--no-attach",
                       "--dir", str(directory))
        assert done.returncode == 0, done.stderr
        yield directory
    finally:
        sandbox("down", "--dir", str(directory))


def formed(cluster: Path, node: str, count: int) -> dict[str, str]:
    """The views on `node` compared, once its tools see all `count` nodes, links up."""
    wait_for(cluster, node, lambda ring, quorum: nodes_line(count) in quorum
             and ring.count("\tconnected") == count - 1)
    return compare_all(cluster, node)


def lose(cluster: Path, victim: str, watcher: str, left: int) -> dict[str, str]:
    """Kill `victim`; the views on `watcher` compared once its tools see the loss."""
    assert sandbox("kill", victim, "--dir", str(cluster)).returncode == 0
    gone = f"nodeid: {victim.removeprefix('node'):>10}:\tdisconnected"
    wait_for(cluster, watcher, lambda ring, quorum: nodes_line(left) in quorum and gone in ring)
    return compare_all(cluster, watcher)


@pytest.mark.parametrize("cluster", [3], indirect=True)
def test_three_nodes_then_one_lost_then_quorum_lost(cluster: Path) -> None:
    first = formed(cluster, "node1", 3)
    assert "\t\tnodeid:          1:\tlocalhost\n" in first["ring"]
    assert "Flags:            Quorate \n" in first["quorum"]
    assert first["pcs"].startswith("\nMembership information\n")
    middle = compare_all(cluster, "node2")   # this node in the middle of the node list
    assert "         2          1 node2 (local)\n" in middle["quorum"]

    lost = lose(cluster, "node3", "node1", 2)
    assert "\t\tnodeid:          3:\tdisconnected\n" in lost["ring"]
    assert "Total votes:      2\n" in lost["quorum"] and "node3" not in lost["pcs"]
    assert masked(lost["quorum"]) != masked(first["quorum"])   # the comparison sees changes

    alone = lose(cluster, "node2", "node1", 1)
    assert "Quorate:          No\n" in alone["quorum"]
    assert "Quorum:           2 Activity blocked\n" in alone["quorum"]
    assert "Flags:            \n" in alone["quorum"]
    stamp = _DATE.search(alone["quorum"])[1]
    assert abs(time.mktime(time.strptime(stamp)) - time.time()) < 60


@pytest.mark.parametrize("cluster", [2], indirect=True)
def test_two_nodes_with_two_node_then_one_lost(cluster: Path) -> None:
    both = formed(cluster, "node2", 2)
    assert "Flags:            2Node Quorate WaitForAll \n" in both["quorum"]
    assert "Quorum:           1  \n" in both["quorum"]
    survivor = lose(cluster, "node1", "node2", 1)
    assert "Quorate:          Yes\n" in survivor["quorum"]   # two_node keeps the survivor quorate
    assert "\t\tnodeid:          1:\tdisconnected\n" in survivor["ring"]


@pytest.mark.skipif(not ROOT or shutil.which("setpriv") is None,
                    reason="needs root to run as another user (setpriv)")
@pytest.mark.parametrize("cluster", [1], indirect=True)
def test_a_user_corosync_refuses_gets_what_cfgtool_says_in_one_line(cluster: Path) -> None:
    # uid 65534 as corosync sees it; dac_read_search only lets it read this Python installation
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
              "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
    tool = in_node(cluster, "node1", *nobody, *TOOLS["ring"])
    assert tool.returncode == 1
    assert tool.stderr == "Could not initialize corosync configuration API error 11\n"
    for view in ("ring", "quorum", "pcs"):
        mine = ours(cluster, "node1", view, *nobody)
        assert mine.returncode == 1 and mine.stdout == "", mine.stderr
        first = mine.stderr.splitlines()[0]
        assert "corosync refused this user (uid 65534): access denied, CS_ERR_ACCESS" in first
        assert tool.stderr.strip() in first and "Traceback" not in mine.stderr


def test_corosync_not_running_is_one_line_and_exit_status_1() -> None:
    """In a network namespace of its own no corosync answers (its IPC sockets are abstract,
    scoped by network namespace)."""
    alone = ["unshare", "--net"] if ROOT else ["unshare", "--user", "--map-root-user", "--net"]
    for view in ("ring", "quorum", "pcs"):
        done = subprocess.run([*alone, sys.executable, "-m", "crmshell", "corosync", "status",
                               view], cwd=REPO, capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 1 and done.stdout == "", done.stderr
        assert done.stderr.splitlines()[0] == (
            "<command line>:1:1: corosync is not running on this node: nothing answers on its "
            "local IPC (CS_ERR_LIBRARY); start corosync, or run this on a cluster node")
