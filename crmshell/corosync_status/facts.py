"""What the corosync tools read before they print, as plain values.

`read` fills these from a running corosync; tests build them by hand. Each field says which
call of the tool it stands for, so a renderer never has to guess what a missing answer
looked like to the tool.
"""

from __future__ import annotations

from dataclasses import dataclass

from daemon.corosync.cfg import NodeStatus
from daemon.corosync.events import RingId
from daemon.corosync.votequorum import VoteInfo

MAX_LINKS = 8   # CFG_MAX_LINKS and KNET_MAX_LINK: link numbers 0..7


@dataclass(frozen=True)
class RingFacts:
    """`corosync-cfgtool -s`: this node's id, the transport and each node's link status."""

    local_nodeid: int
    transport: str                      # totem.transport, "knet" when not set
    link_transports: tuple[str, ...]    # per link number: "udp" (knet's default) or knet_transport
    # Every nodelist node id in ascending order, with cfg's status of it (None: the call failed,
    # which the tool prints as an all-zero status).
    nodes: tuple[tuple[int, NodeStatus | None], ...]


@dataclass(frozen=True)
class Member:
    """One node of the quorum view: its id, its name as the tool resolves it, its votes."""

    nodeid: int
    name: str
    info: VoteInfo | None               # votequorum_getinfo(nodeid); None: it failed


@dataclass(frozen=True)
class QuorumFacts:
    """`corosync-quorumtool -s` and `-l`: the quorum service's view and votequorum's numbers."""

    provider: str | None                # quorum.provider; None: no provider ("Not configured")
    votequorum: bool                    # the provider is corosync_votequorum (its lines shown)
    quorate: bool                       # quorum_getquorate
    local_nodeid: int                   # runtime.votequorum.this_node_id (0 without votequorum)
    ring: RingId                        # the ring of the view: its representative node, its seq
    members: tuple[Member, ...]         # in the order the quorum service lists them
    local_info: VoteInfo | None         # votequorum_getinfo(local node); None: it failed
