"""What this node sends, in the order it asked, its CIB updates gathered into few messages.

Every CPG message costs each node's corosync about the same whatever it holds (the token's
handling, a knet packet encrypted and decrypted on each hop) and each daemon a dispatch:
on two shared cores, 0.5 ms of corosync per node and message. So while this node has an
update on its way round the ring, the updates asked for meanwhile wait and then go together
as one "updates" message: a lone client's update is sent at once, as before, and many
clients' updates share messages, as many as came during one round trip. Nothing waits on a
timer, so the latency of an update is at most one round trip more than alone.

Order is kept: a message that is not an update (an execute, a sync offer, a fencing event)
waits behind the updates queued before it, so every node gets this node's messages in the
order the node sent them, as without batching.

Pure: `push_*` queue, `next` says what to send now, `delivered` is told each time one of
this process's messages comes back in the agreed order (every message does, to its sender).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from daemon.replication.updates import MAX_BATCH, Update, to_batch, to_envelope
from daemon.replication.wire import Envelope

IN_FLIGHT = 1                   # update messages on their way before the next one waits
BATCH_BYTES = 256 * 1024        # the bodies of one message's updates, before compression


@dataclass
class Outgoing:
    """A message to send: the requests of the updates in it, or the sender's wake-up."""

    env: Envelope
    requests: tuple[int, ...] = ()
    sent: object = None         # what `push_message` was given, to be told it went


@dataclass
class _Queued:
    request: int = 0
    update: Update | None = None
    env: Envelope | None = None
    sent: object = None


@dataclass
class Outbox:
    in_flight_limit: int = IN_FLIGHT
    max_updates: int = MAX_BATCH
    max_bytes: int = BATCH_BYTES
    # this process's messages sent and not yet delivered, in order: whether each holds updates
    _out: deque = field(default_factory=deque)
    _queue: deque = field(default_factory=deque)

    @property
    def in_flight(self) -> int:
        return len(self._out)

    def push_update(self, request: int, update: Update) -> None:
        self._queue.append(_Queued(request, update))

    def push_message(self, env: Envelope, sent: object = None) -> None:
        self._queue.append(_Queued(env=env, sent=sent))

    def __len__(self) -> int:
        return len(self._queue)

    def next(self, origin: str) -> Outgoing | None:
        """The message to send now, counted as on its way; None when the queue is empty or
        its head is updates that wait for the ones on their way."""
        if not self._queue:
            return None
        head = self._queue[0]
        if head.update is None:
            self._queue.popleft()
            self._sent(False)
            return Outgoing(head.env, sent=head.sent)
        if sum(self._out) >= self.in_flight_limit:
            return None
        items, size = [], 0
        while (self._queue and self._queue[0].update is not None and len(items) < self.max_updates
               and (not items or size + len(self._queue[0].update.body) <= self.max_bytes)):
            item = self._queue.popleft()
            items.append((item.request, item.update))
            size += len(item.update.body)
        self._sent(True)
        env = (to_envelope(items[0][1], origin, items[0][0]) if len(items) == 1
               else to_batch(items, origin))
        return Outgoing(env, tuple(r for r, _ in items))

    def _sent(self, updates: bool) -> None:
        self._out.append(updates)

    def delivered(self) -> None:
        """One of this process's messages came back (they come back in the order sent)."""
        if self._out:
            self._out.popleft()

    def not_sent(self) -> None:
        """The message `next` gave last could not be sent: it will not come back."""
        if self._out:
            self._out.pop()

    def clear(self) -> list[_Queued]:
        """Everything queued, taken out (the channel is gone); nothing is on its way."""
        queued, self._queue = list(self._queue), deque()
        self._out.clear()
        return queued
