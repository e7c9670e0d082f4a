"""The invariants of a simulated run, checked after every step and once it has converged.

After every step (each only when what it reads changed, so a step costs little):
- one DC: in a quorate partition, no two daemons whose controllers were told the same
  membership both act as DC; and whenever nothing is in flight (corosync has handed
  everything over, no outbox holds a message), at most one DC per quorate partition, and
  every daemon there that has settled its membership names the same DC;
- one order: every member of a configuration delivers and admits the same updates in the
  same order (a member that leaves it early has delivered a prefix); with nothing in
  flight, the settled members of one group hold CIBs of the same version;
- nothing acknowledged is lost: every update a node applied stays in its CIB's lineage,
  unless a sync round installs the CIB of a member that never had it: one that was not in
  the configuration the update was applied in here, or refused it (their CIBs had parted),
  or lost it that same way before. That is Pacemaker's rule for partitions that both changed
  the CIB (the highest version wins); anything else (an update applied and then lost to the
  round, a member that missed it) fails. At the end, a commit acknowledged to its
  administrator (applied on the node it was made on) and missing from the cluster's CIB
  must have gone that way;
- no split brain: no resource that requires fencing really runs (in the hosts' truth, not
  in the CIB) in two partitions that both have quorum, nor in a quorate partition and
  anywhere outside it (another partition, a node cut off with corosync stopped), nor indeed
  on two nodes at once anywhere: the cluster stops it (or fences its node) before it starts
  it elsewhere.

Once the calm period is quiet, the run must have converged: every daemon in one group
with every node in it, one DC which every node names, one CIB (the same bytes everywhere),
the DC idle, the scheduler finding nothing to do on that CIB, and what really runs on each
host exactly what that CIB says runs there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from lxml import etree

from daemon.cib.document import parse_cib
from daemon.scheduler.engine import run_pipeline
from daemon.scheduler.graph import build_graph
from tests.simulation import config


@dataclass
class Lineage:
    """The updates a CIB holds, by id (node, pid, request number), and how: each was applied
    in a configuration (`where`); `refused` are those this CIB's store refused, `dropped`
    those a merge of parted CIBs dropped from it."""

    applied: set = field(default_factory=set)
    where: dict = field(default_factory=dict)
    refused: set = field(default_factory=set)
    dropped: set = field(default_factory=set)

    def copy(self) -> "Lineage":
        return Lineage(set(self.applied), dict(self.where), set(self.refused), set(self.dropped))


class SimulationFailure(AssertionError):
    def __init__(self, seed: int, problem: str, variant: str | None = None) -> None:
        from tests.simulation.world import REPLAY
        shown = "" if variant is None else f" CRMSHELL_SIM_VARIANT={variant}"
        super().__init__(f"seed {seed}: {problem}\n  replay: "
                         f"{REPLAY.format(seed=seed, variant=shown)}")
        self.seed = seed
        self.problem = problem
        self.lines: list[str] | None = None    # the run's trace, when it was kept


class Checks:
    def __init__(self, world) -> None:
        self.world = world
        self._membership_dirty = True   # what the DC checks read changed since they ran
        self._quiet_dirty = True        # ... since they ran with nothing in flight
        self._physical_dirty = True
        self._logs: dict = {}           # configuration tag -> [(update id, admitted)]
        self._positions: dict = {}      # (daemon, tag) -> how far it delivered in it
        self._sent: dict = {}           # (sender member, round) -> the lineage of its CIB
        self.acknowledged: set = set()  # the commits applied at the node they were made on
        self.dropped: set = set()       # updates a merge of parted CIBs dropped (legitimately)

    def fail(self, problem: str) -> None:
        raise SimulationFailure(self.world.seed, f"{problem} ({self.world.phase})",
                                self.world.scenario.variant)

    def dirty(self, physical: bool = False) -> None:
        self._membership_dirty = self._quiet_dirty = True
        self._physical_dirty = self._physical_dirty or physical

    # ---- after every step -------------------------------------------------------------
    def after_step(self) -> None:
        if self._physical_dirty:
            self._physical_dirty = False
            self.split_brain()
        quiet = self._quiet_dirty and not self.world.cluster.pending and not any(
            h.daemon.sending for h in self.world.hosts.values() if h.daemon is not None)
        if self._membership_dirty or quiet:
            self._membership_dirty = False
            self._quiet_dirty = self._quiet_dirty and not quiet
            self.one_dc(quiet)

    def _partitions(self) -> list[tuple[frozenset, bool]]:
        cluster = self.world.cluster
        seen: dict[frozenset, bool] = {}
        for nodeid in cluster.nodes:
            block = cluster.partition_of(nodeid) or frozenset({nodeid})
            seen.setdefault(block, cluster.quorate(nodeid))
        return sorted(seen.items(), key=lambda item: min(item[0]))

    def split_brain(self) -> None:
        hosts = self.world.hosts
        for rsc in config.FENCED_RESOURCES:
            where = [n for n, h in hosts.items() if h.on and rsc in h.running]
            if len(where) < 2:
                continue
            for block, quorate in self._partitions():
                inside = [n for n in where if n in block]
                if quorate and inside and len(inside) < len(where):
                    outside = sorted(set(where) - set(inside))
                    self.fail(f"{rsc} runs on node(s) {inside} in the quorate partition "
                              f"{sorted(block)} and on node(s) {outside} outside it")
            self.fail(f"{rsc} runs on nodes {where} at once")

    def one_dc(self, quiet: bool) -> None:
        for block, quorate in self._partitions():
            if not quorate:
                continue
            daemons = [self.world.hosts[n].daemon for n in sorted(block)]
            daemons = [d for d in daemons if d is not None and d.core is not None]
            told: dict = {}
            for d in daemons:
                if d.core.is_dc:
                    told.setdefault(d.core.members, []).append(d.me.name)
            for members, dcs in told.items():
                if len(dcs) > 1:
                    self.fail(f"{', '.join(dcs)} all act as DC of {[m.name for m in members]}")
            if quiet:
                dcs = [d.me.name for d in daemons if d.core.is_dc]
                if len(dcs) > 1:
                    self.fail(f"{', '.join(dcs)} all act as DC in partition {sorted(block)} "
                              "with nothing in flight")
                settled = {d.core.dc for d in daemons if d.joined and not d.sync.busy}
                if len(settled) > 1:
                    self.fail(f"the settled nodes of partition {sorted(block)} name different "
                              f"DCs: {sorted(str(s) for s in settled)}")
                versions = {}
                for d in daemons:
                    if d.joined and not d.sync.busy:
                        versions.setdefault(tuple(d.channel.members), set()).add(
                            tuple(d.store.version))
                for members, found in versions.items():
                    if len(found) > 1:
                        self.fail(f"one group {[m.nodeid for m in members]}, CIBs of versions "
                                  f"{sorted(found)} with nothing in flight")

    # ---- one order --------------------------------------------------------------------
    def on_confchg(self, daemon, tag) -> None:
        self._positions[(id(daemon), tag)] = 0
        self.dirty()

    def on_apply(self, daemon, tag, uid, version) -> None:
        """`daemon` delivered update `uid` in configuration `tag`; `version` None when it
        was not admitted or refused."""
        self.dirty()
        log = self._logs.setdefault(tag, [])
        key = (id(daemon), tag)
        at = self._positions.get(key, 0)
        entry = (uid, version is not None)
        if at < len(log):
            if log[at] != entry:
                self.fail(f"{daemon.me.name} delivered {entry} as update {at} of configuration "
                          f"{tag}, another member {log[at]}")
        else:
            log.append(entry)
        self._positions[key] = at + 1
        if version is None:
            daemon.lineage.refused.add(uid)
        else:
            daemon.lineage.applied.add(uid)
            daemon.lineage.where[uid] = tag

    # ---- nothing acknowledged lost ----------------------------------------------------
    def acked(self, uid) -> None:
        self.acknowledged.add(uid)

    def on_send_cib(self, daemon, round_) -> None:
        self._sent[((daemon.nodeid, daemon.pid), tuple(round_))] = daemon.lineage.copy()

    def on_install(self, daemon, winner, round_) -> None:
        """`daemon` installs the CIB `winner` sent in `round_`: what its own CIB held and the
        winner's does not is lost, legitimately only if the winner never had it (it was not
        in the configuration the update was applied in here, or refused it, or lost it in a
        legitimate merge itself)."""
        theirs = self._sent[(tuple(winner), tuple(round_))]
        mine, new = daemon.lineage, theirs.copy()
        for uid in sorted(mine.applied - theirs.applied):
            tag = mine.where.get(uid)
            with_us = tag is not None and tuple(winner) in {(m.nodeid, m.pid) for m in tag[1]}
            if with_us and uid not in theirs.refused and uid not in theirs.dropped:
                self.fail(f"{daemon.me.name} lost update {uid} installing the CIB of node "
                          f"{winner[0]}, which was with it when it applied the update")
            self.dropped.add(uid)
            new.dropped.add(uid)
        daemon.lineage = new

    # ---- the end ----------------------------------------------------------------------
    def settled(self) -> bool:
        """Whether every node runs a daemon that has joined and settled (the calm period
        goes on until then)."""
        for host in self.world.hosts.values():
            d = host.daemon
            if d is None or not d.joined or d.sync.busy or d.core is None:
                return False
        return True

    def converged(self) -> None:
        world = self.world
        daemons = [h.daemon for h in world.hosts.values()]
        if not self.settled():
            self.fail("did not converge: not every node has a daemon that joined "
                      + str({h.name: _state(h.daemon) for h in world.hosts.values()}))
        everyone = {(h.nodeid, h.daemon.pid) for h in world.hosts.values()}
        for d in daemons:
            if {(m.nodeid, m.pid) for m in d.channel.members} != everyone:
                self.fail(f"did not converge: {d.me.name} sees members {d.channel.members}")
        dcs = [d for d in daemons if d.core.is_dc]
        if len(dcs) != 1:
            self.fail(f"did not converge: {len(dcs)} DCs ({[d.me.name for d in dcs]})")
        dc = dcs[0]
        if any(d.core.dc != dc.me for d in daemons):
            self.fail(f"did not converge: not every node names {dc.me.name} DC: "
                      f"{[str(d.core.dc) for d in daemons]}")
        digests = {hashlib.sha256(etree.tostring(d.store.root)).hexdigest() for d in daemons}
        if len(digests) != 1:
            self.fail(f"did not converge: {len(digests)} different CIBs "
                      f"({[tuple(d.store.version) for d in daemons]})")
        if not dc.core.idle or not dc._quorum_fed:
            self.fail(f"did not converge: the DC is {dc.core.state} (dirty: {dc.core.dirty}, "
                      f"quorum told: {dc._quorum_fed})")
        self._target_state(dc)
        lost = sorted(u for u in self.acknowledged
                      if u not in dc.lineage.applied and u not in self.dropped)
        if lost:
            self.fail(f"acknowledged commits {lost} are lost, though no merge dropped them")

    def _target_state(self, dc) -> None:
        world = self.world
        ws = run_pipeline(parse_cib(etree.tostring(dc.store.root), source="the final CIB"),
                          world.now // 1000)
        todo = [a.describe() for a in build_graph(ws, 0, dc.core.dc_uuid).actions]
        if todo:
            self.fail(f"did not converge: the scheduler still has work: {todo}")
        believed = {r.id: sorted(n.name for n in r.running_on) for r in ws.resources}
        for rsc in (*config.RESOURCES, "fence"):
            really = sorted(h.name for h in world.hosts.values() if rsc in h.running)
            if believed.get(rsc, []) != really:
                self.fail(f"did not converge: {rsc} really runs on {really}, the CIB says "
                          f"{believed.get(rsc, [])}")


def _state(daemon) -> str:
    if daemon is None:
        return "no daemon"
    return f"connecting={daemon.connecting} joined={daemon.joined}"
