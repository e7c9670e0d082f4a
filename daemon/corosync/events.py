"""What corosync tells a process group, as plain values.

These are the events the real binding (`cpg`, `quorum`, `aio`) and the in-memory fake
(`fake`) both hand to their callers, so a core written against one runs on the other. They
hold no ctypes objects: every buffer is copied out of the library before it is wrapped.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Reason(enum.IntEnum):
    """Why a process joined or left a group (cpg_reason_t)."""

    UNDEFINED = 0
    JOIN = 1        # the process called cpg_join
    LEAVE = 2       # the process called cpg_leave (or closed its handle)
    NODEDOWN = 3    # its node left the membership (crash, partition, corosync stopped)
    NODEUP = 4      # its node came into the membership (start, or a partition healed)
    PROCDOWN = 5    # the process went away without leaving (crash, kill)


@dataclass(frozen=True, order=True)
class Member:
    """One process in a group: the node it runs on and its pid as corosync sees it."""

    nodeid: int
    pid: int


@dataclass(frozen=True)
class ConfChange:
    """A group's membership changed: who is in it now, who left and who joined, with why."""

    group: str
    members: tuple[Member, ...]
    left: tuple[tuple[Member, Reason], ...]
    joined: tuple[tuple[Member, Reason], ...]


@dataclass(frozen=True)
class Delivery:
    """One message, in the group's agreed order, from the process that sent it."""

    nodeid: int
    pid: int
    payload: bytes

    @property
    def sender(self) -> Member:
        return Member(self.nodeid, self.pid)


@dataclass(frozen=True, order=True)
class RingId:
    """A totem membership (ring): the node that formed it and its sequence number."""

    nodeid: int
    seq: int


@dataclass(frozen=True)
class TotemChange:
    """The cluster's node membership changed (CPG's totem confchg callback)."""

    ring: RingId
    nodes: tuple[int, ...]


@dataclass(frozen=True)
class QuorumChange:
    """Quorum as the quorum service reports it: quorate or not, in which ring, which nodes."""

    quorate: bool
    ring: RingId
    nodes: tuple[int, ...]
