"""The seeded simulation of the cluster's decision cores (the model: tests/simulation/world.py,
the invariants: tests/simulation/checks.py).

A failure names its seed and the command that replays it with its trace:
`CRMSHELL_SIM_SEED=N .venv/bin/python -m pytest tests/simulation -k replay -s`
(add `CRMSHELL_SIM_VARIANT=skip_fencing`, `no_hold` or `no_pending` for a broken variant).
`CRMSHELL_SIM_RUNS` changes how many runs the big test makes.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import math
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.simulation.hosts import Chaos
from tests.simulation.simnode import SimDaemon
from tests.simulation.world import (RUNS_PER_BOOT, SimulationFailure, World, run_chains,
                                    scenario_for, simulate)

RUNS = int(os.environ.get("CRMSHELL_SIM_RUNS", "10000"))
ROOT = Path(__file__).resolve().parents[2]


def _in_parallel(chains, variant=None) -> tuple[list[str], int]:
    """run_chains over every CPU (forked workers, each a share of the chains)."""
    workers = max(1, min(os.cpu_count() or 1, len(chains)))
    shares = [chains[i::workers] for i in range(workers)]
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        done = list(pool.map(run_chains, shares, [variant] * workers))
    return [f for failures, _ in done for f in failures], sum(runs for _, runs in done)


@pytest.mark.slow
def test_ten_thousand_seeded_runs_keep_every_invariant():
    chains = list(range(math.ceil(RUNS / RUNS_PER_BOOT)))
    started = time.monotonic()
    failures, runs = _in_parallel(chains)
    elapsed = time.monotonic() - started
    print(f"\n{runs} seeded runs on {len(chains)} booted clusters in {elapsed:.0f} s")
    assert not failures, f"{len(failures)} of the runs failed:\n" + "\n".join(failures[:10])
    assert runs >= RUNS


@pytest.mark.parametrize("variant, clusters, caught_on", [
    ("skip_fencing", 6, 4),     # a DC that reports fencing done and fences nothing
    ("no_hold", 6, 4),          # a node that applies updates during a sync round
    ("no_pending", 5, 1),       # the controller before 7f65775 (fails at seed 168)
])
def test_a_broken_variant_is_caught(variant, clusters, caught_on):
    """A broken variant breaks an invariant within RUNS_PER_BOOT runs on at least
    `caught_on` of the first `clusters` clusters."""
    caught = [run_chains([chain], variant)[0] for chain in range(clusters)]
    assert sum(1 for failures in caught if failures) >= caught_on, caught


def test_a_dc_that_skips_fencing_is_caught_by_the_split_brain_check():
    """Not only by the end state (what runs is not what the CIB says): a resource runs in a
    quorate partition and outside it while the DC believes the other node fenced."""
    caught = [f for chain in range(6) for f in run_chains([chain], "skip_fencing")[0]]
    assert any("outside it" in f for f in caught), caught


def test_same_seed_same_run():
    """A run is a function of its seed, also in another process with another hash seed."""
    seed = 2 * RUNS_PER_BOOT + 3        # a two_node cluster's fourth run
    first = _digest(simulate(seed, trace=True).lines)
    assert _digest(simulate(seed, trace=True).lines) == first
    code = ("import hashlib, sys; from tests.simulation.world import simulate; "
            f"print(hashlib.sha256('\\n'.join(simulate({seed}, trace=True).lines)"
            ".encode()).hexdigest())")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True, timeout=120).stdout.strip()
    assert out == first


def test_replay():
    """Replay CRMSHELL_SIM_SEED (default 0) and print its trace (run with -s): the run's own
    events, after its cluster's boot and the runs before it."""
    seed = int(os.environ.get("CRMSHELL_SIM_SEED", "0"))
    variant = os.environ.get("CRMSHELL_SIM_VARIANT") or None
    scenario = scenario_for(seed // RUNS_PER_BOOT)
    if variant:
        scenario = dataclasses.replace(scenario, **{variant: True})
    try:
        lines = simulate(seed, scenario=scenario, trace=True).lines
    except SimulationFailure as err:
        print(_own(err.lines or [], seed))
        raise
    print(_own(lines, seed))


def _own(lines: list[str], seed: int) -> str:
    marks = [i for i, line in enumerate(lines) if f" run {seed}: " in line]
    return "\n".join(lines[marks[-1]:] if marks else lines)


def _corosync_goes_while_clearing(monkeypatch) -> None:
    """Node3's daemon restarts; just after it joined the group, before its own first update
    (the one that clears its history) comes back, corosync stops there, and starts again;
    fencing node3 never works (so no reboot gives it a fresh daemon). The cluster must
    converge."""
    monkeypatch.setattr(Chaos, "calm", lambda self: Chaos(0, 0, 0, 0, 0, fence_fails=1.0))
    world = World(0, scenario_for(0))
    with world.running():
        world.boot()
        world.chaos = world.chaos.calm()
        host = world.hosts[3]
        world.daemon_crash(host, "for the test")
        world.boot_daemon(host)
        assert world.until(lambda: host.daemon.connecting == "clearing")
        world.cluster.stop(host.nodeid)
        world.converge()


def test_a_node_back_while_its_fencing_fails_is_a_member_again(monkeypatch):
    _corosync_goes_while_clearing(monkeypatch)


def test_the_old_connect_hang_of_node_py_is_caught(monkeypatch):
    """daemon/node.py's _connect used to await the update that clears this node's history
    for ever when corosync went away meanwhile, so the daemon never connected again (fixed
    in 925f96e: the join is awaited together with the loss). The simulation connects again,
    as node.py now does; its mirror of the old wait must be caught."""
    monkeypatch.setattr(SimDaemon, "MIRROR_CONNECT_HANG", True)
    with pytest.raises(SimulationFailure):
        _corosync_goes_while_clearing(monkeypatch)


def _digest(lines) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()

