"""When the controller may count the partition quorate.

Corosync tells quorum and the members of our process group on two connections, and at a
merge the quorum notification can come first: a node whose corosync has just merged with
the cluster's is quorate while its daemon still sees itself alone in the group (or is in
the middle of syncing its CIB). Told it is quorate then, a lone daemon that made itself DC
would fence the very nodes it is merging with, since its CIB calls them lost. So quorum
gained counts only once every node corosync counts has its daemon in the group with us and
no sync round is open. A partition that is quorate already stays so meanwhile: only
gaining quorum waits (else a DC would stop everything for the length of a round whenever a
node joins). A node whose corosync runs but whose daemon does not (it crashed, or
was never started) would hold quorum back for ever: after `GRACE_MS` the quorum counts
anyway, and that node is what Pacemaker calls a node whose controller is gone. Quorum lost
counts at once: that is the safe direction.
"""

from __future__ import annotations

from dataclasses import dataclass

GRACE_MS = 2000


@dataclass(frozen=True)
class Gate:
    """The quorum the controller is to see, and when to look again if it is held back."""

    quorate: bool
    recheck_at_ms: int | None = None
    waiting_for: tuple[int, ...] = ()


def gate(quorate: bool, quorum_nodes, group_nodes, syncing: bool, told: bool | None,
         held_since_ms: int | None, now_ms: int, grace_ms: int = GRACE_MS) -> Gate:
    """The quorum to feed the controller, which was `told` one before (None: nothing yet).
    `held_since_ms` is when quorum was first held back for the current disagreement (None
    when it is not held)."""
    if not quorate:
        return Gate(False)
    if told:
        return Gate(True)
    missing = tuple(sorted(set(quorum_nodes) - set(group_nodes)))
    if not missing and not syncing:
        return Gate(True)
    since = now_ms if held_since_ms is None else held_since_ms
    if now_ms - since >= grace_ms:
        return Gate(True, waiting_for=missing)
    return Gate(False, recheck_at_ms=since + grace_ms, waiting_for=missing)
