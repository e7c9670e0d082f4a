"""Deterministic, seeded simulation of a crmshell cluster's decision cores.

Every run is a seed. Everything that could differ between two runs goes through the run's
random source and the fake corosync's, both seeded from it: the order in which events are
handed to the nodes, every delay, every fault and every agent's outcome. The clock is the
simulation's own (milliseconds; it moves only when the simulation moves it). The same seed
gives the same run, event for event, in any process (`simulate(seed, trace=True)`).

What runs is the real code: each node is a `simnode.SimDaemon`, which wires the pure cores
(admission, the outbox, sync rounds, the CIB store, the controller, the DC choice, the
quorum gate, the scheduler) as daemon/node.py does. Only I/O is modelled:

- Corosync is `network.SimCluster`, the in-memory fake CPG and quorum, which keeps the
  guarantees the cores are written against (extended virtual synchrony): every member of a
  configuration delivers the same messages in the same (agreed) order; a configuration
  change comes to each member at the same place among the messages, and a message is
  delivered only to the members of the configuration it was sent in (a node that leaves
  gets no more of them, one that joins none from before); a node's own messages come back
  to it in order; partitions go on each with its own configurations and merge in a new one.
  Quorum is votequorum's: a strict majority of the nodes, or with two nodes `two_node` and
  `wait_for_all` (each half of a partition keeps quorum once its corosync has seen both
  nodes together since it started). What corosync hands over, the fake hands over one event
  at a time, the recipients interleaved in a seeded order, while the clock moves on by a
  random fraction of a millisecond: timers fire between deliveries.
- Agents and fencing are the models of `hosts`: a per-host set of what really runs (the
  physical truth); operations that take seeded time and fail, hang until their timeout, or
  whose results are lost (the daemon dies first) or come long after the controller stopped
  waiting; fencing that takes its delays, sometimes fails, and when it works powers the
  target off (it reboots a few seconds later).
- The administrator commits configuration changes (`config.edit`) on a random node.

Runs are made on booted clusters: cluster `chain` (a 3-node cluster, or for one chain in
three a 2-node one) boots, every node at a random moment within two seconds, and must
converge; then it goes through RUNS_PER_BOOT runs, one after the other, each from the state
the one before it converged to (so each run starts from another history). A run is a chaos
period, in which one to three faults come at seeded moments (a machine crashes or is
powered on, a daemon crashes or is started, corosync stops on a node and starts again, the
network splits into random partitions or heals, a resource dies by itself, the
administrator commits), then calm: the network heals, every machine, corosync and daemon
is started, faults stop (agents and fencing work from now on), and the run must converge
within a bounded time. A run is replayed with its cluster's boot and the runs before it
(`simulate(seed)`: a few seconds at most).

The invariants (see `checks`) are checked after every step; a violation raises
`SimulationFailure` naming the seed and the command that replays it.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import random
from dataclasses import dataclass, replace

from daemon import node
from daemon.replication.updates import Update
from tests.simulation import config, memo
from tests.simulation.checks import Checks, SimulationFailure
from tests.simulation.hosts import Chaos, Host
from tests.simulation.network import SimCluster
from tests.simulation.simnode import SimDaemon

EPOCH_MS = 1_700_000_000_000
BOOT_MS = 2_000
REPLAY = ("CRMSHELL_SIM_SEED={seed}{variant} .venv/bin/python -m pytest tests/simulation "
          "-k replay -s")
VARIANTS = ("skip_fencing", "no_hold", "no_pending")
RUNS_PER_BOOT = 40


@dataclass(frozen=True)
class Scenario:
    nodes: int = 3
    two_node: bool = False
    faults: tuple = (70, 20, 10)    # how often a run has 1, 2, 3 faults
    chaos_ms: int = 30_000
    settle_ms: int = 30 * 60_000   # how long the calm period may take to converge
    # Broken variants, to show the checks catch them: a DC that reports fencing done and
    # fences nothing; a node that applies updates during a sync round instead of holding them;
    # a DC that does not write a start down as under way before handing it over (the
    # controller before commit 7f65775, a bug this simulation found).
    skip_fencing: bool = False
    no_hold: bool = False
    no_pending: bool = False

    @property
    def variant(self) -> str | None:
        return next((v for v in VARIANTS if getattr(self, v)), None)


def scenario_for(chain: int) -> Scenario:
    """The cluster a chain of runs uses: two of three have three nodes, one has two
    (two_node)."""
    return Scenario(nodes=2, two_node=True) if chain % 3 == 2 else Scenario()


class World:
    def __init__(self, chain: int, scenario: Scenario, *, trace: bool = False) -> None:
        self.seed, self.scenario = chain * RUNS_PER_BOOT, scenario
        self.rng = random.Random(f"boot {chain}")
        self.cluster = SimCluster(chain, range(1, scenario.nodes + 1), two_node=scenario.two_node)
        self.now = EPOCH_MS
        self.chaos = Chaos()
        self.lines: list[str] | None = [] if trace else None
        self._timers: list = []
        self._order = itertools.count()
        self._tokens = itertools.count(1)
        disk = config.initial_cib(scenario.nodes)
        self.hosts = {n: Host(n, disk) for n in self.cluster.nodes}
        self.commits = 0
        self.seeds: list[int] = []          # the runs made, in order
        self.phase = "booting"
        self.checks = Checks(self)

    # ---- time -------------------------------------------------------------------------
    def at(self, when: int, owner, fn, *args) -> None:
        """Call `fn(*args)` at `when`, if `owner` (None: the world) is still alive then."""
        heapq.heappush(self._timers, (when, next(self._order), owner, fn, args))

    def after(self, delay: int, owner, fn, *args) -> None:
        self.at(self.now + delay, owner, fn, *args)

    @contextlib.contextmanager
    def running(self):
        """While the block runs: daemon/node.py's wall clock is this world's (the simulated
        node calls some of node.py's own methods), the store checks through the memo."""
        was = node.now_ms
        node.now_ms = lambda: self.now
        try:
            with memo.installed():
                yield self
        finally:
            node.now_ms = was

    def token(self) -> int:
        return next(self._tokens)

    def trace(self, line: str) -> None:
        if self.lines is not None:
            self.lines.append(f"{self.now - EPOCH_MS:>9} {line}")

    def _next_timer(self) -> int | None:
        while self._timers:
            when, _, owner, _, _ = self._timers[0]
            if owner is None or owner.alive:
                return when
            heapq.heappop(self._timers)
        return None

    def _step(self, until: int) -> bool:
        """One event: a hand-over by corosync or a timer; False when nothing is left
        before `until`."""
        due = self._next_timer()
        if self.cluster.pending and (due is None or due > self.now or self.rng.random() < 0.5):
            self.cluster.step()
            self.now += self.rng.random() < 0.3
        elif due is not None and due <= until:
            _, _, owner, fn, args = heapq.heappop(self._timers)
            self.now = max(self.now, due)
            fn(*args)
        else:
            return False
        self.checks.after_step()
        return True

    def quiet(self) -> bool:
        """Nothing is under way: no event to hand over, no timer but far ones (rechecks)."""
        due = self._next_timer()
        return not self.cluster.pending and (due is None or due > self.now + 5 * 60_000)

    # ---- hosts ------------------------------------------------------------------------
    def boot_daemon(self, host: Host) -> None:
        if host.on and host.daemon is None:
            host.daemon = SimDaemon(self, host, skip_fencing=self.scenario.skip_fencing,
                                    hold=not self.scenario.no_hold,
                                    pending=not self.scenario.no_pending)
            self.trace(f"{host.name}: crmshelld starts")

    def power_on(self, host: Host) -> None:
        if host.on:
            return
        host.on = True
        self.trace(f"{host.name}: powered on")
        self.cluster.start(host.nodeid)
        self.after(self.rng.randint(1, BOOT_MS), None, self.boot_daemon, host)
        self.changed(physical=True)

    def power_off(self, host: Host, why: str) -> None:
        if not host.on:
            return
        self.trace(f"{host.name}: powered off ({why})")
        host.on = False
        if host.daemon is not None:
            host.daemon.die()
            host.daemon = None
        self.cluster.crash(host.nodeid)
        host.running.clear()
        self.changed(physical=True)

    def daemon_crash(self, host: Host, why: str) -> None:
        """crmshelld dies (its resources go on running); systemd mostly restarts it."""
        self.trace(f"{host.name}: crmshelld crashes {why}")
        host.daemon.die()
        host.daemon = None
        if self.rng.random() < 0.7:
            self.after(self.rng.randint(500, 10_000), None, self.boot_daemon, host)
        self.changed()

    def fenced(self, name: str) -> None:
        host = next(h for h in self.hosts.values() if h.name == name)
        if host.on:
            self.power_off(host, "fenced")
            self.after(self.rng.randint(2_000, 20_000), None, self.power_on, host)

    def set_running(self, host: Host, rsc: str, running: bool) -> None:
        if (rsc in host.running) == running:
            return
        (host.running.add if running else host.running.discard)(rsc)
        self.trace(f"{host.name}: {rsc} {'runs' if running else 'stopped'}")
        if host.daemon is not None:
            host.daemon.executor.changed(rsc)
        self.changed(physical=True)

    def changed(self, physical: bool = False) -> None:
        self.checks.dirty(physical)

    # ---- hooks for the checks ---------------------------------------------------------
    def on_confchg(self, daemon, tag) -> None:
        self.checks.on_confchg(daemon, tag)

    def on_apply(self, daemon, tag, uid, version) -> None:
        self.checks.on_apply(daemon, tag, uid, version)

    def on_send_cib(self, daemon, round_) -> None:
        self.checks.on_send_cib(daemon, round_)

    def on_install(self, daemon, winner, round_) -> None:
        self.checks.on_install(daemon, winner, round_)

    # ---- faults -----------------------------------------------------------------------
    def _fault(self) -> None:
        rng = self.rng
        hosts = list(self.hosts.values())
        on = [h for h in hosts if h.on]
        kind = rng.choices(_FAULTS, _WEIGHTS)[0]
        if kind == "crash" and on:
            self.power_off(rng.choice(on), "crash")
        elif kind == "power-on":
            off = [h for h in hosts if not h.on]
            if off:
                self.power_on(rng.choice(off))
        elif kind == "daemon-crash":
            running = [h for h in on if h.daemon is not None]
            if running:
                self.daemon_crash(rng.choice(running), "at random")
        elif kind == "daemon-start":
            stopped = [h for h in on if h.daemon is None]
            if stopped:
                self.boot_daemon(rng.choice(stopped))
        elif kind == "corosync-stop" and on:
            host = rng.choice(on)
            self.trace(f"{host.name}: corosync stops")
            self.cluster.stop(host.nodeid)
            self.after(rng.randint(1_000, 20_000), None, self._corosync_start, host)
            self.changed(physical=True)
        elif kind == "partition":
            ids = list(self.cluster.nodes)
            rng.shuffle(ids)
            cut = rng.randint(1, len(ids) - 1)
            blocks = (ids[:cut], ids[cut:]) if len(ids) == 2 or rng.random() < 0.7 else \
                [[i] for i in ids]
            shown = " | ".join(" ".join(map(str, sorted(b))) for b in blocks)
            self.trace(f"network: partition {shown}")
            self.cluster.partition(*blocks)
            self.changed(physical=True)
        elif kind == "heal":
            self.trace("network: healed")
            self.cluster.heal()
            self.changed(physical=True)
        elif kind == "commit":
            self._commit()
        elif kind == "rsc-dies":
            victims = [(h, r) for h in on for r in sorted(h.running) if r in config.MONITORED]
            if victims:
                host, rsc = rng.choice(victims)
                self.trace(f"{host.name}: {rsc} dies")
                self.set_running(host, rsc, False)

    def _corosync_start(self, host: Host) -> None:
        if host.on and not self.cluster.partition_of(host.nodeid):
            self.trace(f"{host.name}: corosync starts")
            self.cluster.start(host.nodeid)
            self.changed(physical=True)

    def _commit(self) -> None:
        ready = [h.daemon for h in self.hosts.values() if h.daemon is not None and h.daemon.joined]
        if not ready:
            return
        daemon = self.rng.choice(ready)
        self.commits += 1
        body = config.edit(daemon.store.root, self.rng, self.commits, self.scenario.nodes)
        sent: list = []         # its id, once submit has given it (applying comes later)
        uid = daemon.submit(Update("patch", daemon._meta("crmshell"), body),
                            lambda applied: self._committed(sent, applied))
        if uid is not None:
            sent.append(uid)
            self.trace(f"{daemon.me.name}: admin commits #{self.commits} {uid}")

    def _committed(self, sent: list, applied) -> None:
        """The commit was applied on the node it was made on (acknowledged) or refused."""
        if sent and not isinstance(applied, Exception):
            self.checks.acked(sent[0])

    # ---- a run ------------------------------------------------------------------------
    def boot(self) -> "World":
        """Every node boots (at random moments within BOOT_MS); the cluster must converge."""
        self.phase = "booting"
        for host in self.hosts.values():
            self.after(self.rng.randint(0, BOOT_MS), None, self.boot_daemon, host)
        self._settle()
        return self

    def episode(self, seed: int) -> "World":
        """Run `seed`: its faults for the chaos period, then calm until converged."""
        self.seed, self.phase = seed, "in its chaos period"
        self.rng = random.Random(seed)
        self.cluster.reseed(seed)
        self.chaos = Chaos()
        self.trace(f"run {seed}: {self.scenario}")
        start = self.now
        for _ in range(self.rng.choices(range(1, len(self.scenario.faults) + 1),
                                        self.scenario.faults)[0]):
            self.after(self.rng.randint(0, self.scenario.chaos_ms), None, self._fault)
        while self._step(start + self.scenario.chaos_ms):
            pass
        self.converge()
        return self

    def converge(self) -> None:
        """End the chaos now: calm, then converged (or SimulationFailure)."""
        self._calm()
        self._settle()

    def until(self, done, limit_ms: int = 60_000) -> bool:
        """Step until `done()` (True) or `limit_ms` have passed (False)."""
        end = self.now + limit_ms
        while not done():
            if not self._step(end):
                return False
        return True

    def _settle(self) -> None:
        if self.phase != "booting":
            self.phase = "calm"
        deadline = self.now + self.scenario.settle_ms
        while not (self.quiet() and self.checks.settled()):
            if not self._step(deadline):
                break
        self.checks.converged()

    def _calm(self) -> None:
        self.trace("calm: the network heals, everything starts, faults stop")
        self.chaos = self.chaos.calm()
        self.cluster.heal()
        for host in self.hosts.values():
            if not host.on:
                self.power_on(host)
            else:
                self._corosync_start(host)
                if host.daemon is None:
                    self.after(self.rng.randint(1, BOOT_MS), None, self.boot_daemon, host)
        self.changed(physical=True)


_FAULTS = ("crash", "power-on", "daemon-crash", "daemon-start", "corosync-stop", "partition",
           "heal", "commit", "rsc-dies")
_WEIGHTS = (2, 2, 2, 1, 1, 3, 3, 4, 1)


def chain_of(seed: int) -> int:
    return seed // RUNS_PER_BOOT


def run_chain(chain: int, seeds=None, *, scenario: Scenario | None = None,
              trace: bool = False) -> World:
    """Boot cluster `chain` and take it through `seeds` (default: all of its runs), in
    order; SimulationFailure names the seed whose run broke an invariant."""
    seeds = range(chain * RUNS_PER_BOOT, (chain + 1) * RUNS_PER_BOOT) if seeds is None else seeds
    world = World(chain, scenario or scenario_for(chain), trace=trace)
    try:
        with world.running():
            world.boot()
            for seed in seeds:
                world.episode(seed)
                world.seeds.append(seed)
        return world
    except SimulationFailure as err:
        err.lines = world.lines
        raise
    except Exception as err:
        failure = SimulationFailure(world.seed, f"{type(err).__name__}: {err} ({world.phase})",
                                    world.scenario.variant)
        failure.lines = world.lines
        raise failure from err


def run_chains(chains, variant: str | None = None) -> tuple[list[str], int]:
    """Run every chain of `chains` (with the broken `variant`, if any): the failures (one
    message each, with its replay command) and the number of runs made."""
    failures, runs = [], 0
    for chain in chains:
        scenario = scenario_for(chain)
        if variant is not None:
            scenario = replace(scenario, **{variant: True})
        try:
            runs += len(run_chain(chain, scenario=scenario).seeds)
        except SimulationFailure as err:
            failures.append(str(err))
            runs += err.seed - chain * RUNS_PER_BOOT + 1
    return failures, runs


def simulate(seed: int, *, scenario: Scenario | None = None, trace: bool = False) -> World:
    """Replay run `seed`: its cluster's boot and the runs before it on that cluster, then
    its own; SimulationFailure when an invariant breaks on the way."""
    chain = chain_of(seed)
    return run_chain(chain, range(chain * RUNS_PER_BOOT, seed + 1), scenario=scenario,
                     trace=trace)


__all__ = ["REPLAY", "RUNS_PER_BOOT", "VARIANTS", "Scenario", "SimulationFailure", "World",
           "run_chain", "run_chains", "scenario_for", "simulate"]
