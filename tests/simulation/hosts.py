"""The physical side of the simulation: hosts, what really runs on them, and the two
models that stand in for agents: the executor and the fencer.

`Host.running` is the truth the safety checks read: the resources whose agents have
started them on that machine and not yet stopped them, whatever the CIB says. It survives a
crash of the daemon (the services keep running) and is emptied when the machine goes off
(a crash, or being fenced).

`ModelExecutor` takes the place of daemon/local_execution.py with daemon/executor: the same
graph actions in, the same records out (`history.record`, `ActionResult`), submitted the
same way; operations on one resource run one at a time, as the real executor's lock makes
them. What an operation does is drawn from the run's seed (`Chaos`): starts and stops fail
or hang until their timeout, results are lost (the daemon dies before it reports them: a
connected daemon has no other way to lose one) or come back long after the controller
stopped waiting (the daemon stalls: its later results wait behind them). A probe or
monitor always tells the truth.

`ModelFencer` takes the place of daemon/fence_service.py's scheduled fencing: the real
`plan_fencing` decides whether a device can fence the target from this node; the fencing
itself takes a seeded time, may fail, and when it succeeds the target machine goes off (and
reboots later). It waits the priority delay the transition gives (as the real service does:
with two nodes, by default, the side whose target runs more waits 5 s, so that a split ends
with one node standing) and the device's delay, drawn from the run's seed. A fencing already
under way for the same target is joined, as the real service joins it. The fencer dies
with its daemon: a fencing whose executor died never answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from daemon.cib.status_ops import DeleteOp
from daemon.controller import messages as msg
from daemon.executor import codes, history
from daemon.executor.model import OpResult
from daemon.executor.requests import request_for
from daemon.fencing.plan import plan_fencing
from tests.simulation.checks import Lineage

GRACE_MS = 60_000       # the controller's wait past an action's timeout (action_grace_ms)


@dataclass(frozen=True)
class Chaos:
    """How often each kind of trouble happens to an operation or a fencing."""

    start_fails: float = 0.04
    stop_fails: float = 0.02
    hangs: float = 0.02             # the agent runs into its timeout
    lost: float = 0.015             # the result never reaches the cluster: the daemon dies
    late: float = 0.02              # ... or only after the controller gave up on it
    fence_fails: float = 0.15

    def calm(self) -> "Chaos":
        return Chaos(0, 0, 0, 0, 0, 0)


class Host:
    """One machine: its disk (the configuration the daemon saved), what really runs."""

    def __init__(self, nodeid: int, disk: bytes) -> None:
        self.nodeid = nodeid
        self.name = f"node{nodeid}"
        self.disk = disk
        self.disk_lineage = Lineage()     # the updates the saved CIB holds (for the checks)
        self.on = True
        self.running: set[str] = set()
        self.daemon = None          # the SimDaemon running here, if any


class ModelExecutor:
    """The executor of one daemon process on `host` (daemon/local_execution.py)."""

    def __init__(self, world, host: Host, daemon) -> None:
        self.world, self.host, self.daemon = world, host, daemon
        self.recurring: dict[tuple[str, int], list] = {}    # (rsc, interval) -> [req, last rc]
        self.queues: dict[str, list] = {}      # rsc -> its operations, the first one running
        self.call_id = 0
        self.reported = 0                       # when its last result is submitted

    @property
    def alive(self) -> bool:
        return self.daemon.alive

    def execute(self, action) -> None:
        if action.task == "cancel":
            self._cancel(action)
            return
        req = request_for(action)
        if req.interval_ms > 0:
            self.recurring[(req.rsc_id, req.interval_ms)] = [req, None]
            self.world.after(self._delay(), self, self._monitor, (req.rsc_id, req.interval_ms))
            return
        cancelled = ()
        if req.action == "stop":
            cancelled = tuple(self.recurring.pop(k)[0].op_key
                              for k in sorted(self.recurring) if k[0] == req.rsc_id)
        queue = self.queues.setdefault(req.rsc_id, [])
        queue.append((req, cancelled))
        if len(queue) == 1:
            self.world.after(req.start_delay_ms, self, self._begin, req.rsc_id)

    def _delay(self) -> int:
        return self.world.rng.randint(1, 150)

    def _begin(self, rsc: str) -> None:
        """The agent runs: a start is active from now on, whatever it answers."""
        req, cancelled = self.queues[rsc][0]
        rng, chaos = self.world.rng, self.world.chaos
        self.world.trace(f"{self.host.name}: {req.op_key} begins ({req.transition_key})")
        duration, rc, status = self._delay(), codes.OCF_SUCCESS, codes.EXEC_DONE
        if req.action in ("start", "stop") and rng.random() < chaos.hangs:
            duration, rc, status = req.timeout_ms, codes.OCF_ERR_GENERIC, codes.EXEC_TIMEOUT
        elif req.action == "start" and rng.random() < chaos.start_fails:
            rc = codes.OCF_ERR_GENERIC
        elif req.action == "stop" and rng.random() < chaos.stop_fails:
            rc = codes.OCF_ERR_GENERIC
        if req.action == "start" and (rc == codes.OCF_SUCCESS or rng.random() < 0.5):
            self.world.set_running(self.host, rsc, True)
        self.call_id += 1
        self.world.after(duration, self, self._end, req, self.call_id, rc, status, cancelled,
                         self.world.now)

    def _end(self, req, call_id, rc, status, cancelled, started) -> None:
        rsc = req.rsc_id
        if req.action == "stop" and rc == codes.OCF_SUCCESS:
            self.world.set_running(self.host, rsc, False)
        if req.action == "monitor":
            rc = codes.OCF_SUCCESS if rsc in self.host.running else codes.OCF_NOT_RUNNING
        result = OpResult(req, call_id, rc, status, started_ms=started,
                          exec_ms=self.world.now - started, cancelled=cancelled)
        queue = self.queues[rsc]
        queue.pop(0)
        if queue:
            self.world.after(queue[0][0].start_delay_ms, self, self._begin, rsc)
        self._report(result)

    def _report(self, result: OpResult, *, recurring: bool = False) -> None:
        """Submit `result`, or lose it, or hold it (and every later one: this executor's
        results reach the cluster in the order it sends them) past the controller's wait."""
        rng, chaos = self.world.rng, self.world.chaos
        delay = 0
        if not recurring:
            roll = rng.random()
            if roll < chaos.lost:     # how a connected daemon loses a result: it dies first
                self.world.daemon_crash(self.host, f"before reporting {result.request.op_key}")
                return
            if roll < chaos.lost + chaos.late:
                delay = result.request.timeout_ms + GRACE_MS + rng.randint(1, 20_000)
                self.world.trace(f"{self.host.name}: the result of {result.request.op_key} is "
                                 f"{delay} ms late")
        self.reported = max(self.reported, self.world.now + delay)
        self.world.at(self.reported, self, self._submit, result)

    def _submit(self, result: OpResult) -> None:
        me = self.daemon.me
        req = result.request
        ops = history.record(result, me.id, me.name)
        ended_s = (result.started_ms + result.exec_ms) // 1000
        done = msg.ActionResult(me, req.rsc_id, req.op_key, req.action, req.interval_ms,
                                req.transition_key, result.rc, result.op_status,
                                result.exit_reason, ended_s)
        self.daemon.submit_results(ops, (done,))

    # -- recurring monitors: the first result and every change --------------------------
    def _monitor(self, key) -> None:
        entry = self.recurring.get(key)
        if entry is None:
            return
        req, last = entry
        rc = codes.OCF_SUCCESS if req.rsc_id in self.host.running else codes.OCF_NOT_RUNNING
        if rc == last:
            return
        entry[1] = rc
        self.call_id += 1
        self._report(OpResult(req, self.call_id, rc, codes.EXEC_DONE, started_ms=self.world.now),
                     recurring=True)

    def changed(self, rsc: str) -> None:
        """What runs on the host changed: the monitors of `rsc` notice within their interval."""
        for (monitored, interval) in sorted(self.recurring):
            if monitored == rsc:
                self.world.after(self.world.rng.randint(1, interval), self, self._monitor,
                                 (monitored, interval))

    def _cancel(self, action) -> None:
        rsc, interval = action.rsc.id, action.interval_ms
        self.recurring.pop((rsc, interval), None)
        me = self.daemon.me
        done = msg.ActionResult(me, rsc, action.key, "cancel", interval, action.transition_key,
                                0, codes.EXEC_DONE)
        self.daemon.submit_results((DeleteOp(me.id, rsc, action.key),), (done,))

    def forget_all(self) -> None:
        """The node rejoins: every recurring monitor stops (it is probed afresh)."""
        self.recurring.clear()


@dataclass
class _Run:
    target: str
    action: str
    scheduled: list             # (Fence command, the core that asked)


class ModelFencer:
    """Scheduled fencing for one daemon process (daemon/fence_service.py's path for the
    DC's Fence commands)."""

    def __init__(self, world, daemon) -> None:
        self.world, self.daemon = world, daemon
        self.runs: dict[tuple[str, str], _Run] = {}

    @property
    def alive(self) -> bool:
        return self.daemon.alive

    def on_joined(self) -> None:
        """(The real service sends its fencing history to newcomers: no history here.)"""

    def on_membership(self) -> None:
        """(... and resends unanswered manual requests: there are none here.)"""

    def scheduled(self, c: msg.Fence) -> None:
        key = (c.target, c.action)
        run = self.runs.get(key)
        if run is not None:
            run.scheduled.append((c, self.daemon.core))      # joins the fencing under way
            return
        self.runs[key] = run = _Run(c.target, c.action, [(c, self.daemon.core)])
        plan = plan_fencing(self.daemon.store.root, c.target, c.action,
                            executing_node=self.daemon.me.name)
        # The delays (the priority delay the transition asked for, then the device's), then
        # the agent's own time.
        delay = plan.delay_ms(self.world.rng, c.delay_ms) + self.world.rng.randint(10, 3000)
        self.world.trace(f"{self.daemon.me.name}: fencing {c.target} ({c.action}) in {delay} ms")
        self.world.after(delay, self, self._done, run, plan.ok)

    def _done(self, run: _Run, can: bool) -> None:
        del self.runs[(run.target, run.action)]
        ok = can and self.world.rng.random() >= self.world.chaos.fence_fails
        reason = "" if ok else ("no fence device" if not can else "the fence agent failed")
        self.world.trace(f"{self.daemon.me.name}: fencing {run.target} "
                         f"{'succeeded' if ok else 'failed: ' + reason}")
        if ok:
            self.world.fenced(run.target)
            if not self.alive:
                return          # it fenced its own machine
        for c, core in run.scheduled:
            if self.daemon.core is core and core is not None:
                self.daemon.feed(msg.FenceDone(self.world.now, c.transition_id, c.action_id,
                                               ok, reason))


def skipped(fence: msg.Fence, now_ms: int) -> msg.FenceDone:
    """The broken variant's answer: the fencing reported done and nothing fenced."""
    return msg.FenceDone(now_ms, fence.transition_id, fence.action_id, True, "")

