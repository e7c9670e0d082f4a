"""GroupChannel.send keeps call order under back-pressure, which per-sender message numbers
(replication.admission) rely on: a message sent after another must be delivered after it.

Pure: the channel runs on a stand-in for the libcpg connection that answers TRY_AGAIN until
told otherwise, so the queue, the waiters for room and the retries are those of the real
channel, and no corosync is needed.
"""

from __future__ import annotations

import asyncio

from daemon.corosync.aio import GroupChannel


class BusyCpg:
    """Accepts messages only while `accepting` (else TRY_AGAIN, corosync's back-pressure)."""

    def __init__(self) -> None:
        self.accepting = False
        self.sent: list[bytes] = []

    def mcast(self, data: bytes) -> bool:
        if self.accepting:
            self.sent.append(data)
        return self.accepting

    def leave(self) -> bool:
        return True

    def close(self) -> None:
        pass


def _channel(limit: int) -> tuple[GroupChannel, BusyCpg]:
    channel = GroupChannel("g", lambda d: None, lambda c: None, lambda e: None, None, limit)
    channel._conn = BusyCpg()
    channel._state = "open"
    return channel, channel._conn


def test_a_sender_let_in_after_waiting_for_room_is_not_overtaken():
    async def scenario() -> list[bytes]:
        channel, cpg = _channel(limit=2)
        first = [asyncio.ensure_future(channel.send(m)) for m in (b"1", b"2")]
        await asyncio.sleep(0)              # both queued, corosync pushes back
        waiting = asyncio.ensure_future(channel.send(b"3"))
        await asyncio.sleep(0)              # the queue is full: "3" waits for room
        # Corosync has room again, and a new sender starts in the same turn of the loop
        # (as a delivery's handler does) before "3" has taken the room it was given.
        late = asyncio.ensure_future(channel.send(b"4"))
        cpg.accepting = True
        channel._flush()
        await asyncio.gather(*first, waiting, late)
        channel.close()
        return cpg.sent

    assert asyncio.run(scenario()) == [b"1", b"2", b"3", b"4"]


def test_many_senders_under_intermittent_back_pressure_keep_their_order():
    async def scenario() -> list[bytes]:
        channel, cpg = _channel(limit=3)
        sends = []
        for i in range(60):
            sends.append(asyncio.ensure_future(channel.send(b"%d" % i)))
            if i % 7 == 0:
                cpg.accepting = not cpg.accepting
                channel._flush()
            await asyncio.sleep(0) if i % 2 else None
        cpg.accepting = True
        channel._flush()
        while not all(s.done() for s in sends):
            await asyncio.sleep(0.002)
        channel.close()
        return cpg.sent

    assert asyncio.run(scenario()) == [b"%d" % i for i in range(60)]
