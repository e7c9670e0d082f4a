"""The fake corosync the simulation runs on: `FakeCluster` (with `auto=False`: nothing is
handed over until the simulation steps) and these additions.

- Every configuration change is tagged with the place it was ordered at (a count of the
  topology operations) and its members, so the checks can tell which members installed the
  same configuration and must then deliver the same messages in it.
- Quorum can be votequorum's `two_node: 1` with `wait_for_all: 1`: a partition of one node
  keeps quorum, once that node's corosync has seen both nodes together since it started.
- `reseed` (each run interleaves the hand-overs by its own seed) and `pending`.
"""

from __future__ import annotations

import random

from daemon.corosync.events import ConfChange, QuorumChange
from daemon.corosync.fake import FakeCluster, majority

Tag = tuple[int, tuple]         # (topology operation count, members of the configuration)


class SimCluster(FakeCluster):
    def __init__(self, seed: int, nodes, *, two_node: bool = False) -> None:
        self.two_node = two_node
        self._saw_all: set[int] = set()     # two_node: wait_for_all satisfied on these nodes
        self._operation = 0
        self._tags: dict[int, Tag] = {}      # id(ConfChange in an inbox) -> its tag
        super().__init__(seed, nodes, auto=False)

    # -- quorum ---------------------------------------------------------------------------
    def quorate(self, nodeid: int) -> bool:
        """Whether `nodeid`'s partition has quorum now (False while its corosync is down)."""
        nodes = self.partition_of(nodeid)
        if not nodes:
            return False
        if self.two_node:
            return nodeid in self._saw_all or len(nodes) == len(self.nodes)
        return len(nodes) >= majority(self.expected_votes)

    def _quorum_now(self, nodeid: int) -> QuorumChange:
        if len(self.partition_of(nodeid)) == len(self.nodes):
            self._saw_all.add(nodeid)
        return QuorumChange(self.quorate(nodeid), self._rings[nodeid],
                            tuple(sorted(self.partition_of(nodeid))))

    def start(self, nodeid: int) -> None:
        self._saw_all.discard(nodeid)       # a corosync that starts waits for all again
        super().start(nodeid)

    # -- configuration tags ---------------------------------------------------------------
    def _reconfigure(self, cause) -> None:
        self._operation += 1
        super()._reconfigure(cause)

    def _enqueue(self, channel, event) -> None:
        if isinstance(event, ConfChange):
            self._tags[id(event)] = (self._operation, event.members)
        super()._enqueue(channel, event)

    def tag_of(self, change: ConfChange) -> Tag:
        """The tag of a configuration change being handed over (once: it is forgotten)."""
        return self._tags.pop(id(change))

    def reseed(self, seed: int) -> None:
        """Interleave the hand-overs from now on by `seed` (a run on a booted cluster)."""
        self._rng = random.Random(seed)

    # -- handing over ---------------------------------------------------------------------
    @property
    def pending(self) -> bool:
        """Whether an event waits to be handed over."""
        return any(c._inbox for c in self._busy)
