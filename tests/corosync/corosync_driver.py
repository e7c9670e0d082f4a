"""The binding under test, inside a corosync node's namespaces, obeying JSON lines.

libqb's sockets are abstract and scoped by network namespace, so the test process cannot
reach the node's corosync itself: `corosync_node.CorosyncNode.driver()` starts this script
with `nsenter`. It reads one command per line on stdin (`{"op": ...}`), runs it on one
asyncio loop with `daemon.corosync.aio`, and writes one JSON object per line per event
(`{"event": ...}`). Failures of a command become `{"event": "error", ...}` lines, so the
test sees the binding's own message rather than a dead pipe.

Messages whose payload starts with "B" are counted and checked for order instead of being
echoed, so bursts of thousands of messages do not flood the pipe.
"""

from __future__ import annotations

import asyncio
import faulthandler
import json
import logging
import os
import signal
import statistics
import sys
import time

from daemon.corosync import aio
from daemon.corosync.cmap import CmapConnection
from daemon.corosync.errors import CorosyncError


def emit(event: str, **fields) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


class _LogToEvents(logging.Handler):
    """The binding's log lines ("waiting for corosync") as events the test can expect."""

    def emit(self, record: logging.LogRecord) -> None:
        emit("log", level=record.levelname, message=record.getMessage())


def _members(members) -> list[list[int]]:
    return [[m.nodeid, m.pid] for m in members]


class Driver:
    """One group channel and one quorum channel at most, and the commands that use them."""

    def __init__(self) -> None:
        self.group: aio.GroupChannel | None = None
        self.quorum: aio.QuorumChannel | None = None
        self.burst_seen = 0
        self.burst_in_order = True
        self.burst_done: asyncio.Future | None = None
        self.burst_expected = 0
        self.waiting_own: asyncio.Future | None = None

    # -- callbacks ----------------------------------------------------------------------

    def on_deliver(self, delivery) -> None:
        payload = delivery.payload
        if payload[:1] == b"B":
            seq = int(payload[1:11])
            self.burst_in_order &= seq == self.burst_seen
            self.burst_seen += 1
            if self.burst_done and self.burst_seen == self.burst_expected:
                self.burst_done.set_result(None)
            return
        if payload[:1] == b"R":
            if self.waiting_own is not None and not self.waiting_own.done():
                self.waiting_own.set_result(payload)
            return
        emit("deliver", nodeid=delivery.nodeid, pid=delivery.pid,
             payload=payload.decode("utf-8", "replace"))
        if payload == b"boom":
            raise RuntimeError("a callback failed")   # the binding must lose nothing

    def on_confchg(self, change) -> None:
        emit("confchg", group=change.group, members=_members(change.members),
             joined=[[m.nodeid, m.pid, int(r)] for m, r in change.joined],
             left=[[m.nodeid, m.pid, int(r)] for m, r in change.left])

    def on_totem(self, change) -> None:
        emit("totem", ring=[change.ring.nodeid, change.ring.seq], nodes=list(change.nodes))

    def on_lost(self, exc) -> None:
        emit("lost", kind=type(exc).__name__, message=str(exc), service="cpg")

    def on_quorum(self, change) -> None:
        emit("quorum", quorate=change.quorate, nodes=list(change.nodes),
             ring=[change.ring.nodeid, change.ring.seq])

    def on_quorum_lost(self, exc) -> None:
        emit("lost", kind=type(exc).__name__, message=str(exc), service="quorum")

    # -- commands -----------------------------------------------------------------------

    async def op_open_group(self, group: str = "crmshell", timeout: float | None = None):
        self.group = await aio.open_group(group, self.on_deliver, self.on_confchg,
                                          self.on_lost, on_totem=self.on_totem,
                                          connect_timeout=timeout)
        emit("opened", local=[self.group.local.nodeid, self.group.local.pid],
             members=_members(self.group.members))

    async def op_send(self, payload: str):
        await self.group.send(payload.encode())
        emit("sent", payload=payload)

    async def op_rtt(self, count: int = 200, size: int = 200):
        """Own-message round trips, one at a time: the latency a lone node pays per update."""
        times = []
        body = b"R" * size
        for _ in range(count):
            self.waiting_own = asyncio.get_running_loop().create_future()
            start = time.perf_counter()
            await self.group.send(body)
            await asyncio.wait_for(self.waiting_own, 10)
            times.append(time.perf_counter() - start)
        emit("rtt", median_ms=statistics.median(times) * 1000, max_ms=max(times) * 1000)

    async def op_burst(self, count: int = 2000, size: int = 20480, timeout: float = 60):
        """`count` messages sent as fast as `send` lets us; all must come back in order."""
        self.burst_seen, self.burst_in_order, self.burst_expected = 0, True, count
        self.burst_done = asyncio.get_running_loop().create_future()
        pad = b"x" * max(0, size - 11)
        tries_before = self.group.try_again_count
        start = time.perf_counter()
        max_queued = 0

        async def one(seq: int) -> None:
            nonlocal max_queued
            await self.group.send(b"B%010d" % seq + pad)
            max_queued = max(max_queued, self.group.queued)

        senders = [asyncio.ensure_future(one(seq)) for seq in range(count)]
        try:
            await asyncio.wait_for(asyncio.shield(self.burst_done), timeout)
        except asyncio.TimeoutError:
            emit("error", message=f"burst stalled: {self.burst_seen} of {count} delivered "
                                  f"after {timeout} s, {self.group.queued} queued")
            return
        finally:
            await asyncio.gather(*senders, return_exceptions=True)
        elapsed = time.perf_counter() - start
        emit("burst", delivered=self.burst_seen, in_order=self.burst_in_order,
             seconds=elapsed, per_second=count / elapsed, max_queued=max_queued,
             try_again=self.group.try_again_count - tries_before)

    async def op_open_quorum(self, timeout: float | None = None):
        self.quorum = await aio.open_quorum(self.on_quorum, self.on_quorum_lost,
                                            connect_timeout=timeout)
        votes = self.quorum.votes()
        emit("quorum_opened", quorate=self.quorum.quorate, votes=votes.votes,
             expected=votes.expected_votes, quorum=votes.quorum, nodeid=self.quorum.nodeid)

    async def op_cmap(self, timeout: float | None = None):
        local = await aio.read_cmap(CmapConnection.local_node, connect_timeout=timeout)
        nodes = await aio.read_cmap(CmapConnection.nodelist)
        name = await aio.read_cmap(lambda c: c.get("totem.cluster_name"))
        token = await aio.read_cmap(lambda c: c.get("totem.token"))
        emit("cmap", local=[local.nodeid, local.name, list(local.addrs)],
             nodes=[[n.nodeid, n.name, list(n.addrs)] for n in nodes],
             cluster_name=name, token=token)

    async def op_cfg(self, timeout: float | None = None):
        nodeid = await aio.use_cfg(lambda c: c.local_nodeid(), connect_timeout=timeout)
        status = await aio.use_cfg(lambda c: c.node_status(nodeid))
        emit("cfg", nodeid=nodeid, reachable=status.reachable)

    async def op_cfg_addrs(self, nodeid: int, timeout: float | None = None):
        addrs = await aio.use_cfg(lambda c: c.node_addrs(nodeid), connect_timeout=timeout)
        emit("cfg_addrs", nodeid=nodeid, addrs=list(addrs))

    async def op_state(self):
        emit("state", group_open=bool(self.group and self.group.is_open),
             quorum_open=bool(self.quorum and self.quorum.is_open))

    async def op_cpu(self, seconds: float = 1.0):
        """CPU time this process used over `seconds` of idling: a spinning reader shows."""
        before = os.times()
        await asyncio.sleep(seconds)
        after = os.times()
        emit("cpu", seconds=(after.user - before.user) + (after.system - before.system))

    async def op_close(self):
        for channel in (self.group, self.quorum):
            if channel is not None:
                channel.close()
        emit("closed")

    async def run(self, command: dict) -> None:
        op = command.pop("op")
        try:
            await getattr(self, f"op_{op}")(**command)
        except CorosyncError as exc:
            emit("failed", op=op, kind=type(exc).__name__, message=str(exc))
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
            emit("error", op=op, kind=type(exc).__name__, message=str(exc))


async def main() -> None:
    faulthandler.register(signal.SIGUSR1)  # a hung driver's stack, for debugging
    logging.getLogger("daemon.corosync").addHandler(_LogToEvents())
    logging.getLogger("daemon.corosync").setLevel(logging.INFO)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    driver = Driver()
    emit("ready", pid=os.getpid())
    tasks = set()
    while line := await reader.readline():
        task = asyncio.ensure_future(driver.run(json.loads(line)))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await driver.op_close()


if __name__ == "__main__":
    asyncio.run(main())
