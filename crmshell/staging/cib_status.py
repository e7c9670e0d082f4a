"""The status section `configure cibstatus` works on: loaded from the live CIB, a shadow or a
file, changed with crm_simulate's injections (nodes, tickets, quorum, operation results),
run through the scheduler with the staged configuration, saved back.

Origins are named as crmsh names them: `live`, `shadow:<name>`, or a file path. Changes
are remembered per object (the last change of a node, operation or ticket wins), for
`show changed`.
"""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, field

from crmshell.errors import ShellError

NODE_STATES = {"online": "node_up", "offline": "node_down", "unclean": "node_fail"}
TICKET_CHANGES = {"grant": "ticket_grant", "revoke": "ticket_revoke",
                  "standby": "ticket_standby", "activate": "ticket_activate"}
# crmsh's names of exit codes ("generic" is its help's word for 1) and operation statuses.
EXIT_CODES = {"success": 0, "unknown": 1, "generic": 1, "args": 2, "unimplemented": 3,
              "perm": 4, "installed": 5, "configured": 6, "not_running": 7, "master": 8,
              "failed_master": 9}
OP_STATUSES = {"pending": -1, "done": 0, "cancelled": 1, "timeout": 2, "notsupported": 3,
               "error": 4}


@dataclass
class CibStatus:
    origin: str
    cib: object
    modified: bool = False
    changes: dict[str, str] = field(default_factory=dict)

    @property
    def status(self):
        from daemon.scheduler.status_xml import status_of
        return status_of(self.cib)

    def over(self, doc):
        """A copy of `doc` (the staged CIB) carrying this status section."""
        merged = copy.deepcopy(doc)
        old = merged.find("status")
        if old is not None:
            merged.remove(old)
        merged.append(copy.deepcopy(self.status))
        for name in ("have-quorum",):
            if self.cib.get(name) is not None:
                merged.set(name, self.cib.get(name))
        return merged

    def _inject(self, key: str, change: str, **what) -> None:
        from daemon.scheduler.inject import Injections, InjectionError, apply_injections
        try:
            apply_injections(self.cib, Injections(**what), int(time.time()))
        except InjectionError as err:
            raise ShellError(str(err)) from None
        self.changes[key] = change
        self.modified = True

    def set_quorum(self, value: bool) -> None:
        text = "true" if value else "false"
        self._inject("quorum:", text, quorum=text)

    def set_node(self, node: str, state: str) -> None:
        if state not in NODE_STATES:
            raise ShellError(f"unknown node state '{state}' (online, offline or unclean)")
        self._inject(node, state, **{NODE_STATES[state]: [node]})

    def set_ticket(self, ticket: str, change: str) -> None:
        if change not in TICKET_CHANGES:
            raise ShellError(f"unknown ticket command '{change}' (grant, revoke, standby "
                             "or activate)")
        self._inject(ticket, change, **{TICKET_CHANGES[change]: [ticket]})

    def set_op(self, op: str, rsc: str, rc: str, op_status: str | None = None,
               node: str | None = None) -> None:
        """Record a result of `op` (probe, monitor[:<seconds>], start, ...) of `rsc` on
        `node` (the one node that has run it, when not given)."""
        from daemon.scheduler.inject import OpSpec
        code = _number(rc, EXIT_CODES, "exit code")
        status = _number(op_status, OP_STATUSES, "operation status") if op_status else 0
        task, interval_ms = _split_op(op)
        found = self._recorded(rsc, task, interval_ms, node)
        if node is None:
            if len(found) != 1:
                where = " ".join(sorted(n for n, _ in found))
                raise ShellError(f"operation {op} of {rsc} found on {where}: name the node"
                                 if found else f"operation {op} of {rsc} not found: name the "
                                 "node")
            node = found[0][0]
        if interval_ms is None:
            intervals = {i for _, i in found}
            if len(intervals) != 1:
                raise ShellError(f"{rsc} has no single recurring monitor on {node}: "
                                 "give the interval (monitor:<seconds>)")
            interval_ms = intervals.pop()
        spec = OpSpec(f"{rsc}_{task}_{interval_ms}@{node}={code}", rsc, task, interval_ms,
                      node, code)
        change = f"rc={code}" + (f",op-status={status}" if op_status else "")
        self._inject_op(f"{node}:{rsc}:{op}", change, spec, status)

    def _inject_op(self, key: str, change: str, spec, status: int) -> None:
        from daemon.scheduler.inject import InjectionError, inject_op
        try:
            inject_op(self.cib, spec, int(time.time()), op_status=status)
        except InjectionError as err:
            raise ShellError(str(err)) from None
        self.changes[key] = change
        self.modified = True

    def _recorded(self, rsc: str, task: str, interval_ms: int | None,
                  node: str | None) -> list[tuple[str, int]]:
        """(node, interval) of each recorded `task` of `rsc` (any recurring interval when
        `interval_ms` is None)."""
        found = []
        for state in self.status.iterchildren("node_state"):
            name = state.get("uname") or state.get("id")
            if node is not None and node not in (name, state.get("id")):
                continue
            for op in state.iterfind(f"lrm/lrm_resources/lrm_resource[@id='{rsc}']/lrm_rsc_op"):
                interval = int(op.get("interval", "0") or 0)
                if op.get("operation") != task:
                    continue
                if (interval_ms is None and interval) or interval == interval_ms:
                    found.append((name, interval))
        return sorted(set(found))

    def change_lines(self) -> list[str]:
        """`show changed`: each change, as crmsh lists them."""
        lines = [f"{key} {value}" for key, value in self.changes.items() if key != "quorum:"]
        if "quorum:" in self.changes:
            lines.append(f"quorum: {self.changes['quorum:']}")
        return lines


def _number(text: str, names: dict[str, int], what: str) -> int:
    if text in names:
        return names[text]
    if re.fullmatch(r"-?\d+", text or ""):
        return int(text)
    raise ShellError(f"invalid {what} '{text}' (a number or one of {', '.join(names)})")


def _split_op(op: str) -> tuple[str, int | None]:
    """crmsh's operation words: probe (a one-shot monitor), monitor (its recurring one),
    monitor:<interval> (seconds, or a duration such as 30s), or any other action."""
    from daemon.cib.options import parse_duration_ms
    if op == "probe":
        return "monitor", 0
    if op == "monitor":
        return "monitor", None
    if op.startswith("monitor:"):
        text = op[len("monitor:"):]
        try:
            return "monitor", parse_duration_ms(text if not text.isdigit() else f"{text}s")
        except ValueError:
            raise ShellError(f"invalid monitor interval '{text}'") from None
    return op, 0
