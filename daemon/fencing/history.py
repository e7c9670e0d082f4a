"""The fencing history every node keeps: what was fenced, how, by whom, for whom, and how
it ended.

Pacemaker's fencers each keep such a history in memory (at most 500 entries), exchange it
when the membership changes so that a node that joins later can still say what happened,
and `crm_mon` and `stonith_admin --history` show it. This module is the pure part: the
record, the bounded store and the merge of a peer's copy. The daemon feeds it the events
it hears of (daemon/fence_service.py) and sends copies; nothing here does I/O.

A record is named by an id the requester chose, so the same event heard twice (from the
executor, then again in a peer's copy) is one entry; a completed record is final, and a
pending copy never takes it back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from daemon.status.fencing import DONE, FAILED, PENDING, FenceEvent

MAX_HISTORY = 500          # Pacemaker's fencer keeps as many (MAX_STONITH_HISTORY)
STATES = (PENDING, DONE, FAILED)


@dataclass(frozen=True)
class FenceRecord:
    """One fencing action. `delegate` is the node that executes (or executed) it, `client`
    and `origin` who asked and on which node; times are Unix milliseconds (`completed_ms`
    0 while pending); `exit_reason` says why a failed one failed."""

    id: str
    target: str
    action: str
    state: str
    client: str
    origin: str
    delegate: str | None = None
    created_ms: int = 0
    completed_ms: int = 0
    exit_reason: str = ""

    @property
    def final(self) -> bool:
        return self.state != PENDING

    def finished(self, ok: bool, delegate: str, completed_ms: int,
                 reason: str = "") -> FenceRecord:
        return dataclasses.replace(self, state=DONE if ok else FAILED, delegate=delegate,
                                   completed_ms=completed_ms,
                                   exit_reason="" if ok else reason)

    def event(self) -> FenceEvent:
        """The record as the status renderers take it (crm_mon's stonith_history_t)."""
        return FenceEvent(self.action, self.target, self.state, self.client, self.origin,
                          self.delegate, self.completed_ms // 1000, self.exit_reason or None)


def _order(record: FenceRecord) -> tuple:
    """Newest first, pending before completed (stonith__sort_history)."""
    return (record.final, -(record.completed_ms or record.created_ms), record.id)


class FenceHistory:
    """The records one node knows, by id, bounded: past `limit`, the oldest completed
    records go (pending ones are never dropped: they are still going on)."""

    def __init__(self, limit: int = MAX_HISTORY) -> None:
        self.limit = limit
        self._records: dict[str, FenceRecord] = {}

    def __len__(self) -> int:
        return len(self._records)

    def get(self, record_id: str) -> FenceRecord | None:
        return self._records.get(record_id)

    def add(self, record: FenceRecord) -> bool:
        """Learn `record`; True when it is news (unknown, or the end of a pending one, or
        a pending one now naming its delegate). A final record is never replaced."""
        known = self._records.get(record.id)
        if known is not None:
            if known.final:
                return False
            if not record.final and record.delegate in (None, known.delegate):
                return False        # a pending copy that tells nothing new
        self._records[record.id] = record
        self._trim()
        return True

    def merge(self, records: Iterable[FenceRecord]) -> list[FenceRecord]:
        """A peer's copy merged in; returns the records that were news here."""
        return [r for r in records if self.add(r)]

    def records(self, target: str | None = None) -> list[FenceRecord]:
        """Newest first, pending ones before all others; of one target (by name, any
        case) when given."""
        chosen = (r for r in self._records.values()
                  if target is None or r.target.lower() == target.lower())
        return sorted(chosen, key=_order)

    def events(self) -> list[FenceEvent]:
        return [r.event() for r in self.records()]

    def pending(self, target: str, action: str) -> list[FenceRecord]:
        return [r for r in self._records.values() if not r.final
                and r.target == target and r.action == action]

    def recent_success(self, target: str, action: str, now_ms: int,
                       tolerance_ms: int) -> FenceRecord | None:
        """stonith_admin --tolerance: the newest success of the same action on the same
        target completed less than `tolerance_ms` ago, if any."""
        if tolerance_ms <= 0:
            return None
        for record in self.records(target):
            if (record.state == DONE and record.action == action
                    and now_ms - record.completed_ms < tolerance_ms):
                return record
        return None

    def _trim(self) -> None:
        excess = len(self._records) - self.limit
        if excess <= 0:
            return
        done = sorted((r for r in self._records.values() if r.final),
                      key=lambda r: (r.completed_ms, r.id))
        for record in done[:excess]:
            del self._records[record.id]
