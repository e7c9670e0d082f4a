"""The scheduler's result: the transition and what explains it."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType

from daemon.records import field, record
from daemon.scheduler.summary import SummaryItem, format_items, summary_items
from daemon.scheduler.working_set import WorkingSet


@record(frozen=True)
class ActionInfo:
    """An action of the transition, as a plain record.

    `meta` holds the action's meta-attributes (timeout, interval, on-fail, and for clone
    notifications and the actions they announce the `notify_*` lists), which the
    controller hands to the agent as OCF_RESKEY_CRM_meta_<name>; `in_graph` says whether
    the action is to be executed.
    """

    id: int
    key: str
    task: str
    resource: str | None
    node: str | None
    optional: bool
    runnable: bool
    pseudo: bool
    interval_ms: int
    reason: str | None
    in_graph: bool = False
    meta: Mapping[str, str] = field(default_factory=dict, hash=False)


@record(frozen=True)
class OrderingInfo:
    first: int
    then: int
    flags: int


@record
class Transition:
    """What `schedule()` decided.

    `summary` holds the Transition Summary items, `actions`/`orderings` the action graph
    (every action, including optional ones, with its links; built on first use),
    `allocation_scores` and `promotion_scores` the .scores lines (`scores_in_order` both, in
    the order they were computed, as crm_simulate prints them), and `working_set` the
    unpacked cluster (for status display, simulation and explanations).
    """

    summary: list[SummaryItem]
    summary_lines: list[str]
    allocation_scores: list[str]
    promotion_scores: list[str]
    warnings: list[str]
    working_set: WorkingSet = field(repr=False)
    scores_in_order: list[str] = field(default_factory=list)

    @cached_property
    def actions(self) -> list[ActionInfo]:
        from daemon.scheduler import model as m
        from daemon.scheduler.simulate import in_graph
        return [ActionInfo(a.id, a.key, a.task, a.rsc.id if a.rsc is not None else None,
                           a.node.name if a.node is not None else None,
                           bool(a.flags & m.OPTIONAL), bool(a.flags & m.RUNNABLE),
                           bool(a.flags & m.PSEUDO), a.interval_ms, a.reason,
                           in_graph(a), MappingProxyType(dict(a.meta)))
                for a in self.working_set.actions]

    @cached_property
    def orderings(self) -> list[OrderingInfo]:
        return [OrderingInfo(rel.action.id, a.id, rel.type)
                for a in self.working_set.actions for rel in a.before if rel.type]


def build_transition(ws: WorkingSet) -> Transition:
    items = summary_items(ws)
    return Transition(
        summary=[i for i, _, _ in items],
        summary_lines=format_items(items),
        allocation_scores=list(ws.score_lines),
        promotion_scores=list(ws.promotion_lines),
        warnings=list(ws.warnings),
        working_set=ws,
        scores_in_order=_interleaved(ws),
    )


def _interleaved(ws: WorkingSet) -> list[str]:
    out: list[str] = []
    done = 0
    for position, line in zip(ws.promotion_positions, ws.promotion_lines):
        out += ws.score_lines[done:position]
        done = position
        out.append(line)
    return out + ws.score_lines[done:]
