"""A hostile process in the daemons' CPG group, run inside a sandbox node.

It joins the group with our own binding (daemon/corosync/cpg.py), answers sync rounds
with the offer the daemons agree on (so the cluster carries on around it, as with a
well-behaved member), records what the daemons send, and on command sends garbage, cut and
oversized messages, forgeries and replays of the daemons' own messages. It reads commands
on stdin and writes one JSON line per answer:

    {"op": "wait-update", "nodeid": 1}   -> {"event": "captured", ...} once an update of
                                            that node's daemon was seen
    {"op": "attack"}                     -> {"event": "attacked", "sent": [labels]}
    {"op": "leave"}                      -> {"event": "left"}, and the process ends
"""

from __future__ import annotations

import dataclasses
import json
import os
import select
import sys
import time
import zlib

from daemon.cib.status_ops import SetTransientAttr
from daemon.controller.messages import NodeRef
from daemon.corosync.cpg import CpgConnection
from daemon.replication import cluster_wire, updates, wire
from daemon.replication.updates import Meta, Update
from daemon.scheduler.graph import GraphAction, GraphResource
from daemon.settings import DEFAULT_GROUP

BIG = 5 << 20


def emit(event: str, **fields) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


class Member:
    def __init__(self) -> None:
        self.captured: list[tuple[int, int, bytes]] = []
        self.offered: set[tuple] = set()
        self.seq = 0
        self.conn = CpgConnection(DEFAULT_GROUP, self.deliver, lambda change: None)
        while not self.conn.join():
            time.sleep(0.05)
        self.me = self.conn.local()

    # ---- listening -----------------------------------------------------------------------
    def deliver(self, d) -> None:
        if (d.nodeid, d.pid) == (self.me.nodeid, self.me.pid):
            return
        self.captured.append((d.nodeid, d.pid, d.payload))
        try:
            env = wire.decode(d.payload)
        except wire.WireError:
            return
        if env.kind == "sync-offer":       # offer what the daemons offer: the round ends
            round_, version, digest, peered = cluster_wire.read_offer(env)
            if round_ not in self.offered:
                self.offered.add(round_)
                self.send(self.own(cluster_wire.offer(str(self.me.nodeid), round_, version,
                                                      digest, peered)))

    def pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if select.select([self.conn.fileno()], [], [], left)[0]:
                self.conn.dispatch()

    # ---- sending -------------------------------------------------------------------------
    def own(self, env: wire.Envelope, **change) -> bytes:
        """`env` as this process would honestly number and sign it (then `change`d)."""
        self.seq += 1
        signed = dataclasses.replace(env, seq=self.seq, pid=self.me.pid)
        return wire.encode(dataclasses.replace(signed, **change))

    def send(self, payload: bytes) -> None:
        while not self.conn.mcast(payload):     # TRY_AGAIN: corosync's queue is full
            self.pump(0.01)

    def updates_of(self, nodeid: int) -> list[bytes]:
        out = []
        for sender, _pid, payload in self.captured:
            try:
                if sender == nodeid and wire.decode(payload).kind == "update":
                    out.append(payload)
            except wire.WireError:
                pass
        return out

    def attack(self) -> list[str]:
        me = str(self.me.nodeid)
        daemon_pid = next(p for n, p, _ in self.captured if n == self.me.nodeid)
        dc_update = self.updates_of(1)[-1]
        meta1 = Meta("node1", "crmshell", "root", time.time())
        wipe = updates.to_envelope(Update("replace", meta1, b"<configuration/>",
                                          section="configuration", force=True), "1", 1)
        attr = Update("status", Meta(f"node{me}", "x", "root", time.time()),
                      ops=(SetTransientAttr("1", "node1", "hostile", "1"),))
        action = GraphAction(1, "rsc", "start", "evil_start_0", "node1", "1",
                             GraphResource("evil", "evil", "ocf", "crmshell", "Dummy"), 0, 20000,
                             0, "1:1:0:x", ())
        bomb = zlib.compress(b"\0" * (wire.MAX_BODY + 1), 9)
        sent = {
            "empty": b"",
            "garbage": bytes(range(256)) * 2,
            "cut": dc_update[:len(dc_update) // 2],
            "bad-json": dc_update[:8] + (9).to_bytes(4, "big") + b"{not json",
            "flipped": bytes([dc_update[0] ^ 0x20]) + dc_update[1:],
            "oversized-length": dc_update[:8] + b"\xff\xff\xff\xff" + b"x" * BIG,
            "oversized-forged": self.own(dataclasses.replace(wipe, body=os.urandom(BIG))),
            "zip-bomb": _with_compressed_body(
                self.own(wire.Envelope("sync", me, 0, {"round": [1, 1, 1]})), bomb),
            "forged-origin": self.own(wipe),
            "forged-pid": self.own(updates.to_envelope(attr, me, 1), pid=daemon_pid),
            "forged-meta-origin": self.own(updates.to_envelope(
                dataclasses.replace(attr, meta=meta1), me, 1)),
            "not-dc-execute": self.own(cluster_wire.execute(me, action)),
            "not-dc-update": self.own(updates.to_envelope(Update(
                "dc", Meta(f"node{me}", "x", "root", 1.0), dc=NodeRef(me, f"node{me}"),
                quorate=False, dc_version="evil"), me, 1)),
        }
        for payload in sent.values():
            self.send(payload)
        for _n, _p, payload in list(self.captured):             # the daemons' own, again
            self.send(payload)
        query = self.own(wire.Envelope("idle-query", me, 0))
        self.send(query)
        self.send(query)                                        # the same message again
        self.seq -= 1
        self.send(self.own(wire.Envelope("idle-query", me, 0)))  # and its number again
        self.pump(1.0)
        return [*sent, f"replays of {len(self.captured)} daemon messages", "replayed own"]


def _with_compressed_body(message: bytes, body: bytes) -> bytes:
    """`message` with its flags saying compressed and `body` after its JSON."""
    json_len = int.from_bytes(message[8:12], "big")
    head = message[:5] + bytes([wire.FLAG_COMPRESSED]) + message[6:12 + json_len]
    return head + body


def main() -> int:
    member = Member()
    emit("joined", nodeid=member.me.nodeid, pid=member.me.pid)
    while True:
        member.pump(0.05)
        if not select.select([sys.stdin], [], [], 0)[0]:
            continue
        line = sys.stdin.readline()
        if not line:
            return 0
        command = json.loads(line)
        if command["op"] == "wait-update":
            while not member.updates_of(command["nodeid"]):
                member.pump(0.05)
            emit("captured", messages=len(member.captured))
        elif command["op"] == "attack":
            emit("attacked", sent=member.attack())
        elif command["op"] == "leave":
            member.conn.leave()
            member.pump(0.2)
            member.conn.close()
            emit("left")
            return 0


if __name__ == "__main__":
    sys.exit(main())
