"""One simulated crmshelld process, wired as daemon/node.py wires the real one.

The same pure pieces in the same places: `Admission` on every delivery (whole messages and
each update of a batch), the `Outbox` ordering what the process sends, `SyncRounds` on
configuration changes and sync messages (updates held during a round, the winner's CIB
installed and what it says of the stale members cleared, a round cut when late), the
`CibStore` applying updates in agreed order, the controller's core stepped after every
applied update, membership and quorum change, `choose_dc` on each settled membership, the
quorum gate before quorum reaches the core, the real scheduler (`planning.plan`) on the CIB
as it is when the core asks. Messages are the real wire format, numbered per process as
admission wants them.

Where node.py's own methods need no asyncio they are called as they are (`Node._on_confchg`,
`_membership`, `_lost_before_me`, `_on_sync_message`, `_cib_for_scheduler`), with node.py's
clock made the simulation's (`World.running`); the rest is node.py's code again, written
without awaiting (a step of the simulation hands over one event; a task node.py would start
is a timer due at once) and with the checks' hooks: what is sent, delivered, applied,
installed. This mirrors daemon/node.py as of commit 00faa32 (the outbox, sync round cuts,
no-quorum-panic). Only I/O differs: corosync is `network.SimCluster`, the clock is the
world's, the scheduler answers after a seeded delay, agents and fencing are the models of
`hosts`, the disk is `Host.disk`. node.py's logging, API, idle waiters, save coalescing and
manual fencing have no counterpart.

Unlike node.py, an exception in a core is not logged and survived: it ends the run as a
failure, with its seed.
"""

from __future__ import annotations

import dataclasses
import hashlib

from lxml import etree

from daemon.cib.document import parse_cib
from daemon.cib.errors import CibError
from daemon.cib.status_apply import apply_status_ops
from daemon.cib.status_ops import ClearNode
from daemon.cib.store import CibStore
from daemon.controller import messages as msg
from daemon.controller.core import Controller
from daemon.controller.quorum_gate import GRACE_MS, gate
from daemon.corosync.errors import CorosyncError
from daemon.node import Node, _without_status
from daemon.replication import cluster_wire, wire
from daemon.replication.admission import Admission
from daemon.replication.outbox import Outbox
from daemon.replication.sync import (ROUND_TIMEOUT_S, RoundOver, SendAbort, SendCib, SendOffer,
                                     SendStart, SyncRounds)
from daemon.replication.updates import CONTROLLER_CLIENT, Meta, Update
from daemon.scheduler.graph import parse_transition_key
from tests.simulation import memo
from tests.simulation.hosts import ModelExecutor, ModelFencer, skipped

GROUP = "crmshelld"
RETRY_MS = 1000             # node.py: a failed connection is tried again after a second
DC_VERSION = "sim-crmshell"


def _pair(member) -> tuple[int, int]:
    return (member.nodeid, member.pid)


def _ignore(*_) -> None:
    pass


class SimDaemon:
    # node.py's _connect awaits the update that clears this node's history; when corosync
    # goes away before it comes back, nothing ends that wait (_disconnect runs only after
    # _connect returns) and the daemon never connects again. The simulation disconnects and
    # connects again, as node.py should; True mirrors node.py as it is (see the tests).
    MIRROR_CONNECT_HANG = False          # True: node.py before 925f96e (waited for ever)

    def __init__(self, world, host, *, skip_fencing: bool = False, hold: bool = True,
                 pending: bool = True) -> None:
        self.world, self.host = world, host
        self.nodeid = host.nodeid
        self.me = msg.NodeRef(str(host.nodeid), host.name)
        self.names = {n: f"node{n}" for n in world.cluster.nodes}
        self.skip_fencing = skip_fencing    # the broken variants (see world.Scenario)
        self.hold = hold
        self.core_class = Controller if pending else _NoPendingController
        self.alive = True
        self.pid: int | None = None
        self.store = CibStore(parse_cib(host.disk, source=f"{host.name}'s disk"))
        self.lineage = host.disk_lineage.copy()     # what its CIB holds (for the checks)
        self.executor = ModelExecutor(world, host, self)
        self.fencer = ModelFencer(world, self)
        self._seq = 0
        self._request = 0
        self._peered = False
        self.admission = Admission()
        self._had_quorum = False        # quorum was told once since this process started
        self._disconnected()
        self._connect()

    def _disconnected(self) -> None:
        self.channel = self.quorum = self.core = None
        self.connecting: str | None = None
        self.joined = False
        self.sync: SyncRounds | None = None
        self._held: list = []
        self._sync_cib: bytes | None = None
        self._pending: dict[int, object] = {}
        self.outbox = Outbox()
        self._flush_for = None          # the outbox a flush is due for
        self._quorum_fed: bool | None = None
        self._round_timer = None        # (round, cut, token) of the round's timer
        self._quorum_held_since: int | None = None
        self._quorum_timer = 0          # the token of the live quorum recheck (0: none)
        self._timer = 0                 # ... of the core's timer
        self.conf_tag = None            # the configuration the last delivery came in

    @property
    def now(self) -> int:
        return self.world.now

    @property
    def sending(self) -> bool:
        """Messages wait in its outbox (they are in flight, for the checks)."""
        return len(self.outbox) > 0 or self._flush_for is not None

    # ---- life cycle ---------------------------------------------------------------------
    def _connect(self) -> None:
        if not self.alive:
            return
        cluster = self.world.cluster
        try:
            self.quorum = cluster.open_quorum(self.nodeid, self._on_quorum, self._on_lost)
        except CorosyncError:
            self.world.after(RETRY_MS, self, self._connect)
            return
        self.connecting = "quorum"

    def _open_group(self) -> None:
        """node.py's _connect after open_quorum returned."""
        self.core = self.core_class(self.me, dc_uuid=f"sim-{self.nodeid}-{self.world.token()}",
                                    cores=2)
        self.joined = False
        self.sync, self._held, self._sync_cib = None, [], None
        self.admission = Admission()
        self.outbox = Outbox()
        try:
            self.channel = self.world.cluster.join(self.nodeid, GROUP, self._on_deliver,
                                                   self._on_confchg, self._on_lost, pid=self.pid)
        except CorosyncError:
            return              # corosync stopped meanwhile: its on_lost follows
        self.pid = self.channel.local.pid
        self.connecting = "group"

    def _group_open(self) -> None:
        """node.py's _connect after open_group returned: forget the monitors, clear this
        node's history in order, and only then tell the core of the membership."""
        self.connecting = "clearing"
        self.executor.forget_all()
        self.submit(Update("status", self._meta("crmshelld"),
                           ops=(ClearNode(self.me.id, lrm=True, attrs=True),)),
                    self._cleared)

    def _cleared(self, applied) -> None:
        if isinstance(applied, Exception):
            return
        self.connecting = None
        self.joined = True
        self._quorum_fed = None
        self._offer_quorum()
        self._membership(self.channel.members)

    def _on_lost(self, err) -> None:
        if self.channel is None and self.quorum is None:
            return
        if self.connecting == "clearing" and self.MIRROR_CONNECT_HANG:
            self.world.trace(f"{self.me.name}: corosync went away; _connect waits for ever")
            return
        self._disconnect()
        self.world.after(0, self, self._connect)

    def _disconnect(self) -> None:
        for channel in (self.channel, self.quorum):
            if channel is not None:
                channel.close()
        pending = self._pending
        self._disconnected()            # (the outbox goes with what it held)
        self.world.changed()
        for callback in pending.values():
            callback(CibError("corosync went away"))

    def die(self) -> None:
        """The process is killed: nothing more of it runs (its corosync peers see it go)."""
        self.alive = False
        if self.channel is not None:
            self.channel.crash()
        if self.quorum is not None:
            self.quorum.close()

    # ---- membership and quorum ----------------------------------------------------------
    def _on_confchg(self, change) -> None:
        self.conf_tag = self.world.cluster.tag_of(change)
        self.world.on_confchg(self, self.conf_tag)
        Node._on_confchg(self, change)
        if self.connecting == "group" and self.channel.local in change.members:
            self._group_open()          # node.py's open_group returns now

    def _membership(self, members, synced: bool = False) -> None:
        Node._membership(self, members, synced)
        self.world.changed()

    def _ask_again(self, is_me: bool) -> None:
        """(node.py asks the new DC about its API's waiters; there are none here.)"""

    def _learn_names(self, members) -> None:
        """(node.py reads corosync's nodelist again for a member it does not know; the
        simulated nodelist never changes.)"""

    # node.py's own: the nodes the last DC knew and this membership lacks left.
    _lost_before_me = Node._lost_before_me

    def _spawn(self, done) -> None:
        """node.py's methods hand their sends to a task; here `submit` has sent already."""

    def _on_quorum(self, change) -> None:
        if self.connecting == "quorum":
            self._open_group()
        self._offer_quorum()

    def _offer_quorum(self) -> None:
        if not self.joined or self.quorum is None or self.channel is None:
            return
        last = self.quorum.last
        g = gate(self.quorum.quorate, last.nodes if last is not None else (),
                 [m.nodeid for m in self.channel.members],
                 self.sync is None or self.sync.busy, self._quorum_fed,
                 self._quorum_held_since, self.now)
        if g.recheck_at_ms is not None:
            self._quorum_held_since = g.recheck_at_ms - GRACE_MS
            if not self._quorum_timer:
                self._quorum_timer = self.world.token()
                self.world.at(g.recheck_at_ms, self, self._quorum_recheck, self._quorum_timer)
        else:
            self._quorum_held_since = None
            self._quorum_timer = 0
        if g.quorate != self._quorum_fed:
            self._quorum_fed = g.quorate
            self._had_quorum = self._had_quorum or g.quorate
            self.feed(msg.QuorumChanged(self.now, g.quorate))

    def _quorum_recheck(self, token: int) -> None:
        if token == self._quorum_timer:
            self._quorum_timer = 0
            self._offer_quorum()

    # ---- sync rounds --------------------------------------------------------------------
    def _run_sync(self, commands) -> None:
        for c in commands:
            if isinstance(c, SendStart):
                self._send(cluster_wire.start(self.me.id, c.round))
            elif isinstance(c, SendOffer):
                digest = hashlib.sha256(etree.tostring(self.store.root)).hexdigest()
                self._send(cluster_wire.offer(self.me.id, c.round, tuple(self.store.version),
                                              digest, self._peered))
            elif isinstance(c, SendCib):
                self.world.on_send_cib(self, c.round)
                self._send(cluster_wire.whole_cib(self.me.id, c.round,
                                                  etree.tostring(self.store.root)))
            elif isinstance(c, SendAbort):
                self._send(cluster_wire.abort(self.me.id, c.round, c.cut))
            elif isinstance(c, RoundOver):
                self._round_over(c)
        self._time_round()

    def _time_round(self) -> None:
        """One timer for the round in progress and its cut (replication.sync cuts a round
        some member leaves unanswered for ROUND_TIMEOUT_S)."""
        want = None if self.sync is None or not self.sync.syncing else (self.sync.round,
                                                                        self.sync.cuts)
        if self._round_timer is not None and self._round_timer[:2] == want:
            return
        self._round_timer = None
        if want is not None:
            self._round_timer = (*want, self.world.token())
            self.world.after(int(ROUND_TIMEOUT_S * 1000), self, self._round_late,
                             self._round_timer)

    def _round_late(self, timer) -> None:
        if timer is self._round_timer and self.sync is not None:
            self._round_timer = None
            self._run_sync(self.sync.on_timeout(*timer[:2]))

    def _round_over(self, c: RoundOver) -> None:
        if c.install_from is not None and self._sync_cib is not None:
            root = parse_cib(self._sync_cib,
                             source=f"the CIB synced from node {c.install_from[0]}")
            stale = [ClearNode(str(m[0]), lrm=True, attrs=True) for m in c.stale]
            if stale:
                apply_status_ops(root, stale)
            self.store = CibStore(root)
            self.world.on_install(self, c.install_from, c.round)
            self._save()
            if self.sync.me in c.stale:
                self.executor.forget_all()
        self._sync_cib = None
        if c.round is not None and not self.sync.busy and len(self.sync.members) > 1:
            self._peered = True
        held, self._held = self._held, []
        for delivery, request, update, tag in held:
            self._apply_delivered(delivery, request, update, tag)
        if c.install_from is not None:
            self.feed(msg.CibChanged(self.now, config=True, origin="sync"))
        if self.channel is not None and self.joined and not self.sync.busy:
            self._membership(self.channel.members, synced=c.install_from is not None)
        self._offer_quorum()

    _on_sync_message = Node._on_sync_message         # node.py's own

    # ---- replicated updates -------------------------------------------------------------
    def _meta(self, client: str) -> Meta:
        return Meta(origin=self.me.name, client=client, user="hacluster", when=self.now / 1000)

    def _encode(self, env: wire.Envelope) -> bytes:
        self._seq += 1
        return wire.encode(dataclasses.replace(env, seq=self._seq, pid=self.pid))

    def _send(self, env: wire.Envelope) -> None:
        """node.py's send_message: after what this node queued before it."""
        if self.channel is not None:
            self.outbox.push_message(env)
            self._pump()

    def submit(self, update: Update, done=None):
        """Order `update`; `done` gets what applying it here did, or the error. The id of
        the update (node, pid, request), None when it could not be queued."""
        if self.channel is None:
            if done is not None:
                done(CibError("not connected"))
            return None
        self._request += 1
        self._pending[self._request] = done or _ignore
        self.outbox.push_update(self._request, update)
        self._pump()
        return (self.nodeid, self.pid, self._request)

    def _pump(self) -> None:
        """node.py starts a task that sends what the outbox lets go: it runs soon, not now."""
        if self._flush_for is not self.outbox:
            self._flush_for = self.outbox
            self.world.after(0, self, self._flush_outbox, self.outbox)

    def _flush_outbox(self, outbox) -> None:
        if self._flush_for is outbox:
            self._flush_for = None
        while self.channel is not None and outbox is self.outbox:
            out = outbox.next(self.me.id)
            if out is None:
                return
            try:
                self.channel.post(self._encode(out.env))
            except CorosyncError as err:
                outbox.not_sent()
                for request in out.requests:
                    self._pending.pop(request, _ignore)(err)

    def submit_results(self, ops: tuple, results: tuple) -> None:
        if self.channel is None:
            self.world.trace(f"{self.me.name}: results of "
                             f"{', '.join(r.op_key for r in results)} not recorded")
            return
        self.submit(Update("status", self._meta("crmshelld-executor"), ops=ops, results=results))

    def _on_deliver(self, delivery) -> None:
        if self.channel is not None and self.channel.local == delivery.sender:
            self.outbox.delivered()
            if len(self.outbox):
                self._pump()
        env = None
        try:
            env = memo.decode(delivery.payload)
            # Its updates: one ("update", which `check` admits whole) or a batch ("updates",
            # each of which `check_update` admits once the message is).
            single = memo.update_of(delivery.payload, env) if env.kind == "update" else None
            items = ([(env.request, single)] if single is not None else
                     memo.batch_of(delivery.payload, env) if env.kind == "updates" else [])
            why = self.admission.check(_pair(delivery), env, single, names=self.names)
            if why is not None:
                self._drop(delivery, env, why, [r for r, _ in items])
            elif items:
                for request, update in items:
                    refused = None if update is single else self.admission.check_update(
                        _pair(delivery), update, names=self.names)
                    if refused is None:
                        self._take_update(delivery, request, update)
                    else:
                        self._drop(delivery, env, refused, [request])
            elif env.kind == "execute":
                self._on_execute(env)
            elif env.kind in ("idle-query", "idle") or env.kind.startswith("fence-"):
                pass
            else:
                self._on_sync_message(delivery, env)
        except wire.WireError as err:
            self._drop(delivery, env, f"malformed: {err}")

    def _drop(self, delivery, env, why: str, requests=()) -> None:
        self.world.trace(f"{self.me.name}: dropped a {env.kind if env else '?'} message from "
                         f"node {delivery.nodeid}: {why}")
        mine = self.channel is not None and self.channel.local == delivery.sender
        for request in requests:
            self.world.on_apply(self, self.conf_tag, (delivery.nodeid, delivery.pid, request),
                                None)
            if mine:
                self._pending.pop(request, _ignore)(CibError(f"dropped: {why}"))

    def _take_update(self, delivery, request: int, update: Update) -> None:
        if self.sync is not None and self.sync.syncing and self.hold:
            self._held.append((delivery, request, update, self.conf_tag))
        else:
            self._apply_delivered(delivery, request, update, self.conf_tag)

    def _apply_delivered(self, delivery, request: int, update: Update, tag) -> None:
        mine = self.channel is not None and self.channel.local == delivery.sender
        callback = self._pending.pop(request, _ignore) if mine else _ignore
        uid = (delivery.nodeid, delivery.pid, request)
        try:
            applied = self.store.apply(update)
        except CibError as err:
            self.world.on_apply(self, tag, uid, None)
            callback(err)
            return
        self.world.on_apply(self, tag, uid, tuple(applied.version_after))
        if applied.config_changed:
            self._save()
        callback(applied)
        self.feed(msg.CibChanged(self.now, config=applied.config_changed,
                                 status_ops=tuple(applied.status_ops),
                                 results=tuple(applied.results), origin=update.meta.origin))

    def _save(self) -> None:
        """What node.py writes behind the replicated state: the CIB without its status."""
        self.host.disk = _without_status(self.store.root)
        self.host.disk_lineage = self.lineage.copy()

    # ---- the controller's core ------------------------------------------------------------
    def feed(self, event) -> None:
        if self.core is None or not self.alive:
            return
        for command in self.core.step(event):
            _COMMANDS.get(type(command), _ignore)(self, command)

    _feed = feed                # the name node.py's own methods call

    _cib_for_scheduler = Node._cib_for_scheduler     # node.py's own (quorum told, panic)

    def _do_schedule(self, c: msg.Schedule) -> None:
        cib = self._cib_for_scheduler()
        core = self.core
        planned = memo.plan(cib, now_ms=self.now, seq=c.seq, transition_id=c.transition_id,
                            dc_uuid=core.dc_uuid)
        self.world.after(self.world.rng.randint(1, 5), self, self._planned, core, planned)

    def _planned(self, core, planned) -> None:
        """node.py's _plan: the answer goes to the core that asked, if it is still there."""
        if self.core is core:
            self.feed(planned)

    def _do_execute(self, c: msg.Execute) -> None:
        if c.action.node == self.me.name:
            self.executor.execute(c.action)
            return
        members = {self.names.get(m.nodeid)
                   for m in (self.channel.members if self.channel else ())}
        if c.action.node in members:
            self._send(cluster_wire.execute(self.me.id, c.action))
            return
        key = parse_transition_key(c.action.transition_key)
        lost = msg.ActionLost(self.now, key[1] if key else 0, c.action.id,
                              f"node {c.action.node} is not a member")
        self.world.after(0, self, lambda: self.feed(dataclasses.replace(lost, now_ms=self.now)))

    def _on_execute(self, env) -> None:
        action = cluster_wire.read_execute(env)
        if action.node == self.me.name:
            self.executor.execute(action)

    def _do_record(self, c: msg.RecordStatus) -> None:
        self.submit(Update("status", self._meta(CONTROLLER_CLIENT), ops=tuple(c.ops)))

    def _do_dc_attrs(self, c: msg.KeepDcAttributes) -> None:
        self.submit(Update("dc", self._meta(CONTROLLER_CLIENT), dc=c.dc, quorate=c.quorate,
                           dc_version=DC_VERSION, cluster_name=self.world.cluster.cluster_name))

    def _do_nodes(self, c: msg.EnsureNodes) -> None:
        self.submit(Update("nodes", self._meta(CONTROLLER_CLIENT), nodes=tuple(c.nodes)))

    def _do_fence(self, c: msg.Fence) -> None:
        if self.skip_fencing:       # the broken variant: report it done, fence nothing
            self.world.trace(f"{self.me.name}: BROKEN: fencing of {c.target} skipped")
            done = skipped(c, self.now)
            core = self.core
            self.world.after(0, self, lambda: self.core is core and self.feed(done))
            return
        self.fencer.scheduled(c)

    def _do_timer(self, c: msg.SetTimer) -> None:
        self._timer = 0
        if c.at_ms is None:
            return
        self._timer = token = self.world.token()
        self.world.at(max(c.at_ms, self.now), self, self._tick, token)

    def _tick(self, token: int) -> None:
        if token == self._timer:
            self._timer = 0
            self.feed(msg.Tick(self.now))

    def _do_log(self, c: msg.Log) -> None:
        self.world.trace(f"{self.me.name}: {c.level}: {c.message}")


class _NoPendingController(Controller):
    """The broken variant no_pending: starts are handed over without a pending record."""

    def _record_pending(self, action, now_ms: int) -> None:
        pass


_COMMANDS = {
    msg.Schedule: SimDaemon._do_schedule, msg.Execute: SimDaemon._do_execute,
    msg.RecordStatus: SimDaemon._do_record, msg.KeepDcAttributes: SimDaemon._do_dc_attrs,
    msg.EnsureNodes: SimDaemon._do_nodes, msg.Fence: SimDaemon._do_fence,
    msg.SetTimer: SimDaemon._do_timer, msg.Log: SimDaemon._do_log,
}
