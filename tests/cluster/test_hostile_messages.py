"""Hostile messages and a wrong key, against real corosync and real daemons in a sandbox.

A process in the daemons' CPG group on node2 (tests/cluster/hostile_member.py, our own
binding) records what the daemons send, then sends garbage, cut and oversized messages
(5 MB, and a zip bomb), forgeries (another node's origin, another process's pid, another
node's name as the update's origin, the DC's messages from a non-DC) and replays of the
daemons' own messages and of its own. Every daemon must still answer, keep its CIB (version
and content) and name each drop in its log.

Then node3 is started with an authkey of its own: its corosync must stay alone (never in
the others' membership, which keeps its two members and quorum), and with the cluster's
key again it joins, which shows the key was all that kept it out.

The sandbox is taken down whatever happens.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from daemon.agents.fence import sandbox_control as control
from daemon.api.client import ApiClient
from daemon.corosync.conf import new_authkey, write_authkey
from sandbox_cluster import CRMSHELL, Cluster, MARKS, REPO, sandbox_cluster, until

HERE = Path(__file__).resolve().parent

pytestmark = MARKS


class Box(Cluster):
    """The sandbox as the cluster tests drive it, and the daemons' API and logs."""

    def call(self, node: str, op: str):
        with ApiClient(self.socket(node), timeout=10) as client:
            return client.call(op)

    def cib(self, node: str) -> tuple[list, bytes]:
        reply = self.call(node, "query")
        return reply.result["version"], reply.body

    def exec_argv(self, node: str, *command: str) -> list[str]:
        return [*CRMSHELL, "sandbox", "exec", "--dir", str(self.box), node, "--", *command]

    def log(self, node: str) -> str:
        return (self.box / node / "crmshelld.log").read_text(errors="replace")

    def quorum_tool(self, node: str) -> str:
        return subprocess.run(self.exec_argv(node, "corosync-quorumtool", "-s"),
                              capture_output=True, text=True, env=self.env, timeout=30).stdout


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "box"
    with sandbox_cluster(path, "configure\nproperty stonith-enabled=false\ncommit\n"):
        yield Box(path)


class Hostile:
    """hostile_member.py inside a node, spoken to in JSON lines."""

    def __init__(self, box: Box, node: str) -> None:
        self.proc = subprocess.Popen(
            box.exec_argv(node, sys.executable, str(HERE / "hostile_member.py")),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=box.env, cwd=REPO)

    def answer(self, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError(f"hostile member ended: {self.proc.stderr.read()}")
            if line.startswith("{"):
                return json.loads(line)
        raise AssertionError("no answer from the hostile member")

    def ask(self, **command) -> dict:
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        return self.answer()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


def test_hostile_messages_change_nothing_and_are_named(box):
    hostile = Hostile(box, "node2")
    try:
        joined = hostile.answer()
        assert joined["event"] == "joined" and joined["nodeid"] == 2
        # a change made by node1's daemon while the member listens: an update to replay
        box.crm("node1", "-w", "configure", "primitive", "keep", "ocf:crmshell:Dummy")
        assert hostile.ask(op="wait-update", nodeid=1)["event"] == "captured"
        until(lambda: box.cib("node1") == box.cib("node2"))
        before = {n: box.cib(n) for n in ("node1", "node2", "node3")}
        attacked = hostile.ask(op="attack")
        print("\nsent:", ", ".join(attacked["sent"]))
        assert hostile.ask(op="leave")["event"] == "left"
    finally:
        hostile.close()
    for node in ("node1", "node2", "node3"):
        hello = box.call(node, "hello").result
        assert hello["connected"] and hello["dc"] == "node1", hello
        assert box.cib(node) == before[node], f"{node}: the CIB changed"
    pid = joined["pid"]
    log = box.log("node1")
    named = ("shorter than its header", "malformed: JSON is malformed", "malformed: bad magic",
             "runs past the message", "the compressed body expands past",
             "forged: origin '1' is not the sender's node id 2", "forged: pid",
             "forged: fields.meta.origin 'node1' is not the sender 'node2'",
             "not the DC: only the DC sends execute messages",
             "not the DC: only the DC sends dc update messages", "replayed: message")
    drops = [line for line in log.splitlines() if f"from node 2 pid {pid}: " in line]
    for words in named:
        assert any(words in line for line in drops), \
            f"node1's log names no drop for {words!r}:\n" + "\n".join(drops)
    print(f"node1 logged {len(drops)} drops from the hostile member")
    # the cluster still works: a change is replicated everywhere
    box.crm("node2", "-w", "configure", "primitive", "after", "ocf:crmshell:Dummy")
    until(lambda: all("primitive after" in box.config(n) for n in ("node1", "node3")))


def _members(box: Box, node: str) -> set[str]:
    return {m["name"] for m in box.call(node, "hello").result["members"]}


def test_a_node_with_a_wrong_authkey_never_joins(box):
    key = box.box / "authkey"
    right = key.read_bytes()
    assert control.request(box.box, {"op": "kill", "node": "node3"}, timeout=30)["ok"]
    until(lambda: _members(box, "node1") == {"node1", "node2"})
    try:
        write_authkey(key, new_authkey())       # node3's corosync reads it as it starts
        with pytest.raises(control.ControlError, match="not formed") as refused:
            control.request(box.box, {"op": "start", "node": "node3", "timeout": 8}, timeout=60)
    finally:
        write_authkey(key, right)               # the others read theirs long ago
    assert "node3: 1 member(s), no quorum" in str(refused.value)
    time.sleep(3)                               # and it stays out
    alone = " ".join(box.quorum_tool("node3").split())
    assert "Quorate: No" in alone and "Nodes: 1" in alone, alone
    for node in ("node1", "node2"):
        hello = box.call(node, "hello").result
        assert hello["quorate"] and _members(box, node) == {"node1", "node2"}, hello
        assert "Nodes: 2" in " ".join(box.quorum_tool(node).split())
    # with the cluster's key it joins: the key was what kept it out
    assert control.request(box.box, {"op": "kill", "node": "node3"}, timeout=30)["ok"]
    assert control.request(box.box, {"op": "start", "node": "node3", "timeout": 30},
                           timeout=60)["ok"]
    until(lambda: _members(box, "node1") == {"node1", "node2", "node3"})
