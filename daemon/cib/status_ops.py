"""Changes to the CIB's status section, as plain values.

The status section is written by the cluster, not by the administrator: the executor records
what an operation did (`lrm_rsc_op` under `node_state/lrm/lrm_resources/lrm_resource`), the
controller keeps each node's membership flags on `node_state` and its transient attributes
(fail counts, `standby` for a reboot) under `node_state/transient_attributes`. These values
are what travels between nodes and what the store applies, so every node applies the same
list in the same order and ends with the same document; they carry everything needed
(names, ids, timestamps as attribute values) and nothing is read from the clock on applying.

Ids follow Pacemaker: `node_state`, `lrm` and `transient_attributes` take the node's id; the
attribute set is `status-<node id>` and its nvpairs `status-<node id>-<name>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class RecordOp:
    """Put an `lrm_rsc_op` in place (replacing the one with the same id), creating the
    node's `node_state`, `lrm`, `lrm_resources` and the `lrm_resource` as needed."""

    node_id: str
    node_name: str
    rsc_id: str
    rsc_class: str
    rsc_provider: str | None
    rsc_type: str
    attrs: tuple[tuple[str, str], ...]  # every attribute of the lrm_rsc_op, "id" among them
    # the resource's shutdown lock (Unix seconds) kept with this result; 0 clears it, None
    # leaves it as it was
    lock_time: int | None = None

    @property
    def op_id(self) -> str:
        return dict(self.attrs)["id"]


@dataclass(frozen=True)
class DeleteOp:
    """Remove one `lrm_rsc_op` (a cancelled recurring monitor's entry, say)."""

    node_id: str
    rsc_id: str
    op_id: str


@dataclass(frozen=True)
class DeleteResource:
    """Remove a resource's whole history on a node (cleanup, refresh): it is probed again.
    With `only_failed`, only the entries whose rc-code differs from the expected result
    (and the `_last_failure_` entries) go, as `crm_resource --cleanup` does."""

    node_id: str
    rsc_id: str
    only_failed: bool = False


@dataclass(frozen=True)
class SetNodeState:
    """Set attributes of a node's `node_state` (in_ccm, crmd, join, expected, ...),
    creating it with `id` and `uname` when absent."""

    node_id: str
    node_name: str
    attrs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SetTransientAttr:
    """Set (or, with `value` None, delete) a transient node attribute. A value `value++`
    (or `value+=N`) adds to the current one when the update is applied, as Pacemaker's
    attribute daemon does, so concurrent increments all count, on every node alike."""

    node_id: str
    node_name: str
    name: str
    value: str | None


@dataclass(frozen=True)
class ClearFailures:
    """Delete a resource's fail counts and last-failure times on a node
    (`fail-count-<rsc>#<op>_<interval>`, `last-failure-...`): all of them, or those of one
    operation. What the scheduler's clear_failcount and `resource cleanup` do."""

    node_id: str
    rsc_id: str
    operation: str | None = None
    interval_ms: int | None = None


@dataclass(frozen=True)
class ClearNode:
    """Forget what a node's status says: its operation history (`lrm`), its transient
    attributes, or both; what a node that left or restarted loses."""

    node_id: str
    lrm: bool = True
    attrs: bool = True


@dataclass(frozen=True)
class SetTicket:
    """Set attributes of a ticket's `status/tickets/ticket_state` (granted, standby,
    last-granted), creating it; with `delete`, forget the ticket's state (`crm_ticket
    --cleanup`). Tickets belong to the cluster, not to a node: `node_id` is empty."""

    ticket: str
    attrs: tuple[tuple[str, str], ...] = ()
    delete: bool = False
    node_id: ClassVar[str] = ""


StatusOp = (RecordOp | DeleteOp | DeleteResource | SetNodeState | SetTransientAttr | ClearFailures
            | ClearNode | SetTicket)
