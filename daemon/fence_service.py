"""Fencing on a running node: requests from the API (`node fence`), the DC's scheduled
fencing, and the fencing history every node keeps, carried over the cluster's process group.

How a manual request travels, as Pacemaker's fencers pass one around:
- the node that was asked sends a `fence-request` in agreed order; every node notes it as
  pending in its history, and the one `requests.executor_for` names (the DC, or another
  member when the DC is the target) carries it out through the same path as the DC's own
  fencing: plan from the CIB's devices and topology, delay, real fence agents;
- the executor announces it started (`fence-event`, pending, itself as delegate) and then
  the end (`fence-event`, success or failure and why); every node records it, the asking
  node answers its caller, and each controller hears of it (`ManualFenceDone`), so the DC
  counts the node's resources as stopped and the scheduler recovers them elsewhere;
- a fencing of the same target and action already under way is not started twice: the
  request joins it (a manual one and a scheduled one alike);
- when the DC changes, the asking node sends its unanswered requests again; the new
  executor runs one only if no member still here says it runs it.

A node that joins hears the others' histories (`fence-history`, sent by every member that
has one when the membership grows), as Pacemaker's fencers exchange theirs. The history
lives in memory, as Pacemaker's does. The decisions are pure (daemon.fencing.history and
requests, the controller's core); this module moves them between the node and the wire.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import time
import uuid

from daemon import admin_ops
from daemon.controller import messages as msg
from daemon.fencing.history import FenceHistory, FenceRecord
from daemon.fencing.requests import FenceRequest, executor_for, needs_running, stale
from daemon.replication import cluster_wire
from daemon.replication.errors import NotConnected
from daemon.replication.updates import CONTROLLER_CLIENT
from daemon.status.fencing import DONE, PENDING

log = logging.getLogger("crmshelld")


def now_ms() -> int:
    return int(time.time() * 1000)


class FenceFailed(Exception):
    """A fencing that ran (or could not run) and did not succeed; `record` says how."""

    def __init__(self, record: FenceRecord) -> None:
        super().__init__(f"fencing {record.target} ({record.action}) failed: "
                         f"{record.exit_reason or 'no reason given'}")
        self.record = record


@dataclasses.dataclass
class _Run:
    """One fencing this node carries out, and everyone waiting for it."""

    target: str
    action: str
    ids: list[str]                              # the history records it ends
    manual: set[str]                            # ... of those, the manual requests'
    scheduled: list = dataclasses.field(default_factory=list)   # (Fence command, its core)
    delay_ms: int = 0                           # the priority delay a transition asked for


class FenceService:
    def __init__(self, node, extra_env: dict[str, str]) -> None:
        self.node = node
        self.extra_env = extra_env
        self.history = FenceHistory()
        self._asked: dict[str, FenceRequest] = {}      # made here, not answered yet
        self._waiters: dict[str, asyncio.Future] = {}
        self._runs: dict[tuple[str, str], _Run] = {}
        # Requests whose run a transition had joined: its FenceDone told the controller
        # already (welcoming a node a reboot brought back meanwhile), and a ManualFenceDone
        # arriving after it would count the node fenced once more, and down, though it is back.
        self._told: set[str] = set()
        self._dc: str | None = None                     # the DC the requests were sent to

    # ---- the API ----------------------------------------------------------------------
    async def fence(self, target: str, action: str, client: str, timeout_s: float,
                    tolerance_s: float = 0) -> tuple[FenceRecord, bool]:
        """Fence `target` and return its record once it ended, and whether an earlier
        success within `tolerance_s` answered instead (stonith_admin --tolerance).
        FenceFailed when it failed, AdminError for a node the cluster does not know,
        asyncio.TimeoutError when it did not end in `timeout_s`."""
        node = self.node
        if node.channel is None or node.me is None or node.core is None:
            raise NotConnected("this node is not connected to corosync")
        name = self._known(target).name
        now = now_ms()
        recent = self.history.recent_success(name, action, now, int(tolerance_s * 1000))
        if recent is not None:
            return recent, True
        request = FenceRequest(str(uuid.uuid4()), name, action, client, node.me.name, now)
        future = asyncio.get_running_loop().create_future()
        self._asked[request.id], self._waiters[request.id] = request, future
        try:
            await node.send_message(cluster_wire.fence_request(node.me.id, request))
            record = await asyncio.wait_for(future, timeout_s)
        finally:
            self._asked.pop(request.id, None)
            self._waiters.pop(request.id, None)
        if record.state != DONE:
            raise FenceFailed(record)
        return record, False

    def records(self, target: str | None = None) -> list[FenceRecord]:
        return self.history.records(target)

    def events(self) -> list:
        return self.history.events()

    def _known(self, name: str) -> admin_ops.NodeName:
        """The node by name or id, from corosync's nodelist or the CIB (AdminError if
        neither has it)."""
        for node_id, uname in self.node.names.items():
            if name in (uname, str(node_id)):
                return admin_ops.NodeName(str(node_id), uname)
        return admin_ops.find_node(self.node.store.root, name)

    def _ref(self, name: str) -> msg.NodeRef | None:
        try:
            known = self._known(name)
        except admin_ops.AdminError:
            return None
        return msg.NodeRef(known.id, known.name)

    # ---- the node's hooks ---------------------------------------------------------------
    def on_message(self, env) -> None:
        """A fencing message delivered in agreed order (WireError if malformed)."""
        if env.kind == "fence-request":
            self._on_request(cluster_wire.read_fence_request(env))
        elif env.kind == "fence-event":
            record, manual = cluster_wire.read_fence_event(env)
            self._learn(record, manual=manual, live=True)
        else:
            for record in cluster_wire.read_fence_history(env):
                self._learn(record, manual=False, live=False)

    def on_joined(self) -> None:
        """The membership grew: the newcomers learn this node's history."""
        records = self.history.records()
        if records and self.node.me is not None:
            self.node._spawn(self.node._send(cluster_wire.fence_history(self.node.me.id,
                                                                        records)))

    def on_membership(self) -> None:
        """After every membership change: a new DC is sent the requests still unanswered
        here; as DC, fencing that nobody here can finish any more is recorded as failed."""
        core = self.node.core
        if core is None or self.node.me is None:
            return
        dc = core.dc.name if core.dc is not None else None
        if dc != self._dc:
            self._dc = dc
            for request in list(self._asked.values()):
                self.node._spawn(self.node._send(cluster_wire.fence_request(self.node.me.id,
                                                                            request)))
        if core.is_dc:
            members = {m.name for m in core.members}
            for record in stale(self.history.records(), members):
                self._announce(record.finished(False, record.delegate or self.node.me.name,
                                               now_ms(), "the node carrying it out left"),
                               manual=False)

    def disconnected(self) -> None:
        for future in self._waiters.values():
            if not future.done():
                future.set_exception(NotConnected("corosync went away before the fencing "
                                                  "ended; it may or may not have been done"))

    def scheduled(self, c: msg.Fence) -> None:
        """The DC's controller asked for `c` (a transition's stonith action)."""
        me = self.node.me.name
        record = FenceRecord(str(uuid.uuid4()), c.target, c.action, PENDING,
                             CONTROLLER_CLIENT, me, None, now_ms())
        self.history.add(record)
        self._start(record, manual=False, scheduled=(c, self.node.core))

    # ---- what arrives -------------------------------------------------------------------
    def _on_request(self, request: FenceRequest) -> None:
        self.history.add(request.record())
        node, core = self.node, self.node.core
        if core is None or node.me is None:
            return
        members = [m.name for m in core.members]
        dc = core.dc.name if core.dc is not None else None
        if executor_for(request.target, dc, members) != node.me.name:
            return
        known = self.history.get(request.id)
        if known.final:
            self._announce(known, manual=True)      # asked again: the answer again
        elif (request.target, request.action) in self._runs or needs_running(
                known, node.me.name, members):
            self._start(known, manual=True)

    def _learn(self, record: FenceRecord, *, manual: bool, live: bool) -> None:
        news = self.history.add(record)
        if not record.final:
            return
        future = self._waiters.get(record.id)
        if future is not None and not future.done():
            future.set_result(self.history.get(record.id))
        ref = self._ref(record.target)
        if record.id in self._told:
            self._told.discard(record.id)
            return
        if news and live and manual and ref is not None and self.node.me is not None:
            self.node._feed(msg.ManualFenceDone(now_ms(), ref, record.state == DONE,
                                                record.exit_reason,
                                                by_me=record.delegate == self.node.me.name))

    # ---- carrying it out ----------------------------------------------------------------
    def _start(self, record: FenceRecord, *, manual: bool, scheduled=None) -> None:
        me = self.node.me.name
        key = (record.target, record.action)
        run = self._runs.get(key)
        if run is None:
            run = self._runs[key] = _Run(record.target, record.action, [], set(),
                                         delay_ms=scheduled[0].delay_ms if scheduled else 0)
            self.node._spawn(self._execute(run))
            ref = self._ref(record.target)
            if manual and ref is not None:
                self.node._feed(msg.ManualFenceStarted(now_ms(), ref))
        elif record.id not in run.ids:
            log.info("fencing %s (%s) is under way already: the request joins it",
                     record.target, record.action)
        if record.id not in run.ids:
            run.ids.append(record.id)
            self._announce(dataclasses.replace(record, delegate=me), manual=manual)
        if manual:
            run.manual.add(record.id)
        if scheduled is not None:
            run.scheduled.append(scheduled)

    def _announce(self, record: FenceRecord, *, manual: bool) -> None:
        self.node._spawn(self.node._send(cluster_wire.fence_event(self.node.me.id, record,
                                                                  manual=manual)))

    async def _execute(self, run: _Run) -> None:
        try:
            ok, reason = await self._carry_out(run.target, run.action, run.delay_ms)
        except Exception as err:  # noqa: BLE001 - every waiter must get an answer
            log.exception("fencing %s could not be carried out", run.target)
            ok, reason = False, f"internal error: {err}"
        finally:
            self._runs.pop((run.target, run.action), None)
        me, done = self.node.me, now_ms()
        for record_id in run.ids:
            record = self.history.get(record_id)
            if record is not None and me is not None:
                self._announce(record.finished(ok, me.name, done, reason),
                               manual=record_id in run.manual)
        told = False
        for c, core in run.scheduled:
            if self.node.core is core and core is not None:
                self.node._feed(msg.FenceDone(done, c.transition_id, c.action_id, ok, reason))
                told = True
        if told:
            self._told.update(run.manual)

    async def _carry_out(self, target: str, action: str, priority_ms: int = 0) -> tuple[bool, str]:
        """Plan (topology levels, or the devices able to reach the target), delay (the
        priority delay `priority_ms`, then the device's), run the agents; (done, why not)."""
        from daemon.fencing.plan import plan_fencing
        from daemon.fencing.run import run_plan

        node = self.node
        plan = plan_fencing(node.store.root, target, action,
                            executing_node=node.me.name if node.me else None)
        for problem in plan.problems:
            log.warning("fencing configuration: %s", problem)
        if not plan.ok:
            reason = "; ".join(plan.notes) or f"no fence device can {action} {target}"
            log.error("fencing %s failed: %s", target, reason)
            return False, reason
        delay_ms = plan.delay_ms(random.Random(), priority_ms)
        if priority_ms:
            log.warning("fencing %s (%s) in %.1f s: it runs what matters most, so the other "
                        "side of a split fences first (priority-fencing-delay, or the two-node "
                        "default)", target, action, delay_ms / 1000)
        else:
            log.warning("fencing %s (%s)", target, action)
        result = await run_plan(plan, roots=node.executor.roots, delay_ms=delay_ms,
                                extra_env=self.extra_env)
        if result.ok:
            log.warning("%s was fenced (%s) by %s in %d ms", target, action,
                        ", ".join(result.devices), result.elapsed_ms)
        else:
            log.error("fencing %s failed: %s", target, result.reason)
        return result.ok, result.reason

