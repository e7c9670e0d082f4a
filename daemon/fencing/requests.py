"""Fencing asked for by a person (`node fence`, `stonith_admin --reboot`), as a value, and
the rules that make such a request safe to make from any node and to repeat.

Every node hears a request in agreed order (see daemon/fence_service.py) and every node
works out the same executor from the same facts: the DC, which fences what its own
transitions need too, so a manual fencing and a scheduled one of the same node run once;
and when the target is the DC itself, the first other member (by name), since a node that
kills itself cannot report the result. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from daemon.fencing.history import FenceRecord
from daemon.status.fencing import PENDING

MANUAL_ACTIONS = ("reboot", "off")


@dataclass(frozen=True)
class FenceRequest:
    """`action` of `target` asked by `client` on node `origin`; `id` names the request
    (and its history record) everywhere, so a request sent again is the same one."""

    id: str
    target: str
    action: str
    client: str
    origin: str
    created_ms: int

    def record(self) -> FenceRecord:
        """The pending history record every node keeps once it hears the request."""
        return FenceRecord(self.id, self.target, self.action, PENDING, self.client,
                           self.origin, None, self.created_ms)


def executor_for(target: str, dc: str | None, members: Iterable[str]) -> str | None:
    """The node that carries out a fencing of `target`: the DC, or when the DC is the
    target the first other member by name; None when there is no one (no DC yet, or the
    target is the only member left: it is not asked to kill itself)."""
    if dc is None:
        return None
    if dc != target:
        return dc
    others = sorted(m for m in members if m != target)
    return others[0] if others else None


def needs_running(record: FenceRecord | None, me: str, members: Iterable[str]) -> bool:
    """Whether this node, the executor, should start the fencing a request names: not when
    it ended already, nor while a member that is still here says it runs it (the request
    was sent again after a DC change, and the old executor is still at work)."""
    if record is None or record.final:
        return record is None
    return record.delegate in (None, me) or record.delegate not in set(members)


def stale(records: Iterable[FenceRecord], members: Iterable[str]) -> list[FenceRecord]:
    """Pending records nobody can end any more: neither the node carrying it out nor the
    one that asked is a member (the DC records these as failed, or they would show as
    pending for ever). One whose requester is still here is not: it asks again."""
    here = set(members)
    return [r for r in records if not r.final and r.delegate not in here
            and r.origin not in here]
