"""The crmshelld process: the cores wired to corosync, the API socket, timers and agents.

Everything that decides is elsewhere and pure (the store applies updates, the controller's
core turns events into commands, the scheduler plans); this module only moves values
between them and the outside world, on one asyncio loop:

- every change to the CIB, a client's commit as much as an agent's result, is sent to the
  node's CPG group as an agreed-order message and applied when corosync delivers it, on
  every member in the same order; the caller is answered once it is applied here;
- after each applied update, membership or quorum change, the controller's core is stepped
  and its commands carried out (plan, execute, record, set a timer);
- the local API reads the store directly and turns writes into updates.

Without corosync nothing is written: the API still answers reads from the CIB on disk and
refuses writes as "unavailable"; the node waits for corosync and carries on when it is back.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import hashlib
import logging
import os
import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from daemon import __version__ as DAEMON_VERSION
from daemon.cib.disk import CibDisk
from daemon.cib.document import parse_cib, serialize_cib
from daemon.cib.errors import CibError
from daemon.cib.status_ops import ClearNode, SetNodeState, SetTransientAttr
from daemon.cib.status_apply import apply_status_ops
from daemon.cib.store import CibStore
from daemon.cib.versions import read_version
from daemon.controller import messages as msg
from daemon.controller.core import LEFT, Controller
from daemon.controller.election import choose_dc
from daemon.controller.quorum_gate import GRACE_MS, gate
from daemon.corosync import aio
from daemon.corosync.cmap import CmapConnection
from daemon.corosync.errors import CorosyncError, CorosyncUnavailable
from daemon.corosync.events import ConfChange, Delivery, QuorumChange
from daemon.executor.executor import Executor
from daemon.executor.meta.discovery import AgentRoots
from daemon.executor.meta.run import SAFE_PATH
from daemon.fence_service import FenceService
from daemon.local_execution import LocalExecution
from daemon.node_api import start_api
from daemon.plan_worker import PlanWorker
from daemon.replication import updates, wire
from daemon.replication import cluster_wire
from daemon.replication.admission import Admission
from daemon.replication.errors import NotConnected
from daemon.replication.outbox import Outbox
from daemon.replication.sync import (ROUND_TIMEOUT_S, RoundOver, SendAbort, SendCib, SendOffer,
                                     SendStart, SyncRounds)
from daemon.replication.updates import CONTROLLER_CLIENT, Meta, Update
from daemon.scheduler.graph import parse_transition_key
from daemon.settings import Settings

log = logging.getLogger("crmshelld")

DC_VERSION = f"{DAEMON_VERSION}-crmshell"
SHUTDOWN_ESCALATION_S = 20 * 60
SAVE_GAP_S = 0.1                        # between saves nobody waits for
# The core's "info" is every step of every transition: kept for --debug, as Pacemaker keeps
# its per-action detail below notice; "notice" and worse are what an administrator reads.
_LOG_LEVELS = {"info": logging.DEBUG, "notice": logging.INFO, "warning": logging.WARNING,
               "error": logging.ERROR}


def _pair(member) -> tuple[int, int]:
    return (member.nodeid, member.pid)


def now_ms() -> int:
    return int(time.time() * 1000)


class Node:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.disk = CibDisk(settings.state_dir)
        self.store: CibStore | None = None
        self.me: msg.NodeRef | None = None
        self.names: dict[int, str] = {}         # corosync node id -> node name (nodelist)
        self.cluster_name: str | None = None
        self.channel = None                     # aio.GroupChannel while connected
        self.quorum = None                      # aio.QuorumChannel while connected
        self.core: Controller | None = None
        self.joined = False                     # our own "I am back" update was applied
        self.executor: Executor | None = None
        self.execution: LocalExecution | None = None
        self.api = None
        self._pending: dict[int, asyncio.Future] = {}
        self._request = 0
        self._timer: asyncio.TimerHandle | None = None
        self._idle_waiters: list[asyncio.Future] = []
        self._remote_waiters: dict[int, list] = {}  # request -> [future, asked]: wait off the DC
        self._owe_idle = False                  # as DC: a node asked whether we are idle
        self._subscribers: set[asyncio.Queue] = set()
        self._lost = asyncio.Event()
        self._stopped = asyncio.Event()
        self._stopping = False
        self._save_task: asyncio.Task | None = None
        self._save_again = False
        self._unsaved: list[tuple[asyncio.Future, object]] = []   # callers awaiting the disk
        self._save_hurry = asyncio.Event()
        self._background: set[asyncio.Task] = set()
        self.planner = PlanWorker()
        self.sync: SyncRounds | None = None     # this session's sync rounds (see replication.sync)
        self._held: list = []                   # updates delivered during a sync round
        self._sync_cib: bytes | None = None     # the winner's CIB of the round
        self._early: list = []                  # messages of our join's round, sent once open
        self._round_timer: tuple | None = None  # (round, cut, handle): when to cut the round
        self._peered = False                    # synced with others since start (sync.py)
        self._quorum_fed: bool | None = None    # the quorum the core was told (quorum_gate)
        self._had_quorum = False                # ... true once since this process started
        self._quorum_held_since: int | None = None
        self._quorum_timer: asyncio.TimerHandle | None = None
        self.fencer = FenceService(self, agent_environment(settings))   # and fencing history
        self.admission = Admission()            # which delivered messages may act (see there)
        self._seq = 0                           # this process's message number, never reset
        self.outbox = Outbox()                  # what this process sends, in order (outbox.py)
        self._flusher: asyncio.Task | None = None

    # ---- life cycle ---------------------------------------------------------------------
    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        self._load_cib()
        self.executor = Executor(AgentRoots(ocf_root=self.settings.ocf_root).with_shipped(),
                                 extra_env=agent_environment(self.settings))
        self.api = await start_api(self)
        await self.planner.start()
        for sig, handler in ((signal.SIGTERM, self.request_stop), (signal.SIGINT, self.request_stop),
                             (signal.SIGHUP, self._reload)):
            loop.add_signal_handler(sig, handler)
        # What is loaded by now (modules, the scheduler's tables) lives as long as the
        # process: out of the collector's way, a full collection costs what the live CIB
        # and requests cost, not the whole program.
        gc.freeze()
        log.info("crmshelld %s started: state in %s, API on %s", DAEMON_VERSION,
                 self.settings.state_dir, self.settings.socket)
        session = loop.create_task(self._sessions())
        await self._stopped.wait()
        session.cancel()
        await asyncio.gather(session, return_exceptions=True)
        await self._close()
        log.info("crmshelld stopped")
        return 0

    def _load_cib(self) -> None:
        loaded = self.disk.load()
        for problem in loaded.problems:
            log.warning("CIB: %s", problem)
        self.store = CibStore(loaded.root)
        log.info("CIB %s loaded from %s", ".".join(map(str, self.store.version)),
                 loaded.source_path or "nothing (a new CIB)")

    async def _sessions(self) -> None:
        """Connect to corosync, serve as a member until it goes away, and again."""
        while not self._stopping:
            try:
                await self._connect()
            except (CorosyncError, NotConnected) as err:
                log.error("corosync: %s", err)
                if self.channel is not None or self.quorum is not None:
                    self._disconnect(f"joining failed: {err}")
                if self.settings.corosync_wait_s is not None:
                    self.request_stop(at_once=True)
                    return
                await asyncio.sleep(1.0)
                continue
            await self._lost.wait()
            self._disconnect("corosync went away")

    async def _connect(self) -> None:
        wait = self.settings.corosync_wait_s
        log.info("waiting for corosync")
        entry = await aio.read_cmap(CmapConnection.local_node, connect_timeout=wait)
        nodelist = await aio.read_cmap(CmapConnection.nodelist, connect_timeout=wait)
        self.names = {n.nodeid: n.uname for n in nodelist}
        try:
            name = await aio.read_cmap(lambda c: c.get("totem.cluster_name"), connect_timeout=wait)
            self.cluster_name = str(name) if name else None
        except CorosyncError:
            self.cluster_name = None
        self.me = msg.NodeRef(str(entry.nodeid), entry.uname)
        self._lost.clear()
        self.quorum = await aio.open_quorum(self._on_quorum, self._on_corosync_lost,
                                            connect_timeout=wait)
        self.core = Controller(self.me, dc_uuid=str(uuid.uuid4()), cores=os.cpu_count() or 2)
        self.joined = False
        self.sync, self._held, self._sync_cib, self._early = None, [], None, []
        self.admission = Admission()
        self.outbox = Outbox()
        self.channel = await aio.open_group(self.settings.cpg_group, self._on_deliver,
                                            self._on_confchg, self._on_corosync_lost,
                                            connect_timeout=wait)
        early, self._early = self._early, []
        for env in early:
            self._spawn(self._send(env))
        log.info("joined corosync as %s (node id %s), quorum %s", self.me.name, self.me.id,
                 "yes" if self.quorum.quorate else "no")
        self.execution = LocalExecution(self.executor, self.me, self._submit_results)
        self.execution.forget_all()
        # What this node ran before is probed again rather than trusted: the history goes
        # first, in order, and the core hears of the membership only once it is applied.
        # Corosync may go away before that comes back: then this session ends here, and
        # `_sessions` disconnects and connects again.
        loop = asyncio.get_running_loop()
        joining = loop.create_task(self.submit(Update(
            "status", self._meta("crmshelld"), ops=(ClearNode(self.me.id, lrm=True, attrs=True),))))
        lost = loop.create_task(self._lost.wait())
        try:
            await asyncio.wait({joining, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
        if not joining.done():
            joining.add_done_callback(lambda t: t.cancelled() or t.exception())
            log.warning("corosync went away before this node's join was applied")
            return
        joining.result()
        self.joined = True
        self._quorum_fed = None
        self._offer_quorum()
        self._membership(self.channel.members)

    def _on_corosync_lost(self, err: CorosyncUnavailable) -> None:
        log.error("corosync: %s", err)
        self._lost.set()

    def _disconnect(self, why: str) -> None:
        log.warning("not a cluster member any more (%s); writes are refused until corosync "
                    "is back", why)
        for channel in (self.channel, self.quorum):
            if channel is not None:
                channel.close()
        self.channel = self.quorum = None
        self.core = None
        self.joined = False
        self.sync, self._sync_cib = None, None
        self._time_round()
        held, self._held = self._held, []
        for _, request, _ in held:
            future = self._pending.get(request)
            if future is not None and not future.done():
                future.set_exception(NotConnected("corosync went away before the change was "
                                                  "applied"))
        for queued in self.outbox.clear():
            if queued.sent is not None and not queued.sent.done():
                queued.sent.set_exception(NotConnected("corosync went away before the message "
                                                       "was sent"))
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._hold_quorum(None)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(NotConnected("corosync went away before the change was "
                                                  "ordered; it may or may not have been applied"))
        self._pending.clear()
        self._wake_idle(error="corosync went away")
        self.fencer.disconnected()

    def request_stop(self, at_once: bool = False) -> None:
        """SIGTERM: stop this node's resources through the cluster, then leave. A second
        request (or no cluster to stop them through) leaves at once."""
        if self._stopping or at_once or self.core is None or not self.joined:
            if self._stopping:
                log.warning("second stop request: leaving now")
            self._stopping = True
            self._stopped.set()
            return
        self._stopping = True
        log.info("shutting down: stopping this node's resources")
        when = str(int(time.time()))
        self._spawn(self.submit(Update("status", self._meta("crmshelld"), ops=(
            SetTransientAttr(self.me.id, self.me.name, "shutdown", when),))))
        asyncio.get_running_loop().call_later(SHUTDOWN_ESCALATION_S, self._escalate)

    def _escalate(self) -> None:
        log.error("shutdown-escalation: resources did not stop in time; leaving anyway")
        self._stopped.set()

    def _reload(self) -> None:
        from daemon import logs

        logs.reopen(log)
        log.info("SIGHUP: log re-opened")

    async def _close(self) -> None:
        if self.api is not None:
            await self.api.close()
        if self.execution is not None:
            await self.execution.close()
        elif self.executor is not None:
            await self.executor.close()
        await self.planner.close()
        await self._flush_save()
        if self.channel is not None:
            self._disconnect("stopping")

    # ---- membership and quorum ----------------------------------------------------------
    def _on_confchg(self, change: ConfChange) -> None:
        self.admission.on_confchg([_pair(m) for m in change.members],
                                  [_pair(m) for m, _ in change.left],
                                  [_pair(m) for m, _ in change.joined])
        if self.sync is None:
            # The first change a session sees is its own join (nothing earlier reaches it).
            mine = [m for m, _ in change.joined if str(m.nodeid) == self.me.id]
            if not mine:
                return
            self.sync = SyncRounds(_pair(max(mine)))
        self._run_sync(self.sync.on_confchg([_pair(m) for m in change.members],
                                            [_pair(m) for m, _ in change.joined]))
        if self.joined and not self.sync.busy:   # else the core hears of it after the round
            self._membership(change.members)
        self._offer_quorum()
        if change.joined:
            self.fencer.on_joined()

    # ---- sync rounds ----------------------------------------------------------------------
    def _run_sync(self, commands) -> None:
        for c in commands:
            if isinstance(c, SendStart):
                self._spawn(self._send(cluster_wire.start(self.me.id, c.round)))
            elif isinstance(c, SendOffer):
                version = tuple(self.store.version)
                digest = hashlib.sha256(etree.tostring(self.store.root)).hexdigest()
                self._spawn(self._send(cluster_wire.offer(self.me.id, c.round, version, digest,
                                                          self._peered)))
            elif isinstance(c, SendCib):
                log.info("sync: this node's CIB %s goes to the new members",
                         ".".join(map(str, self.store.version)))
                self._spawn(self._send(cluster_wire.whole_cib(self.me.id, c.round,
                                                              etree.tostring(self.store.root))))
            elif isinstance(c, SendAbort):
                self._spawn(self._send(cluster_wire.abort(self.me.id, c.round, c.cut)))
            elif isinstance(c, RoundOver):
                self._round_over(c)
        self._time_round()

    def _time_round(self) -> None:
        """Keep one timer for the round in progress (and its cut): a round some member
        leaves unanswered is cut after ROUND_TIMEOUT_S (replication.sync)."""
        want = None if self.sync is None or not self.sync.syncing else (self.sync.round,
                                                                        self.sync.cuts)
        if self._round_timer is not None and self._round_timer[:2] == want:
            return
        if self._round_timer is not None:
            self._round_timer[2].cancel()
            self._round_timer = None
        if want is not None:
            handle = asyncio.get_running_loop().call_later(ROUND_TIMEOUT_S, self._round_late,
                                                           *want)
            self._round_timer = (*want, handle)

    def _round_late(self, round_, cut: int) -> None:
        self._round_timer = None
        if self.sync is None:
            return
        waiting = sorted(m for m in self.sync.members if m not in self.sync.offers) or \
            [self.sync.winner]
        log.warning("sync: round %s has waited %.0f s for node(s) %s; cutting it",
                    ".".join(map(str, round_)), ROUND_TIMEOUT_S,
                    ", ".join(f"{m[0]} pid {m[1]}" for m in waiting if m))
        self._run_sync(self.sync.on_timeout(round_, cut))

    async def _send(self, env) -> None:
        if self.channel is None:
            if self.sync is not None:
                self._early.append(env)     # our own join's round, before open_group returns
            return
        try:
            await self.send_message(env)
        except NotConnected as err:
            log.warning("could not send a %s message: %s", env.kind, err)

    async def send_message(self, env) -> None:
        """Send `env` after what this node queued before it; NotConnected if it cannot go."""
        if self.channel is None:
            raise NotConnected("this node is not connected to corosync")
        sent = asyncio.get_running_loop().create_future()
        self.outbox.push_message(env, sent)
        self._pump()
        await sent

    def _round_over(self, c: RoundOver) -> None:
        if c.install_from is not None and self._sync_cib is not None:
            try:
                root = parse_cib(self._sync_cib, source="the CIB synced from node "
                                 f"{c.install_from[0]}")
                if tuple(read_version(root)) != tuple(self.store.version) or c.install_from != self.sync.me:
                    log.info("sync: CIB %s taken from node %d (was %s)",
                             ".".join(map(str, read_version(root))), c.install_from[0],
                             ".".join(map(str, self.store.version)))
                stale = [ClearNode(str(m[0]), lrm=True, attrs=True) for m in c.stale]
                if stale:
                    apply_status_ops(root, stale)
                self.store = CibStore(root)
                self._save_soon()
                if self.sync.me in c.stale and self.execution is not None:
                    log.info("sync: this node was apart; its resources are probed again")
                    self.execution.forget_all()
            except CibError as err:
                log.error("sync: the CIB from node %d cannot be used: %s", c.install_from[0], err)
        self._sync_cib = None
        if c.round is not None and not self.sync.busy and len(self.sync.members) > 1:
            self._peered = True     # a round with others ended: this CIB is the cluster's
        held, self._held = self._held, []
        for delivery, request, update in held:
            self._apply_delivered(delivery, request, update)
        if c.install_from is not None:
            self._feed(msg.CibChanged(now_ms(), config=True, status_ops=(), results=(),
                                      origin="sync"))
        if self.channel is not None and self.joined and not self.sync.busy:
            # the same one again changes nothing, but after an installed CIB the DC says anew
            # who is there
            self._membership(self.channel.members, synced=c.install_from is not None)
        self._offer_quorum()

    def _on_sync_message(self, delivery: Delivery, env) -> None:
        if self.sync is None:
            return
        sender = _pair(delivery.sender)
        if env.kind == "sync-request":
            self._run_sync(self.sync.on_start(sender, cluster_wire.read_start(env)))
        elif env.kind == "sync-offer":
            self._run_sync(self.sync.on_offer(sender, *cluster_wire.read_offer(env)))
        elif env.kind == "sync-abort":
            left = set(self.sync.left_out)
            self._run_sync(self.sync.on_abort(sender, *cluster_wire.read_abort(env)))
            if self.sync.left_out - left:
                log.warning("sync: the round goes on without node(s) %s", ", ".join(
                    f"{m[0]} pid {m[1]}" for m in sorted(self.sync.left_out - left)))
        else:
            round_, body = cluster_wire.read_whole_cib(env)
            if self.sync.accepts_cib(sender, round_):
                self._sync_cib = body
            self._run_sync(self.sync.on_cib(sender, round_))

    def _learn_names(self, members) -> None:
        """A member whose id the nodelist read at connect did not have was added since
        (`cluster join`/`add` reloads corosync with the new nodelist): read it again, so
        the node is known by its name, never by its id."""
        if all(m.nodeid in self.names for m in members):
            return
        try:
            conn = CmapConnection()
            try:
                self.names.update({n.nodeid: n.uname for n in conn.nodelist()})
            finally:
                conn.close()
        except CorosyncError as err:
            log.warning("cannot read corosync's nodelist again: %s", err)

    def _membership(self, members, synced: bool = False) -> None:
        self._learn_names(members)
        refs = tuple(msg.NodeRef(str(m.nodeid), self.names.get(m.nodeid, str(m.nodeid)))
                     for m in sorted(set(members)))
        self._feed(msg.MembershipChanged(now_ms(), refs, synced))
        dc = choose_dc((m.nodeid, m.pid) for m in members)
        dc_ref = None if dc is None else msg.NodeRef(str(dc[0]), self.names.get(dc[0], str(dc[0])))
        local = self.channel.local if self.channel is not None else None
        is_me = dc is not None and local is not None and dc == (local.nodeid, local.pid)
        if self.core is not None and (self.core.dc != dc_ref or self.core.is_dc != is_me):
            became = is_me and not self.core.is_dc
            self._feed(msg.DcChanged(now_ms(), dc_ref, is_me))
            if became:
                self._lost_before_me({r.id for r in refs})
            self._ask_again(is_me)
        self.fencer.on_membership()

    def _lost_before_me(self, members: set[str]) -> None:
        """A new DC takes over the nodes the last one knew as members and this membership
        lacks (they went while there was no DC here, as in a partition): they left, as the
        core records for nodes that leave under a DC, so the scheduler does not plan
        actions on them (and fences them where their resources require it)."""
        status = self.store.root.find("status")
        ops = []
        for state in (status if status is not None else ()):
            if (state.tag == "node_state" and state.get("id") not in members
                    and state.get("in_ccm") == "true"):
                ops.append(SetNodeState(state.get("id"), state.get("uname", ""), LEFT))
                ops.append(ClearNode(state.get("id"), lrm=False, attrs=True))
        if ops:
            self._spawn(self.submit(Update("status", self._meta(CONTROLLER_CLIENT),
                                           ops=tuple(ops))))

    def _on_quorum(self, change: QuorumChange) -> None:
        self._offer_quorum()

    def _offer_quorum(self) -> None:
        """Tell the core the quorum the gate lets through: quorum gained waits until the
        daemons of every node corosync counts are in the group with us (quorum_gate)."""
        if not self.joined or self.quorum is None or self.channel is None:
            return
        last = self.quorum.last
        now = now_ms()
        g = gate(self.quorum.quorate, last.nodes if last is not None else (),
                 [m.nodeid for m in self.channel.members],
                 self.sync is None or self.sync.busy, self._quorum_fed,
                 self._quorum_held_since, now)
        if g.recheck_at_ms is not None:
            if self._quorum_held_since is None and g.waiting_for:
                log.info("quorum: counted once the daemons of node(s) %s are in the group",
                         ", ".join(self.names.get(n, str(n)) for n in g.waiting_for))
            self._hold_quorum(g.recheck_at_ms - GRACE_MS)
            if self._quorum_timer is None:
                self._quorum_timer = asyncio.get_running_loop().call_later(
                    (g.recheck_at_ms - now) / 1000, self._quorum_recheck)
        else:
            if self._quorum_held_since is not None and g.waiting_for:
                log.warning("quorum: counted although no daemon joined from node(s) %s within "
                            "%d ms", ", ".join(self.names.get(n, str(n)) for n in g.waiting_for),
                            GRACE_MS)
            self._hold_quorum(None)
        if g.quorate != self._quorum_fed:
            self._quorum_fed = g.quorate
            self._had_quorum = self._had_quorum or g.quorate
            self._feed(msg.QuorumChanged(now, g.quorate))

    def _hold_quorum(self, since_ms: int | None) -> None:
        self._quorum_held_since = since_ms
        if since_ms is None and self._quorum_timer is not None:
            self._quorum_timer.cancel()
            self._quorum_timer = None

    def _quorum_recheck(self) -> None:
        self._quorum_timer = None
        self._offer_quorum()

    @property
    def dc_name(self) -> str | None:
        if self.core is None or self.core.dc is None:
            return None
        return self.core.dc.name

    # ---- replicated updates ---------------------------------------------------------------
    def _meta(self, client: str, user: str = "hacluster") -> Meta:
        origin = self.me.name if self.me is not None else ""
        return Meta(origin=origin, client=client, user=user, when=time.time())

    async def submit(self, update: Update):
        """Order `update` through corosync; return what applying it here did."""
        if self.channel is None or self.me is None:
            raise NotConnected("this node is not connected to corosync")
        self._request += 1
        request = self._request
        future = asyncio.get_running_loop().create_future()
        self._pending[request] = future
        self.outbox.push_update(request, update)
        self._pump()
        return await future

    def _pump(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_outbox())

    async def _flush_outbox(self) -> None:
        """Send what the outbox lets go now, one message after the other (in order)."""
        while self.channel is not None:
            out = self.outbox.next(self.me.id)
            if out is None:
                return
            try:
                await self.channel.send(self._encode(out.env))
            except CorosyncError as err:
                self.outbox.not_sent()
                failure = NotConnected(f"corosync refused the {out.env.kind} message: {err}")
                for request in out.requests:
                    future = self._pending.pop(request, None)
                    if future is not None and not future.done():
                        future.set_exception(failure)
                if out.sent is not None and not out.sent.done():
                    out.sent.set_exception(failure)
                continue
            if out.sent is not None and not out.sent.done():
                out.sent.set_result(None)

    def _encode(self, env: wire.Envelope) -> bytes:
        """`env` numbered and signed with this process, as the receivers' admission wants
        it: encoded right before it is sent, so the numbers go out in order."""
        self._seq += 1
        return wire.encode(dataclasses.replace(env, seq=self._seq, pid=self.channel.local.pid))

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Task) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            err = task.exception()
            level = logging.WARNING if isinstance(err, (NotConnected, CibError)) else logging.ERROR
            log.log(level, "a cluster update failed: %s", err, exc_info=level == logging.ERROR)

    def _submit_results(self, ops: tuple, results: tuple) -> None:
        if self.channel is None:
            log.warning("result of %s not recorded: corosync is not there",
                        ", ".join(r.op_key for r in results))
            return
        self._spawn(self.submit(Update("status", self._meta("crmshelld-executor"),
                                       ops=tuple(ops), results=tuple(results))))

    def _on_deliver(self, delivery: Delivery) -> None:
        if self.channel is not None and self.channel.local == delivery.sender:
            self.outbox.delivered()         # one of ours went round: the next may go
            if len(self.outbox):
                self._pump()
        env = None
        try:
            env = wire.decode(delivery.payload)
            update = updates.from_envelope(env) if env.kind == "update" else None
            batch = updates.from_batch(env) if env.kind == "updates" else ()
            why = self.admission.check(_pair(delivery), env, update, names=self.names)
            if why is not None:
                requests = [r for r, _ in batch] if batch else [env.request]
                self._drop(delivery, env, why, requests)
            elif update is not None:
                self._take_update(delivery, env.request, update)
            elif batch:
                for request, one in batch:
                    why = self.admission.check_update(_pair(delivery), one, names=self.names)
                    if why is not None:
                        self._drop(delivery, env, why, [request])
                    else:
                        self._take_update(delivery, request, one)
            elif env.kind == "execute":
                self._on_execute(delivery, env)
            elif env.kind in ("idle-query", "idle"):
                self._on_idle_message(delivery, env)
            elif env.kind.startswith("fence-"):
                self.fencer.on_message(env)
            else:
                self._on_sync_message(delivery, env)
        except wire.WireError as err:
            self._drop(delivery, env, f"malformed: {err}")

    def _drop(self, delivery: Delivery, env: wire.Envelope | None, why: str,
              requests=()) -> None:
        """Log a message (or the updates `requests` of one) that is not acted on; if they
        were our updates, their callers hear why."""
        log.warning("dropped a message%s from node %d pid %d: %s",
                    "" if env is None else f" of kind {env.kind}", delivery.nodeid, delivery.pid,
                    why)
        mine = self.channel is not None and self.channel.local == delivery.sender
        if mine and env is not None and env.kind in ("update", "updates"):
            for request in requests:
                future = self._pending.pop(request, None)
                if future is not None and not future.done():
                    future.set_exception(CibError(f"this node's update was dropped: {why}"))

    def _take_update(self, delivery: Delivery, request: int, update: Update) -> None:
        if self.sync is not None and self.sync.syncing:
            self._held.append((delivery, request, update))
        else:
            self._apply_delivered(delivery, request, update)

    def _apply_delivered(self, delivery: Delivery, request: int, update: Update) -> None:
        mine = (self.channel is not None and self.channel.local == delivery.sender)
        future = self._pending.pop(request, None) if mine else None
        try:
            applied = self.store.apply(update)
        except CibError as err:
            if future is not None and not future.done():
                future.set_exception(err)
            elif future is None:
                log.warning("update from %s refused: %s", update.meta.origin, err)
            return
        except Exception as err:  # noqa: BLE001 - a bad update must not end the node
            log.exception("update from %s could not be applied", update.meta.origin)
            if future is not None and not future.done():
                future.set_exception(CibError(f"internal error applying the update: {err}"))
            return
        # A change of the configuration made on a node alone is answered once it is on its
        # disk: nobody else holds it through a crash. With peers it is answered at once, as
        # Pacemaker does: every member applied the same delivery, and a node that crashes
        # takes the CIB back from them (a disk write per commit would cap a client at the
        # disk's flush rate). The wake-up is queued before the plan the core asks for, so a
        # client's next request overlaps with the scheduler's run, as the save does.
        if applied.config_changed:
            if future is not None and not future.done():
                if self._alone():
                    self._unsaved.append((future, applied))
                    self._save_hurry.set()
                else:
                    future.set_result(applied)
            self._save_soon()
        elif future is not None and not future.done():
            future.set_result(applied)
        self._feed(msg.CibChanged(now_ms(), config=applied.config_changed,
                                  status_ops=tuple(applied.status_ops),
                                  results=tuple(applied.results), origin=update.meta.origin))
        self._check_shutdown_granted()
        self._notify(update, applied)

    # ---- persistence ----------------------------------------------------------------------
    def _alone(self) -> bool:
        members = self.channel.members if self.channel is not None else ()
        return len({m.nodeid for m in members}) <= 1

    def _save_soon(self) -> None:
        """Write the configuration behind the replicated state. Saves run one after the
        other, each taking the CIB as it is when it begins, so a burst of commits costs a
        few writes (group commit), and a caller that waits (see _apply_delivered) waits for
        the one that holds its change."""
        if self._save_task is not None and not self._save_task.done():
            self._save_again = True
            return
        self._save_task = asyncio.get_running_loop().create_task(self._save_loop())

    async def _save_loop(self) -> None:
        while True:
            self._save_again = False
            started = time.monotonic()
            waiting, self._unsaved = self._unsaved, []
            data = _without_status(self.store.root)
            failure = None
            try:
                await asyncio.to_thread(self.disk.save_bytes, data)
            except (OSError, CibError) as err:
                log.error("could not write the CIB to %s: %s", self.settings.state_dir, err)
                failure = CibError(f"the change was applied but could not be written to "
                                   f"{self.settings.state_dir}: {err}")
            for future, applied in waiting:
                if not future.done():
                    if failure is None:
                        future.set_result(applied)
                    else:
                        future.set_exception(failure)
            if not self._save_again:
                return
            if not self._unsaved:
                # nobody waits: a stream of commits is written a few times a second, not
                # once per commit (each write is several flushes to the disk), unless a
                # caller comes to wait meanwhile
                self._save_hurry.clear()
                try:
                    await asyncio.wait_for(self._save_hurry.wait(),
                                           max(0.0, SAVE_GAP_S - (time.monotonic() - started)))
                except TimeoutError:
                    pass

    async def _flush_save(self) -> None:
        if self._save_task is not None:
            await asyncio.gather(self._save_task, return_exceptions=True)

    # ---- the controller's core --------------------------------------------------------------
    def _feed(self, event) -> None:
        if self.core is None:
            return
        try:
            commands = self.core.step(event)
        except Exception:  # noqa: BLE001 - log and carry on: the next event re-plans
            log.exception("controller could not handle %s", type(event).__name__)
            return
        for command in commands:
            self._carry_out(command)

    def _carry_out(self, c) -> None:
        handler = _COMMANDS.get(type(c))
        if handler is not None:
            handler(self, c)

    def _do_schedule(self, c: msg.Schedule) -> None:
        # The CIB as it is now goes to the scheduler's process; what arrives while it plans
        # is applied meanwhile and makes the answer stale, so the core asks once more.
        cib = self._cib_for_scheduler()
        self._spawn(self._plan(cib, c.seq, c.transition_id, self.core.dc_uuid, self.core))

    def _cib_for_scheduler(self) -> bytes:
        """The CIB with the quorum the core was told (corosync's, through quorum_gate): the
        have-quorum the CIB holds is the last one a DC wrote (from disk, before this node's
        first DC update, it can be a quorate cluster's), and the scheduler must not fence or
        start on that. A partition that had quorum and lost it says so (no-quorum-panic, as
        Pacemaker's controller does): only then does no-quorum-policy=fence fence it."""
        root = self.store.root
        given = {"have-quorum": "1" if self._quorum_fed else "0",
                 "no-quorum-panic": "1" if self._had_quorum and not self._quorum_fed else None}
        written = {name: root.get(name) for name in given}
        try:
            for name, value in given.items():
                _set_or_drop(root, name, value)
            return etree.tostring(root)
        finally:
            for name, value in written.items():
                _set_or_drop(root, name, value)

    async def _plan(self, cib: bytes, seq: int, transition_id: int, dc_uuid: str, core) -> None:
        started = time.perf_counter()
        planned = await self.planner.plan(cib, now_ms=now_ms(), seq=seq,
                                          transition_id=transition_id, dc_uuid=dc_uuid)
        if self.core is not core:
            return          # corosync went away meanwhile: that core is gone
        if planned.error:
            log.error("scheduler: %s", planned.error)
        elif planned.graph is not None and planned.graph.actions and core.takes(planned):
            log.debug("transition %d planned in %.1f ms", transition_id,
                      (time.perf_counter() - started) * 1000)
            for line in planned.graph.summary:
                log.info("transition %d: %s", transition_id, line.strip())
        self._feed(planned)

    def _do_execute(self, c: msg.Execute) -> None:
        if self.me is not None and c.action.node == self.me.name and self.execution is not None:
            self.execution.execute(c.action)
            return
        members = {self.names.get(m.nodeid) for m in (self.channel.members if self.channel else ())}
        if c.action.node in members:
            # Agreed order puts it after every update the DC made before asking for it.
            self._spawn(self._send(cluster_wire.execute(self.me.id, c.action)))
            return
        reason = f"node {c.action.node} is not a member"
        key = parse_transition_key(c.action.transition_key)
        asyncio.get_running_loop().call_soon(
            self._feed, msg.ActionLost(now_ms(), key[1] if key else 0, c.action.id, reason))

    def _on_execute(self, delivery: Delivery, env) -> None:
        action = cluster_wire.read_execute(env)
        if self.me is None or action.node != self.me.name or self.execution is None:
            return
        self.execution.execute(action)

    def _do_record(self, c: msg.RecordStatus) -> None:
        self._spawn(self.submit(Update("status", self._meta(CONTROLLER_CLIENT),
                                       ops=tuple(c.ops))))

    def _do_dc_attrs(self, c: msg.KeepDcAttributes) -> None:
        self._spawn(self.submit(Update("dc", self._meta(CONTROLLER_CLIENT), dc=c.dc,
                                       quorate=c.quorate, dc_version=DC_VERSION,
                                       cluster_name=self.cluster_name)))

    def _do_nodes(self, c: msg.EnsureNodes) -> None:
        self._spawn(self.submit(Update("nodes", self._meta(CONTROLLER_CLIENT),
                                       nodes=tuple(c.nodes))))

    def _do_fence(self, c: msg.Fence) -> None:
        self.fencer.scheduled(c)

    def _do_shutdown(self, c: msg.NodeShutdown) -> None:
        if self.me is not None and c.node == self.me.name and self._stopping:
            if not self._stopped.is_set():
                log.info("resources stopped: leaving the cluster")
            self._stopped.set()

    def _check_shutdown_granted(self) -> None:
        """A node other than the DC learns that it may leave from the DC's record of it:
        node_state expected="down", written with the do_shutdown action once its resources
        are stopped (joining sets expected="member" again), as Pacemaker's controller
        learns it from the DC's shutdown message. The DC itself has NodeShutdown."""
        if not self._stopping or self._stopped.is_set() or self.me is None:
            return
        state = self.store.root.find(f"status/node_state[@id='{self.me.id}']")
        if state is not None and state.get("expected") == "down":
            log.info("resources stopped: leaving the cluster")
            self._stopped.set()

    def _do_timer(self, c: msg.SetTimer) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if c.at_ms is None:
            return
        delay = max(0.0, (c.at_ms - now_ms()) / 1000)
        self._timer = asyncio.get_running_loop().call_later(delay, self._tick)

    def _tick(self) -> None:
        self._timer = None
        self._feed(msg.Tick(now_ms()))

    def _do_idle(self, c: msg.BecameIdle) -> None:
        self._wake_idle(transition=c.transition_id)

    def _do_log(self, c: msg.Log) -> None:
        log.log(_LOG_LEVELS.get(c.level, logging.INFO), "%s", c.message)

    # ---- waiting and watching, for the API ---------------------------------------------------
    @property
    def idle(self) -> bool:
        return self.core is not None and self.core.is_dc and self.core.idle

    async def wait_idle(self, timeout: float) -> dict:
        if self.core is None:
            raise NotConnected("this node is not connected to corosync")
        if not self.core.is_dc:
            return await self._wait_remote(timeout)
        if self.idle:
            return {"idle": True, "transition": self.core.transition_id}
        future = asyncio.get_running_loop().create_future()
        self._idle_waiters.append(future)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            if future in self._idle_waiters:
                self._idle_waiters.remove(future)

    async def _wait_remote(self, timeout: float) -> dict:
        """Wait on a node that is not the DC: ask the DC, in agreed order, so the question
        comes after every change this node has applied; its answer comes once it is idle."""
        self._request += 1
        future = asyncio.get_running_loop().create_future()
        self._remote_waiters[self._request] = [future, False]
        try:
            await self._send(wire.Envelope("idle-query", self.me.id, self._request))
            return await asyncio.wait_for(future, timeout)
        finally:
            self._remote_waiters.pop(self._request, None)

    def _ask_again(self, is_me: bool) -> None:
        """The DC changed under waits made elsewhere: the new DC has not heard them. As DC
        this node answers them itself once idle; otherwise it asks the new DC again."""
        for request, entry in list(self._remote_waiters.items()):
            future = entry[0]
            if future.done():
                continue
            if is_me:
                if self.idle:
                    future.set_result({"idle": True, "transition": self.core.transition_id})
                else:
                    self._idle_waiters.append(future)
            else:
                entry[1] = False
                self._spawn(self._send(wire.Envelope("idle-query", self.me.id, request)))

    def _on_idle_message(self, delivery: Delivery, env) -> None:
        mine = self.channel is not None and self.channel.local == delivery.sender
        if env.kind == "idle-query":
            if mine and env.request in self._remote_waiters:
                self._remote_waiters[env.request][1] = True      # asked: the next answer is ours
            if self.core is not None and self.core.is_dc:
                if self.idle:
                    self._spawn(self._send(self._idle_answer()))
                else:
                    self._owe_idle = True
            return
        if self.core is None or self.core.dc is None or env.origin != self.core.dc.id:
            return
        transition = cluster_wire.read_idle(env)
        for future, asked in list(self._remote_waiters.values()):
            if asked and not future.done():
                future.set_result({"idle": True, "transition": transition,
                                   "dc": self.core.dc.name})

    def _idle_answer(self):
        return cluster_wire.idle(self.me.id, self.core.transition_id)

    def _wake_idle(self, transition: int | None = None, error: str | None = None) -> None:
        if self._owe_idle and error is None and self.core is not None and self.core.is_dc:
            self._owe_idle = False
            self._spawn(self._send(self._idle_answer()))
        waiters, self._idle_waiters = self._idle_waiters, []
        for future in waiters:
            if future.done():
                continue
            if error:
                future.set_exception(NotConnected(error))
            else:
                future.set_result({"idle": True, "transition": transition})

    def subscribe(self, limit: int = 1000) -> "Subscription":
        sub = Subscription(asyncio.Queue(limit))
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: "Subscription") -> None:
        self._subscribers.discard(sub)

    def _notify(self, update: Update, applied) -> None:
        if not self._subscribers:
            return
        event = {"event": "cib-changed", "kind": update.kind, "origin": update.meta.origin,
                 "client": update.meta.client, "config": bool(applied.config_changed),
                 "version": list(applied.version_after)}
        for sub in list(self._subscribers):
            try:
                sub.queue.put_nowait(event)
            except asyncio.QueueFull:     # a reader that does not keep up loses its stream
                sub.overflowed = True
                self._subscribers.discard(sub)


class Subscription:
    """One API client's stream of changes; `overflowed` when it fell too far behind."""

    def __init__(self, queue: asyncio.Queue) -> None:
        self.queue = queue
        self.overflowed = False


def _set_or_drop(elem, name: str, value: str | None) -> None:
    if value is None:
        elem.attrib.pop(name, None)
    else:
        elem.set(name, value)


def agent_environment(settings: Settings) -> dict[str, str]:
    """What agents find besides OCF's variables: Pacemaker's tools that agents call
    (crm_attribute, crm_master, crm_node) answered by this daemon, first on their PATH."""
    tools = Path(__file__).resolve().parent / "agents" / "bin"
    return {"CRMSHELL_SOCKET": str(settings.socket), "HA_SBIN_DIR": str(tools),
            "CRMSHELL_ATTR": str(tools / "crm_attribute"), "PATH": f"{tools}:{SAFE_PATH}"}


def _without_status(root) -> bytes:
    """The CIB as it goes to disk: the status is the cluster's live state, rebuilt when
    nodes join, so it is not kept (as Pacemaker's own cib.xml)."""
    status = root.find("status")
    if status is None:
        return serialize_cib(root)
    index = list(root).index(status)
    empty = status.makeelement("status", {})
    root.replace(status, empty)
    try:
        return serialize_cib(root)
    finally:
        root.replace(empty, status)
        assert list(root).index(status) == index


_COMMANDS: dict[type, Callable] = {
    msg.Schedule: Node._do_schedule, msg.Execute: Node._do_execute,
    msg.RecordStatus: Node._do_record, msg.KeepDcAttributes: Node._do_dc_attrs,
    msg.EnsureNodes: Node._do_nodes, msg.Fence: Node._do_fence,
    msg.NodeShutdown: Node._do_shutdown, msg.SetTimer: Node._do_timer,
    msg.BecameIdle: Node._do_idle, msg.Log: Node._do_log,
}
