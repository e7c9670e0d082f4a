"""A seeded, in-memory stand-in for corosync: CPG groups and quorum for several fake nodes.

The pure cores (replication, election, controller) and the simulation need CPG's
guarantees without a real cluster: every member of a group gets the same messages and
configuration changes in the same (agreed) order, messages sent before a change are
delivered before it, and nodes crash, stop, partition and heal when a test says so. This
module gives that with the interface of `aio.GroupChannel` and `aio.QuorumChannel`
(`send`, `members`, `local`, `close`, `on_deliver`/`on_confchg`/`on_lost`/`on_totem`), so a
core wired to the fake runs unchanged on corosync.

Ordering happens when an operation is called (`send`, `join`, `crash`, `partition`...):
the event goes into the inbox of every recipient at once, in one global sequence. Only the
hand-over to callbacks is deferred: by the asyncio loop (`FakeCluster(seed, delay=...)`,
each recipient later by a seeded random delay, never out of order) or, with `auto=False`,
by `run()`/`step()`, which interleave the recipients in a seeded random order. Same seed,
same calls: same run.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import random
from collections.abc import Callable, Iterable

from daemon.corosync.cmap import CmapConnection, CmapValue
from daemon.corosync.errors import (
    CS_ERR_BAD_HANDLE, CS_ERR_LIBRARY, CorosyncError, CorosyncUnavailable,
)
from daemon.corosync.events import (
    ConfChange, Delivery, Member, QuorumChange, Reason, RingId, TotemChange,
)
from daemon.corosync.votequorum import NodeState, VoteFlag, VoteInfo

__all__ = ["FakeCluster", "FakeCorosync", "FakeGroupChannel", "FakeQuorumChannel", "FakeCmap",
           "majority"]


def majority(expected_votes: int) -> int:
    """Votes a partition needs to be quorate (votequorum: more than half of expected)."""
    return expected_votes // 2 + 1


class _Lost:
    """Inbox marker: corosync went away under this channel; on_lost comes after the rest."""

    def __init__(self, error: CorosyncUnavailable) -> None:
        self.error = error


class _FakeChannel:
    """What fake group and quorum channels share: an inbox drained in order, and an end."""

    def __init__(self, cluster: FakeCluster, nodeid: int,
                 on_lost: Callable[[CorosyncUnavailable], None]) -> None:
        self.cluster = cluster
        self.nodeid = nodeid
        self._on_lost = on_lost
        self._inbox: collections.deque = collections.deque()   # (due, event)
        self._timer: asyncio.TimerHandle | None = None
        self._state = "open"       # open -> lost (on_lost pending or done) | closed | dead
        self.lost_error: CorosyncUnavailable | None = None

    @property
    def is_open(self) -> bool:
        return self._state == "open"

    def _require_usable(self) -> None:
        if self._state == "closed":
            raise CorosyncError("cpg", CS_ERR_BAD_HANDLE, "the channel is closed")
        if self.lost_error is not None:
            raise self.lost_error

    def _lose(self, error: CorosyncUnavailable, *, quietly: bool) -> None:
        """Corosync ends under this channel; `quietly`: the process died with it."""
        self.lost_error = error
        if quietly:
            self._state = "dead"
            self._inbox.clear()
        else:
            self.cluster._enqueue(self, _Lost(error))

    def _hand_over(self, event) -> None:
        if isinstance(event, _Lost):
            if self._state == "open":
                self._state = "lost"
                self._on_lost(event.error)
            return
        if self._state == "open":
            self._handle(event)

    def _handle(self, event) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Disconnect; nothing is handed over any more. Idempotent."""
        if self._state in ("open", "lost"):
            self._state = "closed"
            self._inbox.clear()
            self.cluster._closed(self)


class FakeGroupChannel(_FakeChannel):
    """One process's membership of a fake CPG group (the interface of `GroupChannel`)."""

    def __init__(self, cluster: FakeCluster, nodeid: int, pid: int, group: str,
                 on_deliver: Callable[[Delivery], None],
                 on_confchg: Callable[[ConfChange], None],
                 on_lost: Callable[[CorosyncUnavailable], None],
                 on_totem: Callable[[TotemChange], None] | None) -> None:
        super().__init__(cluster, nodeid, on_lost)
        self.group = group
        self.local = Member(nodeid, pid)
        self.members: tuple[Member, ...] = ()     # as of the last confchg handed over
        self.totem: TotemChange | None = None
        self.view: tuple[Member, ...] = ()        # as of the last confchg ordered
        self.queued = 0
        self.try_again_count = 0
        self._callbacks = {Delivery: on_deliver, ConfChange: on_confchg, TotemChange: on_totem}

    def _handle(self, event) -> None:
        if isinstance(event, ConfChange):
            self.members = event.members
        elif isinstance(event, TotemChange):
            self.totem = event
        callback = self._callbacks[type(event)]
        if callback is not None:
            callback(event)

    def post(self, payload: bytes) -> None:
        """`send` without awaiting: the message is ordered now, handed over later."""
        self._require_usable()
        self.cluster._order_message(self, bytes(payload))

    async def send(self, payload: bytes) -> None:
        """Multicast `payload` in agreed order (raises as `GroupChannel.send` does)."""
        self.post(payload)

    def crash(self) -> None:
        """The process dies without leaving: the others see PROCDOWN."""
        if self._state in ("open", "lost"):
            self._lose(CorosyncUnavailable("cpg", CS_ERR_BAD_HANDLE, "the process died"),
                       quietly=True)
            self.cluster._closed(self, Reason.PROCDOWN)


class FakeQuorumChannel(_FakeChannel):
    """Quorum of one fake node's partition (the interface of `QuorumChannel`)."""

    def __init__(self, cluster: FakeCluster, nodeid: int,
                 on_change: Callable[[QuorumChange], None],
                 on_lost: Callable[[CorosyncUnavailable], None]) -> None:
        super().__init__(cluster, nodeid, on_lost)
        self._on_change = on_change
        self.last: QuorumChange | None = None

    @property
    def quorate(self) -> bool:
        return bool(self.last and self.last.quorate)

    def _handle(self, event: QuorumChange) -> None:
        self.last = event
        self._on_change(event)

    def votes(self) -> VoteInfo:
        """The numbers behind `quorate` now, one vote per node."""
        self._require_usable()
        total = len(self.cluster.partition_of(self.nodeid))
        expected = self.cluster.expected_votes
        flags = VoteFlag.QUORATE if total >= majority(expected) else VoteFlag(0)
        return VoteInfo(self.nodeid, NodeState.MEMBER, 1, expected, expected, total,
                        majority(expected), flags, 0, "")


class FakeCmap:
    """The cmap keys a fake node answers; `CmapConnection`'s readers work on it unchanged."""

    def __init__(self, items: dict[str, CmapValue]) -> None:
        self._items = dict(items)

    def get(self, key: str, *default) -> CmapValue:
        if key in self._items:
            return self._items[key]
        if default:
            return default[0]
        raise KeyError(key)

    def keys(self, prefix: str = "") -> list[str]:
        return sorted(k for k in self._items if k.startswith(prefix))

    def items(self, prefix: str = "") -> dict[str, CmapValue]:
        return {k: self._items[k] for k in self.keys(prefix)}

    nodelist = CmapConnection.nodelist
    local_node = CmapConnection.local_node


class FakeCorosync:
    """One fake node's corosync with `aio`'s entry points as methods, so the daemon can be
    given either the `aio` module or `cluster.corosync(nodeid)`."""

    def __init__(self, cluster: FakeCluster, nodeid: int) -> None:
        cluster._check_node(nodeid)
        self.cluster = cluster
        self.nodeid = nodeid

    async def open_group(self, group: str, on_deliver, on_confchg, on_lost, *, on_totem=None,
                         connect_timeout: float | None = None,
                         queue_limit: int | None = None) -> FakeGroupChannel:
        return await self.cluster.open_group(self.nodeid, group, on_deliver, on_confchg,
                                             on_lost, on_totem=on_totem)

    async def open_quorum(self, on_change, on_lost, *,
                          connect_timeout: float | None = None) -> FakeQuorumChannel:
        channel = self.cluster.open_quorum(self.nodeid, on_change, on_lost)
        while channel.last is None and channel.is_open:
            await asyncio.sleep(0)
        return channel

    async def read_cmap(self, use, *, connect_timeout: float | None = None):
        return use(FakeCmap(self.cluster.cmap_items(self.nodeid)))


class FakeCluster:
    """The hub: fake nodes `nodes` (all up, one partition), their groups and quorum.

    `delay` (min, max seconds) spreads hand-overs over the running asyncio loop; with
    `auto=False` nothing happens until `run()` or `step()`. `expected_votes` defaults to
    the number of nodes.
    """

    def __init__(self, seed: int, nodes: Iterable[int] = (1, 2, 3), *,
                 delay: tuple[float, float] | None = None, auto: bool = True,
                 expected_votes: int | None = None, cluster_name: str = "fake") -> None:
        self.seed = seed
        self.cluster_name = cluster_name
        self._rng = random.Random(seed)
        self.nodes = tuple(sorted(set(nodes)))
        if not self.nodes or min(self.nodes) < 1:
            raise ValueError(f"fake nodes: node ids must be 1 or more, got {self.nodes}")
        self.expected_votes = expected_votes or len(self.nodes)
        self._delay = delay
        self._auto = auto
        self._up = set(self.nodes)
        self._blocks: list[frozenset[int]] = [frozenset(self.nodes)]
        self._pids = itertools.count(1000)
        self._ring_seq = itertools.count(1)
        self._rings = {n: RingId(min(self.nodes), 0) for n in self.nodes}
        self._groups: list[FakeGroupChannel] = []
        self._quorums: list[FakeQuorumChannel] = []
        self._busy: list[_FakeChannel] = []    # channels with a non-empty inbox
        self._partitions = self._compute_partitions()

    # -- topology -----------------------------------------------------------------------

    def _compute_partitions(self) -> dict[int, frozenset[int]]:
        found = {}
        for block in self._blocks:
            members = frozenset(block & self._up)
            for nodeid in members:
                found[nodeid] = members
        return found

    def partition_of(self, nodeid: int) -> frozenset[int]:
        """The up nodes `nodeid` can reach (empty while it is down)."""
        return self._partitions.get(nodeid, frozenset())

    def _check_node(self, nodeid: int) -> None:
        if nodeid not in self.nodes:
            raise ValueError(f"fake cluster: no node {nodeid} (nodes are {self.nodes})")

    def partition(self, *blocks: Iterable[int]) -> None:
        """Split the network: nodes in different `blocks` no longer reach each other.

        Nodes named in no block are isolated on their own.
        """
        sets = [frozenset(b) for b in blocks]
        named = set().union(*sets) if sets else set()
        for nodeid in named:
            self._check_node(nodeid)
        if sum(map(len, sets)) != len(named):
            raise ValueError(f"fake partition: a node is in two blocks: {blocks}")
        self._blocks = sets + [frozenset({n}) for n in self.nodes if n not in named]
        self._reconfigure({})

    def heal(self) -> None:
        """Join every partition again."""
        self._blocks = [frozenset(self.nodes)]
        self._reconfigure({})

    def stop(self, nodeid: int) -> None:
        """Corosync stops on `nodeid`: its channels get on_lost, the others NODEDOWN."""
        self._down(nodeid, quietly=False)

    def crash(self, nodeid: int) -> None:
        """The whole node dies: its processes are gone (no callbacks), the others NODEDOWN."""
        self._down(nodeid, quietly=True)

    def _down(self, nodeid: int, *, quietly: bool) -> None:
        self._check_node(nodeid)
        self._up.discard(nodeid)
        error = CorosyncUnavailable("cpg_dispatch", CS_ERR_LIBRARY,
                                    "lost the connection to corosync")
        for channel in self._channels_on(nodeid):
            channel._lose(error, quietly=quietly)
        self._reconfigure({})

    def start(self, nodeid: int) -> None:
        """Corosync starts (again) on `nodeid`: it merges with the nodes it can reach."""
        self._check_node(nodeid)
        self._up.add(nodeid)
        self._reconfigure({})

    def _channels_on(self, nodeid: int) -> list[_FakeChannel]:
        return [c for c in (*self._groups, *self._quorums) if c.nodeid == nodeid]

    def corosync(self, nodeid: int) -> FakeCorosync:
        """`nodeid`'s corosync, with the entry points of `aio`."""
        return FakeCorosync(self, nodeid)

    def cmap_items(self, nodeid: int) -> dict[str, CmapValue]:
        """What cmap holds on `nodeid`: cluster name, nodelist (names "nodeN"), own id."""
        self._check_node(nodeid)
        items: dict[str, CmapValue] = {
            "totem.cluster_name": self.cluster_name,
            "runtime.votequorum.this_node_id": nodeid,
            "nodelist.local_node_pos": self.nodes.index(nodeid)}
        for pos, other in enumerate(self.nodes):
            items[f"nodelist.node.{pos}.nodeid"] = other
            items[f"nodelist.node.{pos}.name"] = f"node{other}"
            items[f"nodelist.node.{pos}.ring0_addr"] = f"192.168.0.{other}"
        return items

    # -- opening and closing ------------------------------------------------------------

    def join(self, nodeid: int, group: str, on_deliver: Callable[[Delivery], None],
             on_confchg: Callable[[ConfChange], None],
             on_lost: Callable[[CorosyncUnavailable], None], *,
             on_totem: Callable[[TotemChange], None] | None = None,
             pid: int | None = None) -> FakeGroupChannel:
        """A new process on `nodeid` joins `group` now (its confchg is handed over later)."""
        self._check_node(nodeid)
        if nodeid not in self._up:
            raise CorosyncUnavailable("cpg_model_initialize", CS_ERR_LIBRARY,
                                      f"corosync is not running on fake node {nodeid}")
        channel = FakeGroupChannel(self, nodeid, next(self._pids) if pid is None else pid,
                                   group, on_deliver, on_confchg, on_lost, on_totem)
        self._groups.append(channel)
        self._enqueue(channel, TotemChange(self._rings[nodeid], tuple(sorted(
            self.partition_of(nodeid)))))
        self._reconfigure({channel.local: Reason.JOIN})
        return channel

    async def open_group(self, nodeid: int, group: str, on_deliver, on_confchg, on_lost, *,
                         on_totem=None, pid: int | None = None) -> FakeGroupChannel:
        """`join`, returning once the channel's own confchg was handed over (as `aio`).

        Only with `auto=True`: without the loop handing over, nothing would ever arrive.
        """
        if not self._auto:
            raise ValueError("fake open_group needs FakeCluster(auto=True); "
                             "with auto=False call join() and then run()")
        channel = self.join(nodeid, group, on_deliver, on_confchg, on_lost,
                            on_totem=on_totem, pid=pid)
        while channel.local not in channel.members and channel.is_open:
            await asyncio.sleep(0 if self._delay is None else self._delay[1])
        channel._require_usable()
        return channel

    def open_quorum(self, nodeid: int, on_change: Callable[[QuorumChange], None],
                    on_lost: Callable[[CorosyncUnavailable], None]) -> FakeQuorumChannel:
        """Track quorum on `nodeid`; the first notification (the state now) comes later."""
        self._check_node(nodeid)
        if nodeid not in self._up:
            raise CorosyncUnavailable("quorum_model_initialize", CS_ERR_LIBRARY,
                                      f"corosync is not running on fake node {nodeid}")
        channel = FakeQuorumChannel(self, nodeid, on_change, on_lost)
        self._quorums.append(channel)
        self._enqueue(channel, self._quorum_now(nodeid))
        return channel

    def _closed(self, channel: _FakeChannel, reason: Reason = Reason.LEAVE) -> None:
        if isinstance(channel, FakeGroupChannel) and channel in self._groups:
            self._groups.remove(channel)
            if channel.nodeid in self._up:
                self._reconfigure({channel.local: reason})
        elif channel in self._quorums:
            self._quorums.remove(channel)

    # -- ordering -----------------------------------------------------------------------

    def _quorum_now(self, nodeid: int) -> QuorumChange:
        nodes = tuple(sorted(self.partition_of(nodeid)))
        return QuorumChange(len(nodes) >= majority(self.expected_votes), self._rings[nodeid],
                            nodes)

    def _reconfigure(self, cause: dict[Member, Reason]) -> None:
        """Order the changes of node membership, quorum and group views, in that order."""
        before = self._partitions
        self._partitions = self._compute_partitions()
        for nodes in sorted(set(self._partitions.values()), key=min):
            if any(before.get(n) != nodes for n in nodes):
                ring = RingId(min(nodes), next(self._ring_seq))
                for nodeid in sorted(nodes):
                    self._rings[nodeid] = ring
                    for channel in self._channels_on(nodeid):
                        self._enqueue(channel, TotemChange(ring, tuple(sorted(nodes)))
                                      if isinstance(channel, FakeGroupChannel)
                                      else self._quorum_now(nodeid))
        for group in dict.fromkeys(c.group for c in self._groups):
            self._reconfigure_group(group, cause)

    def _reconfigure_group(self, group: str, cause: dict[Member, Reason]) -> None:
        live = [c for c in self._groups if c.group == group and c.is_open
                and c.lost_error is None]
        for nodes in sorted(set(self._partitions.values()), key=min):
            channels = [c for c in live if c.nodeid in nodes]
            view = tuple(sorted(c.local for c in channels))
            newcomers = {c.local for c in channels if not c.view}
            for channel in channels:
                old = set(channel.view)
                joined = newcomers if not old else set(view) - old
                left = old - set(view)
                if joined or left:
                    channel.view = view
                    self._enqueue(channel, ConfChange(
                        group, view, self._why(left, cause, Reason.NODEDOWN),
                        self._why(joined, cause, Reason.NODEUP)))

    @staticmethod
    def _why(members: set[Member], cause: dict[Member, Reason],
             default: Reason) -> tuple[tuple[Member, Reason], ...]:
        return tuple((m, cause.get(m, default)) for m in sorted(members))

    def _order_message(self, sender: FakeGroupChannel, payload: bytes) -> None:
        delivery = Delivery(sender.nodeid, sender.local.pid, payload)
        for channel in self._groups:
            if channel.group == sender.group and channel.is_open and \
                    sender.local in channel.view:
                self._enqueue(channel, delivery)

    # -- handing over -------------------------------------------------------------------

    def _enqueue(self, channel: _FakeChannel, event) -> None:
        if channel._state in ("closed", "dead"):
            return
        if channel.lost_error is not None and not isinstance(event, _Lost):
            return   # corosync is gone under it: nothing more reaches it
        due = 0.0
        if self._auto:
            loop = asyncio.get_running_loop()
            low, high = self._delay or (0.0, 0.0)
            last = channel._inbox[-1][0] if channel._inbox else 0.0
            due = max(last, loop.time() + self._rng.uniform(low, high))
        channel._inbox.append((due, event))
        if channel not in self._busy:
            self._busy.append(channel)
        if self._auto and channel._timer is None:
            channel._timer = asyncio.get_running_loop().call_at(due, self._pump, channel)

    def _pump(self, channel: _FakeChannel) -> None:
        channel._timer = None
        loop = asyncio.get_running_loop()
        while channel._inbox and channel._inbox[0][0] <= loop.time():
            self._hand_over_head(channel)
        if channel._inbox and channel._timer is None:
            channel._timer = loop.call_at(channel._inbox[0][0], self._pump, channel)

    def _hand_over_head(self, channel: _FakeChannel) -> None:
        _due, event = channel._inbox.popleft()
        if not channel._inbox and channel in self._busy:
            self._busy.remove(channel)
        channel._hand_over(event)

    def step(self) -> bool:
        """Hand one event to one channel (chosen by the seed); False when all is done."""
        self._busy = [c for c in self._busy if c._inbox]
        if not self._busy:
            return False
        self._hand_over_head(self._rng.choice(self._busy))
        return True

    def run(self, limit: int = 1_000_000) -> int:
        """Hand over everything pending (and what callbacks order meanwhile); the count."""
        count = 0
        while count < limit and self.step():
            count += 1
        return count
