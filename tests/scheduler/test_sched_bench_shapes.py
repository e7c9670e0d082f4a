"""The benchmark CIB generator: its running clusters have nothing to do, for us and for
crm_simulate, and its documents are valid for crm_verify."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.sched_cib_gen import generate  # noqa: E402
from daemon.scheduler import schedule  # noqa: E402
from daemon.scheduler.cib_xml import load_cib, parse_cib_text  # noqa: E402

NOW = 1_767_225_600
needs_pacemaker = pytest.mark.skipif(shutil.which("crm_simulate") is None,
                                     reason="Pacemaker's crm_simulate is not installed")


def _transition(text: str):
    return schedule(parse_cib_text(text), NOW)


def _graph(transition) -> list:
    return [a for a in transition.working_set.actions if a.runnable and not a.optional]


@pytest.mark.parametrize("nodes, resources", [(3, 10), (5, 23), (16, 200)])
def test_running_cluster_has_nothing_to_do(nodes, resources):
    transition = _transition(generate(nodes, resources, "running"))
    assert transition.summary_lines == []
    assert _graph(transition) == []


def test_empty_cluster_probes_and_starts_everything_at_home():
    transition = _transition(generate(4, 20, "empty"))
    starts = [" ".join(line.split()) for line in transition.summary_lines]
    assert len(starts) == 20
    # chain c (5 resources) lives on node (c mod 4) + 1
    assert "* Start rsc1 ( node1 )" in starts and "* Start rsc6 ( node2 )" in starts
    assert "* Start rsc20 ( node4 )" in starts
    probes = [a for a in _graph(transition) if a.task == "monitor" and a.interval_ms == 0]
    assert len(probes) == 4 * 20


def test_one_node_down_moves_only_that_nodes_chains():
    transition = _transition(generate(4, 40, "one-node-down"))
    moved = [line.split()[2] for line in transition.summary_lines]
    assert sorted(moved, key=lambda r: int(r[3:])) == [f"rsc{i}" for i in
                                                       list(range(16, 21)) + list(range(36, 41))]
    assert all(line.split()[1] == "Start" for line in transition.summary_lines)  # no history


def test_file_loader_slims_history_but_keeps_decisions(tmp_path):
    path = tmp_path / "cib.xml"
    path.write_text(generate(3, 10, "running"))
    root = load_cib(str(path))
    op = next(root.iter("lrm_rsc_op"))
    assert op.get("crm-debug-origin") is None and op.get("op-digest") is not None
    assert schedule(root, NOW).summary_lines == []


@pytest.mark.slow
def test_a_thousand_resources_schedule_quickly():
    # A loose guard against regressions (the benchmark target is 0.5 s).
    root = parse_cib_text(generate(16, 1000, "empty"))
    start = time.perf_counter()
    schedule(root, NOW)
    assert time.perf_counter() - start < 2.5


@needs_pacemaker
@pytest.mark.needs_pacemaker
@pytest.mark.parametrize("nodes, resources", [(3, 10), pytest.param(16, 1000,
                                                                    marks=pytest.mark.slow)])
def test_crm_simulate_agrees_running_means_nothing_to_do(tmp_path, nodes, resources):
    path = tmp_path / "cib.xml"
    path.write_text(generate(nodes, resources, "running"))
    proc = subprocess.run(["crm_simulate", "-x", str(path), "-S", "-Q"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert not [line for line in proc.stdout.splitlines() if line.strip().startswith("*")]


@needs_pacemaker
@pytest.mark.needs_pacemaker
@pytest.mark.parametrize("state", ["empty", "running", "one-node-down"])
def test_generated_documents_pass_crm_verify(tmp_path, state):
    path = tmp_path / "cib.xml"
    path.write_text(generate(3, 10, state))
    proc = subprocess.run(["crm_verify", "-x", str(path)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
