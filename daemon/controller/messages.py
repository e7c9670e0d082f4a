"""What goes into the controller and what comes out of it, as frozen values.

Every event carries `now_ms` (wall clock, milliseconds), so the core never reads a clock;
commands are instructions for `daemon/node.py`, which performs them and reports back as
events. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from daemon.cib.status_ops import StatusOp
from daemon.scheduler.graph import Graph, GraphAction


@dataclass(frozen=True)
class NodeRef:
    id: str
    name: str


@dataclass(frozen=True)
class ActionResult:
    """What a node's executor reported for one operation; travels with its status changes.

    `op_key` is `<rsc>_<task>_<interval>`; `transition_key` is the key the graph gave the
    action (or the key a recurring monitor was started with)."""

    node: NodeRef
    rsc_id: str
    op_key: str
    task: str
    interval_ms: int
    transition_key: str | None
    rc: int
    op_status: int
    exit_reason: str = ""
    when_s: int = 0


# ---- events -------------------------------------------------------------------------------

@dataclass(frozen=True)
class DcChanged:
    """Who is DC now (the election's answer); `dc` None while there is none."""

    now_ms: int
    dc: NodeRef | None
    is_me: bool


@dataclass(frozen=True)
class MembershipChanged:
    """The nodes whose daemons are in the cluster's process group (the peers we can reach)."""

    now_ms: int
    members: tuple[NodeRef, ...]
    # A sync round just installed another member's CIB: what it says of the members (who
    # is online, who is DC) can be another partition's, and the DC writes it anew.
    synced: bool = False


@dataclass(frozen=True)
class QuorumChanged:
    now_ms: int
    quorate: bool


@dataclass(frozen=True)
class CibChanged:
    """An update was applied to the CIB (in agreed order, on every node).

    `config` says the configuration changed; `status_ops` are the status changes it held;
    `results` the executor results it carried (their records are among `status_ops`)."""

    now_ms: int
    config: bool = False
    status_ops: tuple[StatusOp, ...] = ()
    results: tuple[ActionResult, ...] = ()
    origin: str = ""


@dataclass(frozen=True)
class Planned:
    """The scheduler's answer to `Schedule(seq)`: a graph, or why there is none."""

    now_ms: int
    seq: int
    graph: Graph | None
    recheck_by_s: int | None = None
    recheck_interval_ms: int = 900_000
    error: str | None = None
    fence_max_attempts: int = 10        # stonith-max-attempts (fencing-max-attempts)


@dataclass(frozen=True)
class Tick:
    """A timer set with `SetTimer` fired."""

    now_ms: int


@dataclass(frozen=True)
class ActionLost:
    """An action could not be handed to its node, or its node left before answering."""

    now_ms: int
    transition_id: int
    action_id: int
    reason: str


@dataclass(frozen=True)
class FenceDone:
    now_ms: int
    transition_id: int
    action_id: int
    ok: bool
    reason: str = ""


@dataclass(frozen=True)
class ManualFenceStarted:
    """A fencing of `node` that no transition asked for (`node fence`) has begun here."""

    now_ms: int
    node: NodeRef


@dataclass(frozen=True)
class ManualFenceDone:
    """A fencing of `node` that no transition asked for ended (heard on every node);
    `by_me`: this node carried it out."""

    now_ms: int
    node: NodeRef
    ok: bool
    reason: str = ""
    by_me: bool = False


Event = (DcChanged | MembershipChanged | QuorumChanged | CibChanged | Planned | Tick
         | ActionLost | FenceDone | ManualFenceStarted | ManualFenceDone)


# ---- commands -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Schedule:
    """Run the scheduler on the CIB as it is now; answer with `Planned(seq=seq)`."""

    seq: int
    transition_id: int


@dataclass(frozen=True)
class Execute:
    """Hand a resource operation to the executor of `action.node`."""

    action: GraphAction


@dataclass(frozen=True)
class RecordStatus:
    """Submit status changes as one replicated update."""

    ops: tuple[StatusOp, ...]
    reason: str


@dataclass(frozen=True)
class KeepDcAttributes:
    """Keep what the DC writes on <cib> and in cib-bootstrap-options up to date."""

    dc: NodeRef
    quorate: bool


@dataclass(frozen=True)
class EnsureNodes:
    """Make sure the configuration lists these nodes (a node that joins is added)."""

    nodes: tuple[NodeRef, ...]


@dataclass(frozen=True)
class Fence:
    transition_id: int
    action_id: int
    target: str
    action: str
    delay_ms: int = 0           # the priority delay the scheduler gave (priority-fencing-delay)


@dataclass(frozen=True)
class NodeShutdown:
    """The transition has stopped what ran on `node`; it may leave now."""

    node: str


@dataclass(frozen=True)
class SetTimer:
    """Wake the core with `Tick` at `at_ms` (replaces any earlier request); None: no timer."""

    at_ms: int | None


@dataclass(frozen=True)
class BecameIdle:
    """No transition runs and none is needed: `wait` callers may return."""

    transition_id: int


@dataclass(frozen=True)
class Log:
    level: str          # "info", "notice", "warning", "error"
    message: str


Command = (Schedule | Execute | RecordStatus | KeepDcAttributes | EnsureNodes | Fence
           | NodeShutdown | SetTimer | BecameIdle | Log)
