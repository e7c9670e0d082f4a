"""Corosync from asyncio: one object per connection, driven by the library's descriptor.

The synchronous wrappers (`cpg`, `quorum`, `cmap`, ...) never wait; this module adds the
waiting, in the event loop's thread and nowhere else (libcpg handles are not thread-safe):

- connecting retries while corosync is absent or starting, with a growing, bounded delay,
  and says so once ("waiting for corosync: ..."), because the daemon must never run
  without it;
- events are read when `loop.add_reader` reports the fd readable, never by polling;
- `GroupChannel.send` keeps messages in call order and applies corosync's back-pressure:
  on CS_ERR_TRY_AGAIN the message stays at the head of the queue until the next dispatch
  or a short timer that grows, and a bounded queue makes further senders wait;
- when corosync goes away (dispatch fails) the reader stops, pending sends fail with
  `CorosyncUnavailable` and `on_lost(exc)` is called once.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable
from typing import TypeVar

from daemon.corosync.cfg import CfgConnection
from daemon.corosync.cmap import CmapConnection
from daemon.corosync.cpg import CpgConnection
from daemon.corosync.errors import (
    CS_ERR_BAD_HANDLE, CS_ERR_TRY_AGAIN, CorosyncError, CorosyncUnavailable,
)
from daemon.corosync.events import ConfChange, Delivery, Member, QuorumChange, TotemChange
from daemon.corosync.quorum import QuorumConnection
from daemon.corosync.votequorum import VoteInfo, VotequorumConnection

__all__ = ["GroupChannel", "QuorumChannel", "open_group", "open_quorum", "connect",
           "read_cmap", "use_cfg"]

log = logging.getLogger(__name__)

T = TypeVar("T")

CONNECT_DELAY_FIRST = 0.05   # seconds between connection attempts: doubles up to ...
CONNECT_DELAY_MAX = 1.0
SEND_DELAY_FIRST = 0.001     # after TRY_AGAIN on send: doubles up to ...
SEND_DELAY_MAX = 0.05
QUEUE_LIMIT = 1024           # messages queued per channel before `send` waits for room


async def connect(factory: Callable[[], T], *, what: str, timeout: float | None = None) -> T:
    """`factory()` as soon as corosync accepts it, retrying while it is absent or starting.

    Logs one warning when it has to wait and one line when corosync is there. With a
    `timeout` (seconds), raises `CorosyncUnavailable` once it has passed.
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = None if timeout is None else started + timeout
    delay = CONNECT_DELAY_FIRST
    waited = False
    while True:
        try:
            connection = factory()
        except CorosyncUnavailable as exc:
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                raise CorosyncUnavailable(
                    exc.call, exc.code, f"gave up waiting for corosync ({what}) after "
                    f"{loop.time() - started:.1f} s: {exc.meaning}") from exc
            if not waited:
                log.warning("waiting for corosync: %s (%s); retrying until it is there",
                            exc, what)
                waited = True
            await asyncio.sleep(delay if left is None else min(delay, left))
            delay = min(delay * 2, CONNECT_DELAY_MAX)
            continue
        if waited:
            log.warning("corosync is there: %s connected", what)
        return connection


class _Driven:
    """A library connection read from the event loop: the reader, the loss, the end."""

    _service = "corosync"

    def __init__(self, on_lost: Callable[[CorosyncUnavailable], None]) -> None:
        self._loop = asyncio.get_running_loop()
        self._on_lost = on_lost
        self._conn = None
        self._reader_fd: int | None = None
        self._state = "opening"           # opening -> open -> lost | closed
        self._opened: asyncio.Future = self._loop.create_future()
        self.lost_error: CorosyncUnavailable | None = None

    @property
    def is_open(self) -> bool:
        return self._state == "open"

    def _attach(self) -> None:
        self._reader_fd = self._conn.fileno()
        self._loop.add_reader(self._reader_fd, self._readable)

    def _mark_opened(self) -> None:
        if not self._opened.done():
            self._opened.set_result(None)

    async def _wait_opened(self, timeout: float | None, what: str) -> None:
        try:
            await asyncio.wait_for(asyncio.shield(self._opened), timeout)
        except asyncio.TimeoutError:
            raise CorosyncUnavailable(what, CS_ERR_TRY_AGAIN,
                                      f"no answer from corosync within {timeout} s") from None

    def _readable(self) -> None:
        if self._state not in ("opening", "open"):
            return
        try:
            self._conn.dispatch()
        except CorosyncUnavailable as exc:
            self._lose(exc)
            return
        except Exception as exc:  # a caller's callback failed: report it, keep the channel
            self._loop.call_exception_handler({
                "message": f"exception in a corosync callback ({type(self).__name__})",
                "exception": exc})
            if self._conn.has_pending:
                self._loop.call_soon(self._readable)
        self._after_dispatch()

    def _after_dispatch(self) -> None:
        """Hook: the group channel retries a send held back by TRY_AGAIN."""

    def _detach(self) -> None:
        if self._reader_fd is not None:
            self._loop.remove_reader(self._reader_fd)
            self._reader_fd = None
        if self._conn is not None:
            self._conn.close()

    def _fail_pending(self, exc: CorosyncError) -> None:
        """Hook: fail what waits on this connection."""

    def _lose(self, exc: CorosyncUnavailable) -> None:
        if self._state not in ("opening", "open"):
            return
        opening = self._state == "opening"
        self._state = "lost"
        self.lost_error = exc
        self._detach()
        self._fail_pending(exc)
        if not self._opened.done():
            self._opened.set_exception(exc)
            self._opened.exception()   # marked retrieved: the opener may have gone
        if opening:  # nobody holds the channel yet: the opener retries
            return
        log.error("lost corosync: %s", exc)
        try:
            self._on_lost(exc)
        except Exception as cb_exc:
            self._loop.call_exception_handler({"message": "exception in on_lost",
                                               "exception": cb_exc})

    def close(self) -> None:
        """Disconnect; whatever still waits fails with `CorosyncError`. Idempotent."""
        if self._state in ("lost", "closed"):
            return
        self._state = "closed"
        self._before_close()
        self._detach()
        self._fail_pending(self._closed_error())

    def _before_close(self) -> None:
        """Hook: the group channel leaves its group first."""

    def _closed_error(self) -> CorosyncError:
        return CorosyncError(self._service, CS_ERR_BAD_HANDLE, "the channel is closed")

    def _require_usable(self) -> None:
        if self._state == "lost":
            raise self.lost_error
        if self._state == "closed":
            raise self._closed_error()

    def _new_connection(self):
        raise NotImplementedError

    async def _setup(self, left: Callable[[], float | None]) -> None:
        """Hook: make the fresh connection usable (join, track), within `left()` seconds."""
        raise NotImplementedError

    def _now_open(self) -> None:
        """Hook: the channel is handed to its caller."""


async def _open(make: Callable[[], _Driven], what: str, timeout: float | None):
    """Connect and set up `make()`'s channel, starting over whenever corosync goes away.

    A corosync that dies while the channel opens is waited for again, until `timeout`
    seconds (None: for ever) have passed in all.
    """
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout

    def left() -> float | None:
        return None if deadline is None else max(0.0, deadline - loop.time())

    while True:
        channel = make()
        channel._conn = await connect(channel._new_connection, what=what, timeout=left())
        try:
            await channel._setup(left)
        except CorosyncUnavailable as exc:
            channel._lose(exc)
            if left() == 0.0:
                raise
            log.warning("waiting for corosync: %s", exc)
            continue
        except BaseException:
            channel.close()
            raise
        channel._state = "open"
        channel._now_open()
        return channel


class GroupChannel(_Driven):
    """Membership of one CPG group and agreed-order messages to it, from asyncio.

    `members` is the group as of the last configuration change, `local` this process.
    `on_deliver(Delivery)` and `on_confchg(ConfChange)` are called from the event loop, in
    corosync's order; `on_totem(TotemChange)` too, when given (node membership and ring id).
    """

    _service = "cpg"

    def __init__(self, group: str, on_deliver: Callable[[Delivery], None],
                 on_confchg: Callable[[ConfChange], None],
                 on_lost: Callable[[CorosyncUnavailable], None],
                 on_totem: Callable[[TotemChange], None] | None,
                 queue_limit: int) -> None:
        super().__init__(on_lost)
        self.group = group
        self.members: tuple[Member, ...] = ()
        self.local: Member | None = None
        self.totem: TotemChange | None = None
        self.try_again_count = 0   # how often corosync pushed back (for tests and stats)
        self._user_deliver, self._user_confchg, self._user_totem = (
            on_deliver, on_confchg, on_totem)
        self._limit = max(1, queue_limit)
        self._queue: collections.deque[tuple[bytes, asyncio.Future]] = collections.deque()
        self._room: collections.deque[asyncio.Future] = collections.deque()
        self._reserved = 0
        self._retry: asyncio.TimerHandle | None = None
        self._delay = SEND_DELAY_FIRST

    def _new_connection(self) -> CpgConnection:
        return CpgConnection(self.group, self._deliver, self._confchg, self._totem)

    async def _setup(self, left: Callable[[], float | None]) -> None:
        self.local = self._conn.local()
        delay = CONNECT_DELAY_FIRST
        while not self._conn.join():   # TRY_AGAIN: corosync is changing membership
            await asyncio.sleep(delay)
            delay = min(delay * 2, CONNECT_DELAY_MAX)
        self._attach()
        await self._wait_opened(left(), "cpg_join")

    def _now_open(self) -> None:
        self._flush()

    # -- events -------------------------------------------------------------------------

    def _deliver(self, delivery: Delivery) -> None:
        self._user_deliver(delivery)

    def _confchg(self, change: ConfChange) -> None:
        self.members = change.members
        if self.local in change.members:
            self._mark_opened()
        self._user_confchg(change)

    def _totem(self, change: TotemChange) -> None:
        self.totem = change
        if self._user_totem is not None:
            self._user_totem(change)

    # -- sending ------------------------------------------------------------------------

    async def send(self, payload: bytes) -> None:
        """Multicast `payload` in agreed order; returns once corosync has accepted it.

        Calls are sent in the order they are made. While corosync pushes back the message
        waits in the channel's queue; when that is full, `send` first waits for room.
        Raises `CorosyncUnavailable` if corosync goes away before accepting it.
        """
        self._require_usable()
        data = bytes(payload)
        # Behind senders still waiting, or let in and not yet queued (`_reserved`): a
        # sender resumes a turn of the loop after it is given room, and one that came
        # meanwhile must not overtake it.
        if len(self._queue) + self._reserved >= self._limit or self._room or self._reserved:
            room = self._loop.create_future()
            self._room.append(room)
            try:
                await room
            except asyncio.CancelledError:
                self._pass_room(room)
                raise
            self._reserved -= 1
            self._require_usable()
        sent = self._loop.create_future()
        self._queue.append((data, sent))
        if self._retry is None:
            self._flush()
        await sent

    def _pass_room(self, room: asyncio.Future) -> None:
        """A waiter for room was cancelled: give its reserved slot to the next one."""
        if room in self._room:
            self._room.remove(room)
        elif room.done() and not room.cancelled() and room.exception() is None:
            self._reserved -= 1
            self._grant_room()

    def _grant_room(self) -> None:
        while self._room and len(self._queue) + self._reserved < self._limit:
            room = self._room.popleft()
            if not room.done():
                self._reserved += 1
                room.set_result(None)

    def _flush(self) -> None:
        """Hand queued messages to corosync, head first, until it says TRY_AGAIN."""
        self._retry = None
        while self._queue and self._state == "open":
            data, sent = self._queue[0]
            if sent.done():          # the sender was cancelled before we got to it
                self._queue.popleft()
                continue
            try:
                accepted = self._conn.mcast(data)
            except CorosyncUnavailable as exc:
                self._lose(exc)
                return
            except CorosyncError as exc:
                self._queue.popleft()
                sent.set_exception(exc)
                continue
            if not accepted:
                self.try_again_count += 1
                self._retry = self._loop.call_later(self._delay, self._flush)
                self._delay = min(self._delay * 2, SEND_DELAY_MAX)
                break
            self._queue.popleft()
            sent.set_result(None)
            self._delay = SEND_DELAY_FIRST
        self._grant_room()

    def _after_dispatch(self) -> None:
        if self._retry is not None and self._state == "open":
            self._retry.cancel()   # deliveries came in: corosync may have room again
            self._flush()

    def _fail_pending(self, exc: CorosyncError) -> None:
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        while self._queue:
            _data, sent = self._queue.popleft()
            if not sent.done():
                sent.set_exception(exc)
        while self._room:
            room = self._room.popleft()
            if not room.done():
                room.set_exception(exc)

    def _before_close(self) -> None:
        try:
            self._conn.leave()   # the others see LEAVE rather than PROCDOWN
        except CorosyncError:
            pass

    @property
    def queued(self) -> int:
        """Messages waiting for corosync to accept them."""
        return len(self._queue)


async def open_group(group: str, on_deliver: Callable[[Delivery], None],
                     on_confchg: Callable[[ConfChange], None],
                     on_lost: Callable[[CorosyncUnavailable], None], *,
                     on_totem: Callable[[TotemChange], None] | None = None,
                     connect_timeout: float | None = None,
                     queue_limit: int = QUEUE_LIMIT) -> GroupChannel:
    """Join `group` and return once this process is a member (its own confchg delivered).

    Waits for corosync as long as it takes (or `connect_timeout` seconds); a corosync that
    dies while the channel opens is waited for again.
    """
    return await _open(
        lambda: GroupChannel(group, on_deliver, on_confchg, on_lost, on_totem, queue_limit),
        f"CPG group {group}", connect_timeout)


class QuorumChannel(_Driven):
    """Quorum as corosync decides it, kept current from the event loop.

    `quorate`, `ring` and `nodes` come from the last notification; `votes()` asks
    votequorum for the numbers behind them.
    """

    def __init__(self, on_change: Callable[[QuorumChange], None],
                 on_lost: Callable[[CorosyncUnavailable], None]) -> None:
        super().__init__(on_lost)
        self._user_change = on_change
        self.last: QuorumChange | None = None
        self._votequorum: VotequorumConnection | None = None
        self.nodeid = 0

    @property
    def quorate(self) -> bool:
        return bool(self.last and self.last.quorate)

    def _change(self, change: QuorumChange) -> None:
        self.last = change
        self._mark_opened()
        self._user_change(change)

    def _new_connection(self) -> QuorumConnection:
        return QuorumConnection(self._change)

    async def _setup(self, left: Callable[[], float | None]) -> None:
        self._votequorum = VotequorumConnection()
        with CfgConnection() as cfg:
            self.nodeid = cfg.local_nodeid()
        self._conn.trackstart(current=True)
        self._attach()
        await self._wait_opened(left(), "quorum_trackstart")

    def votes(self) -> VoteInfo:
        """Votes, expected votes, quorum and flags (two_node, wait_for_all, ...) now."""
        self._require_usable()
        try:
            return self._votequorum.info(self.nodeid)
        except CorosyncUnavailable as exc:
            self._lose(exc)
            raise

    def _detach(self) -> None:
        super()._detach()
        if self._votequorum is not None:
            self._votequorum.close()


async def open_quorum(on_change: Callable[[QuorumChange], None],
                      on_lost: Callable[[CorosyncUnavailable], None], *,
                      connect_timeout: float | None = None) -> QuorumChannel:
    """Track quorum; returns after the first notification (the state now) was handled."""
    return await _open(lambda: QuorumChannel(on_change, on_lost), "quorum", connect_timeout)


async def _query(factory: Callable[[], T], use: Callable[[T], object], what: str,
                 timeout: float | None):
    conn = await connect(factory, what=what, timeout=timeout)
    try:
        return use(conn)
    finally:
        conn.close()


async def read_cmap(use: Callable[[CmapConnection], T], *,
                    connect_timeout: float | None = None) -> T:
    """`use(cmap)` on a fresh connection, waiting for corosync first; e.g.
    `await read_cmap(CmapConnection.local_node)`."""
    return await _query(CmapConnection, use, "cmap", connect_timeout)


async def use_cfg(use: Callable[[CfgConnection], T], *,
                  connect_timeout: float | None = None) -> T:
    """`use(cfg)` on a fresh connection, e.g. `await use_cfg(CfgConnection.reload_config)`."""
    return await _query(CfgConnection, use, "cfg", connect_timeout)
