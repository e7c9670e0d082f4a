"""The controller's decision core: events in, commands out, no I/O.

Only the DC acts. Its cycle is Pacemaker's: something happens (the configuration or the
status changed, a node came or went, quorum moved, a timer fired) -> the transition in
progress is aborted (nothing more is started; what runs is waited for) -> the scheduler is
run on the CIB as it is then -> its graph is executed, each action once its inputs are
confirmed, within the concurrency limits -> results come back as CIB updates and confirm
their actions; a result other than the expected one aborts again, and so on until a plan
has nothing left to do. Nothing on this path waits for a fixed time.

States, and what moves between them:

    follower  --DcChanged(is_me)-->  idle
    idle      --(re-plan needed)-->  planning   [Schedule]
    planning  --Planned(seq)------>  executing  (or idle again if events arrived meanwhile)
    executing --(graph complete)-->  idle       [BecameIdle once nothing more is needed]
    any       --DcChanged(not me)->  follower

A re-plan is needed after every abort, and once after a transition that ran actions (to
confirm that nothing is left: the scheduler may hold work back behind limits), unless that
plan repeats the one just completed.
"""

from __future__ import annotations

from collections.abc import Callable

from daemon.cib.status_ops import (ClearFailures, ClearNode, DeleteResource, RecordOp,
                                    SetNodeState, SetTransientAttr)
from daemon.controller import messages as msg
from daemon.controller.failures import effective_rc, failure_updates
from daemon.controller.graph_run import TransitionRun
from daemon.executor import history
from daemon.executor.requests import request_for
from daemon.scheduler.graph import CLUSTER, PSEUDO, RSC_OP, GraphAction, parse_transition_key

FOLLOWER, IDLE, PLANNING, EXECUTING = "follower", "idle", "planning", "executing"

# Execution status values (Pacemaker's PCMK_EXEC_*) the core must tell apart.
EXEC_PENDING, EXEC_DONE, EXEC_CANCELLED = -1, 0, 1
# A result with these statuses failed whatever its exit code says.
_EXEC_FAILED = frozenset({2, 4, 5, 6, 7, 8, 9, 10, 11})
# How long past an action's own timeout the DC waits for its result (cluster-delay).
DEFAULT_ACTION_GRACE_MS = 60_000

ONLINE = (("in_ccm", "true"), ("crmd", "online"), ("join", "member"), ("expected", "member"))
LEFT = (("in_ccm", "false"), ("crmd", "offline"), ("join", "down"))
FENCED = (*LEFT, ("expected", "down"))


class Controller:
    def __init__(self, me: msg.NodeRef, *, dc_uuid: str, cores: int = 2,
                 action_grace_ms: int = DEFAULT_ACTION_GRACE_MS) -> None:
        self.me = me
        self.dc_uuid = dc_uuid
        self.cores = max(1, cores)
        self.action_grace_ms = action_grace_ms
        self.state = FOLLOWER
        self.dc: msg.NodeRef | None = None
        self.members: tuple[msg.NodeRef, ...] = ()
        self.quorate = False
        self.dirty: str | None = None          # why a re-plan is needed
        self.seq = 0
        self.transition_id = 0
        self.run: TransitionRun | None = None
        self.last_run: TransitionRun | None = None
        self.recheck_at_ms: int | None = None
        self.deadlines: dict[int, int] = {}    # action id -> when its result is overdue
        self.fencing: set[str] = set()          # node ids whose fencing is under way
        self.back_while_fenced: set[str] = set()  # ... that joined again meanwhile (a reboot)
        # Failed fencings of each node since it was last fenced or seen: at the limit
        # (stonith-max-attempts) the controller stops trying until the node joins, is fenced
        # some other way, or the limit is raised, as Pacemaker's does; else a node no device
        # can fence would be retried in a loop with no pause.
        self.fence_failures: dict[str, int] = {}
        self.fence_max_attempts = 10
        self.idle_reported = False
        self._last_success: frozenset[str] | None = None
        self._timer_sent: int | None = None
        self._out: list[msg.Command] = []

    # ---- the one way in --------------------------------------------------------------
    def step(self, event: msg.Event) -> list[msg.Command]:
        self._out = []
        _HANDLERS[type(event)](self, event)
        self._advance(event.now_ms)
        self._set_timer()
        return self._out

    @property
    def is_dc(self) -> bool:
        return self.state != FOLLOWER

    @property
    def idle(self) -> bool:
        return self.state == IDLE and self.dirty is None

    # ---- helpers ---------------------------------------------------------------------
    def _emit(self, command: msg.Command) -> None:
        self._out.append(command)

    def _log(self, level: str, text: str) -> None:
        self._out.append(msg.Log(level, text))

    def _need_plan(self, reason: str) -> None:
        if self.dirty is None:
            self.dirty = reason
        self.idle_reported = False

    def _node_limit(self, node: str | None) -> int:
        graph = self.run.graph if self.run is not None else None
        if graph is not None and graph.node_action_limit:
            return graph.node_action_limit
        return 2 * self.cores

    # ---- event handlers --------------------------------------------------------------
    def _on_dc(self, e: msg.DcChanged) -> None:
        was = self.is_dc
        self.dc = e.dc
        if e.is_me and not was:
            self.state = IDLE
            self._log("notice", f"{self.me.name} is the DC")
            self._emit(msg.KeepDcAttributes(self.me, self.quorate))
            self._welcome(self.members)
            self._need_plan("became DC")
        elif not e.is_me and was:
            self._log("notice", f"{self.me.name} is no longer the DC")
            self.state = FOLLOWER
            self.run = None
            self.deadlines.clear()
            self.recheck_at_ms = None
            self.dirty = None

    def _welcome(self, nodes) -> None:
        if not nodes:
            return
        self._emit(msg.EnsureNodes(tuple(nodes)))
        self._emit(msg.RecordStatus(tuple(SetNodeState(n.id, n.name, ONLINE) for n in nodes),
                                    "nodes joined"))

    def _on_membership(self, e: msg.MembershipChanged) -> None:
        old = {n.id: n for n in self.members}
        new = {n.id: n for n in e.members}
        self.members = e.members
        if not self.is_dc:
            return
        joined = [n for i, n in new.items() if i not in old]
        left = [n for i, n in old.items() if i not in new]
        self.back_while_fenced |= {n.id for n in joined if n.id in self.fencing}
        for node in joined:
            self.fence_failures.pop(node.id, None)
        if e.synced:
            self._emit(msg.KeepDcAttributes(self.me, self.quorate))
            self._welcome([n for n in e.members if n.id not in self.fencing])
            self._need_plan("the CIB was synced")
        else:
            self._welcome(joined)
        if left:
            ops = []
            for node in left:
                ops.append(SetNodeState(node.id, node.name, LEFT))
                ops.append(ClearNode(node.id, lrm=False, attrs=True))
            self._emit(msg.RecordStatus(tuple(ops), "nodes left"))
            self._fail_actions_on({n.name for n in left}, "its node left", e.now_ms)
        if joined or left:
            self._need_plan("membership changed")

    def _fail_actions_on(self, names: set[str], why: str, now_ms: int) -> None:
        run = self.run
        if run is None:
            return
        for action_id, action in run.actions.items():
            if action.node in names and run.is_running(action_id):
                self._log("warning", f"{action.describe()} lost: {why}")
                self.deadlines.pop(action_id, None)
                run.finish(action_id, False)

    def _on_quorum(self, e: msg.QuorumChanged) -> None:
        if e.quorate == self.quorate:
            return
        self.quorate = e.quorate
        if self.is_dc:
            self._emit(msg.KeepDcAttributes(self.me, self.quorate))
            self._need_plan("quorum " + ("gained" if e.quorate else "lost"))

    def _on_cib(self, e: msg.CibChanged) -> None:
        if not self.is_dc:
            return
        if e.config:
            self._need_plan("configuration changed")
        if e.results:
            for result in e.results:
                self._on_result(result, e.now_ms)
        elif e.status_ops and not all(_pending_record(op) for op in e.status_ops):
            self._need_plan("status changed")   # (not for this DC's own pending records)

    def _on_result(self, r: msg.ActionResult, now_ms: int) -> None:
        if r.op_status == EXEC_PENDING:
            return
        key = parse_transition_key(r.transition_key)
        rc = effective_rc(r.rc)
        run = self.run
        if key is None or key[3] != self.dc_uuid:
            # From outside the cluster or from an earlier DC: re-plan, count the failure.
            expected = key[2] if key is not None else -1
            self._need_plan(f"result of {r.op_key} on {r.node.name} from outside")
            self._count_failure(r, expected, None)
            return
        action_id, transition_id, expected, _ = key
        current = run is not None and run.id == transition_id and self.state == EXECUTING
        if not current or not run.is_running(action_id):
            if r.interval_ms and r.op_status == EXEC_CANCELLED:
                return
            if not r.interval_ms and current and action_id in run.actions:
                return          # the same result seen twice (a last_0 and a last_failure_0)
            if rc != expected or r.op_status in _EXEC_FAILED:
                self._need_plan(f"{r.op_key} on {r.node.name} returned {r.rc}")
                self._count_failure(r, expected, None)
            elif not r.interval_ms:
                self._need_plan(f"late result of {r.op_key} on {r.node.name}")
            return
        action = run.actions[action_id]
        ignore = action.meta.get("on_fail") == "ignore"
        ok = ignore or (rc == expected and r.op_status not in _EXEC_FAILED)
        self.deadlines.pop(action_id, None)
        run.finish(action_id, ok)
        if ok and rc == expected:
            self._log("info", f"transition {transition_id}: {action.describe()} confirmed")
            return
        self._log("notice", f"transition {transition_id}: {action.describe()}: expected rc "
                            f"{expected}, got {r.rc}" + (f" ({r.exit_reason})" if r.exit_reason else ""))
        self._count_failure(r, expected, action, ignore=ignore)

    def _count_failure(self, r: msg.ActionResult, expected: int, action: GraphAction | None,
                       *, ignore: bool = False) -> None:
        graph = (self.run or self.last_run).graph if (self.run or self.last_run) else None
        fatal = graph.start_failure_is_fatal if graph is not None else True
        updates = failure_updates(r, expected, start_failure_is_fatal=fatal, ignore=ignore)
        if updates:
            self._emit(msg.RecordStatus(updates, f"{r.op_key} failed on {r.node.name}"))

    def takes(self, e: msg.Planned) -> bool:
        """Whether `e` is the plan this core waits for and will run (not one asked for
        before it stopped being DC, nor one made stale by what arrived meanwhile)."""
        return self.state == PLANNING and e.seq == self.seq and self.dirty is None

    def _on_planned(self, e: msg.Planned) -> None:
        if self.state != PLANNING or e.seq != self.seq:
            return
        self.state = IDLE
        if e.error is not None or e.graph is None:
            self._log("error", f"the scheduler failed: {e.error or 'no graph'}")
            self.recheck_at_ms = e.now_ms + min(e.recheck_interval_ms, 60_000)
            return
        recheck = e.now_ms + e.recheck_interval_ms if e.recheck_interval_ms > 0 else None
        if e.recheck_by_s is not None:
            by = e.recheck_by_s * 1000
            recheck = by if recheck is None else min(recheck, by)
        self.recheck_at_ms = recheck
        self.fence_max_attempts = e.fence_max_attempts
        if self.dirty is not None:
            return          # stale already: plan again with what arrived meanwhile
        graph = e.graph
        self.run = TransitionRun(graph, node_limit=self._node_limit,
                                 batch_limit=graph.batch_limit)
        self.state = EXECUTING
        if graph.actions:
            self._log("notice", f"transition {graph.transition_id}: {len(graph.actions)} "
                                "actions")

    def _on_tick(self, e: msg.Tick) -> None:
        if not self.is_dc:
            return
        if self.recheck_at_ms is not None and e.now_ms >= self.recheck_at_ms:
            self.recheck_at_ms = None
            self._need_plan("recheck time reached")
        run = self.run
        for action_id, deadline in list(self.deadlines.items()):
            if e.now_ms >= deadline:
                del self.deadlines[action_id]
                if run is not None and run.is_running(action_id):
                    self._log("error", f"{run.actions[action_id].describe()}: no result in "
                                       "time; treating it as failed")
                    run.finish(action_id, False)
                    self._forget_history(run.actions[action_id])

    def _forget_history(self, action: GraphAction) -> None:
        """An operation whose result never came may have done anything (a start may have
        started the resource, a stop may not have stopped it), so the history from before
        it must not be planned on: the resource's history on that node goes, and the
        scheduler has the node probe it again, before it is started anywhere (a start waits
        for every node's probe). Pacemaker writes a timed-out result instead
        (controld_record_action_timeout), with call id -1, which its ordering of the history
        counts newer than anything a later DC records: it would stay the resource's last
        word there, and have it recovered again and again."""
        if action.kind == RSC_OP and action.rsc is not None and action.node_id:
            self._emit(msg.RecordStatus((DeleteResource(action.node_id, action.rsc.id),),
                                        f"no result of {action.describe()}: probing "
                                        f"{action.rsc.id} there again"))

    def _on_lost(self, e: msg.ActionLost) -> None:
        run = self.run
        if run is None or run.id != e.transition_id or not run.is_running(e.action_id):
            return
        self.deadlines.pop(e.action_id, None)
        self._log("warning", f"{run.actions[e.action_id].describe()} lost: {e.reason}")
        run.finish(e.action_id, False)

    def _on_fence(self, e: msg.FenceDone) -> None:
        run = self.run
        if run is None or run.id != e.transition_id or not run.is_running(e.action_id):
            return
        action = run.actions[e.action_id]
        self.deadlines.pop(e.action_id, None)
        run.finish(e.action_id, e.ok)
        if e.ok and action.node_id is not None and action.meta.get("stonith_action") == "on":
            # unfenced, not fenced: the node stays up, and says so for the scheduler
            self._emit(msg.RecordStatus(
                (SetTransientAttr(action.node_id, action.node or action.node_id,
                                  "#node-unfenced", str(e.now_ms // 1000)),),
                f"{action.node} unfenced"))
        elif e.ok and action.node_id is not None:
            self._fenced(msg.NodeRef(action.node_id, action.node or action.node_id))
        elif not e.ok:
            self._log("error", f"fencing {action.node} failed: {e.reason}")
            if action.node_id is not None:
                count = self.fence_failures.get(action.node_id, 0) + 1
                self.fence_failures[action.node_id] = count
                if count == self.fence_max_attempts:
                    self._log("error", f"too many failures ({count}) to fence {action.node}, "
                                       "giving up until it joins or is fenced otherwise "
                                       "(stonith-max-attempts)")
            if action.node_id in self.back_while_fenced:
                # It joined again while its fencing ran, and was not welcomed then (that
                # waits for the fencing's end): not fenced, it is a member all the same.
                self._welcome([m for m in self.members if m.id == action.node_id])
        self.fencing.discard(action.node_id)
        self.back_while_fenced.discard(action.node_id)

    def _fenced(self, node: msg.NodeRef) -> None:
        """`node` is down for sure: what it ran counts as stopped (its history goes, so the
        scheduler recovers its resources elsewhere)."""
        self._record_fenced(node)
        # A reboot can bring the node back before its fencing is reported: if it joined
        # again meanwhile it is welcomed again (its history was just cleared: it is
        # probed). One that is still listed from before it was fenced is not: corosync
        # has not noticed it gone yet.
        if node.id in self.back_while_fenced:
            self._welcome([m for m in self.members if m.id == node.id])

    def _on_manual_start(self, e: msg.ManualFenceStarted) -> None:
        if self.is_dc:
            self.fencing.add(e.node.id)

    def _on_manual_done(self, e: msg.ManualFenceDone) -> None:
        """A fencing no transition asked for: as DC, the node counts as down like after a
        scheduled one, and what it was running is lost. Off the DC only the node that
        fenced the DC itself records it (the DC cannot: Pacemaker's executioner rule)."""
        if self.is_dc:
            if e.ok:
                self._log("notice", f"{e.node.name} was fenced on request")
                self._fenced(e.node)
                self._fail_actions_on({e.node.name}, "its node was fenced", e.now_ms)
                self._need_plan(f"{e.node.name} was fenced")
            else:
                self._log("error", f"fencing {e.node.name} on request failed: {e.reason}")
            self.fencing.discard(e.node.id)
            self.back_while_fenced.discard(e.node.id)
        elif e.ok and e.by_me and self.dc is not None and self.dc.id == e.node.id:
            self._log("notice", f"the DC {e.node.name} was fenced by this node")
            self._record_fenced(e.node)

    def _gave_up_fencing(self, node_id: str | None) -> bool:
        return node_id is not None and \
            self.fence_failures.get(node_id, 0) >= self.fence_max_attempts

    def _record_fenced(self, node: msg.NodeRef) -> None:
        self.fence_failures.pop(node.id, None)
        self._emit(msg.RecordStatus((SetNodeState(node.id, node.name, FENCED),
                                     ClearNode(node.id)), f"{node.name} fenced"))

    # ---- moving forward --------------------------------------------------------------
    def _advance(self, now_ms: int) -> None:
        if not self.is_dc:
            return
        while True:
            if self.state == EXECUTING:
                run = self.run
                if self.dirty is not None:
                    run.abort(self.dirty)
                self._fire(now_ms)
                if not run.complete:
                    return
                self._finished(run)
                continue
            if self.state == PLANNING:
                return
            if self.dirty is not None:
                self.seq += 1
                self.transition_id += 1
                self._log("info", f"planning transition {self.transition_id}: {self.dirty}")
                self.dirty = None
                self.state = PLANNING
                self._emit(msg.Schedule(self.seq, self.transition_id))
                return
            if not self.idle_reported:
                self.idle_reported = True
                self._emit(msg.BecameIdle(self.transition_id))
            return

    def _finished(self, run: TransitionRun) -> None:
        self.state = IDLE
        self.last_run, self.run = run, None
        self.deadlines.clear()
        if run.aborted is not None:
            if run.failed and all(run.actions[a].task == "stonith"
                                  and self._gave_up_fencing(run.actions[a].node_id)
                                  for a in run.failed):
                self._log("warning", f"transition {run.id} stopped at a fencing given up; "
                                     "waiting for the next event")
                return
            self._need_plan(f"transition {run.id} aborted: {run.aborted}")
            return
        keys = frozenset(a.key for a in run.graph.actions if a.kind != PSEUDO)
        if not keys:
            self._last_success = None
            return
        if run.graph.actions:
            self._log("notice", f"transition {run.id} complete")
        if keys == self._last_success:
            self._log("warning", f"transition {run.id} repeated the one before it; waiting "
                                 "for the next event")
            return
        self._last_success = keys
        self._need_plan(f"transition {run.id} complete: checking for more")

    def _fire(self, now_ms: int) -> None:
        run = self.run
        while True:
            ready = run.take_ready()
            if not ready:
                return
            for action in ready:
                if action.kind == PSEUDO:
                    run.finish(action.id, True)
                elif action.kind == CLUSTER:
                    self._cluster_action(action)
                else:
                    self.deadlines[action.id] = (now_ms + action.timeout_ms
                                                 + _start_delay(action) + self.action_grace_ms)
                    self._record_pending(action, now_ms)
                    self._emit(msg.Execute(action))

    def _record_pending(self, action: GraphAction, now_ms: int) -> None:
        """Write a start or promote down as under way before it is handed over (Pacemaker's
        record-pending, on by default): a DC that takes over before its result comes then
        plans with the resource active there (the scheduler reads a pending start so), and
        does not start it anywhere else meanwhile. Ordered before the action, the record is
        always replaced by its result. Other operations are not recorded: the scheduler
        reads nothing from them pending, and a pending stop would hide the start before it."""
        if action.task in _RECORDED_PENDING and action.rsc is not None and action.node_id:
            ops = history.pending(request_for(action), action.node_id, action.node, now_ms)
            if ops:
                self._emit(msg.RecordStatus(ops, f"{action.describe()} under way"))

    def _cluster_action(self, action: GraphAction) -> None:
        run = self.run
        if action.task == "stonith":
            if self._gave_up_fencing(action.node_id):
                run.finish(action.id, False)        # not tried again (stonith-max-attempts)
                return
            if action.node_id is not None and action.meta.get("stonith_action") != "on":
                self.fencing.add(action.node_id)
            self._emit(msg.Fence(run.id, action.id, action.node or "",
                                 action.meta.get("stonith_action", "reboot"),
                                 _priority_delay_ms(action)))
            return
        if action.task == "clear_failcount" and action.rsc is not None:
            self._emit(msg.RecordStatus((ClearFailures(action.node_id, action.rsc.id),),
                                        f"clearing fail counts of {action.rsc.id}"))
        elif action.task == "lrm_delete" and action.rsc is not None:
            self._emit(msg.RecordStatus((DeleteResource(action.node_id, action.rsc.id),),
                                        f"forgetting {action.rsc.id} on {action.node}"))
        elif action.task == "do_shutdown":
            self._emit(msg.RecordStatus(
                (SetNodeState(action.node_id, action.node, (("expected", "down"),)),),
                f"{action.node} shuts down"))
            self._emit(msg.NodeShutdown(action.node))
        run.finish(action.id, True)

    def _set_timer(self) -> None:
        times = list(self.deadlines.values())
        if self.recheck_at_ms is not None:
            times.append(self.recheck_at_ms)
        at = min(times) if times else None
        if at != self._timer_sent:
            self._timer_sent = at
            self._emit(msg.SetTimer(at))


_RECORDED_PENDING = frozenset({"start", "promote"})


def _pending_record(op) -> bool:
    return isinstance(op, RecordOp) and ("op-status", str(EXEC_PENDING)) in op.attrs


def _priority_delay_ms(action: GraphAction) -> int:
    value = action.meta.get("priority_fencing_delay", "0")
    return int(value) * 1000 if value.isdigit() else 0


def _start_delay(action: GraphAction) -> int:
    value = action.meta.get("start_delay", "0")
    return int(value) if value.isdigit() else 0


_HANDLERS: dict[type, Callable[[Controller, object], None]] = {
    msg.DcChanged: Controller._on_dc,
    msg.MembershipChanged: Controller._on_membership,
    msg.QuorumChanged: Controller._on_quorum,
    msg.CibChanged: Controller._on_cib,
    msg.Planned: Controller._on_planned,
    msg.Tick: Controller._on_tick,
    msg.ActionLost: Controller._on_lost,
    msg.FenceDone: Controller._on_fence,
    msg.ManualFenceStarted: Controller._on_manual_start,
    msg.ManualFenceDone: Controller._on_manual_done,
}
