"""The scheduler from the shell: configure simulate (staged), resource scores, status show,
and `crmshell simulate -L` on the session's CIB."""

from __future__ import annotations

import shutil

import pytest

from tests.shared_paths import SCHEDULER_CASES


@pytest.fixture
def running(shell):
    """A CIB with nodes online and one resource to start (Pacemaker's `simple2` case: two online
    nodes and a stopped resource)."""
    shutil.copy(SCHEDULER_CASES / "xml" / "simple2.xml", shell.cib)
    return shell


def _summary(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    start = lines.index("Transition Summary:") + 1
    block = []
    for line in lines[start:]:
        if not line.strip():
            break
        block.append(" ".join(line.split()))
    return block


def expected_summary() -> list[str]:
    return _summary((SCHEDULER_CASES / "summary" / "simple2.summary").read_text())


def test_configure_simulate_sees_staged_changes(running):
    proc = running.batch("configure\nsimulate\nprimitive extra ocf:pacemaker:Dummy\nsimulate\n"
                         "refresh\n")
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.split("Transition Summary:")[1:3]
    assert "extra" not in first
    assert "* Start extra" in " ".join(second.split())


def test_configure_simulate_matches_the_recorded_summary(running):
    proc = running.run("configure", "simulate")
    assert proc.returncode == 0, proc.stderr
    assert _summary(proc.stdout) == expected_summary()


def test_simulate_live_check_reads_the_session_cib(running):
    live = running.run("simulate", "-L", "-R")
    by_file = running.run("simulate", "-x", str(running.cib), "-R")
    assert live.returncode == 0 and live.stdout == by_file.stdout


def test_resource_scores_and_status_show(running):
    scores = running.run("resource", "scores")
    assert scores.returncode == 0, scores.stderr
    assert "allocation score on" in scores.stdout
    status = running.run("status", "show")
    assert status.returncode == 0, status.stderr
    assert "Node List" in status.stdout


def test_without_a_cib_file_the_live_cluster_is_needed(shell):
    env = {k: v for k, v in shell.env.items() if k != "CIB_file"}
    shell.env = env
    proc = shell.run("resource", "scores")
    assert proc.returncode == 1
    assert "no cluster daemon" in proc.stderr
    proc = shell.run("simulate", "-L")
    assert proc.returncode == 1 and "no cluster daemon" in proc.stderr


def test_configure_simulate_takes_crmshs_nograph_and_verbosity(running):
    plain = running.run("configure", "simulate")
    proc = running.run("configure", "simulate", "nograph", "vv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == plain.stdout and _summary(proc.stdout) == expected_summary()
    bad = running.run("configure", "simulate", "graph")
    assert bad.returncode != 0 and "unexpected 'graph'" in bad.stderr


def test_top_level_simulate_takes_what_if_events_on_the_session_cib(running, tmp_path):
    dot = tmp_path / "t.dot"
    proc = running.batch(f"simulate -L -S -d node1 -D {dot}\nhelp simulate\n")
    assert proc.returncode == 0, proc.stderr
    assert "Performing Requested Modifications:\n  * Taking node node1 offline\n" in proc.stdout
    assert "OFFLINE: [ node1 ]" in proc.stdout and dot.read_text().startswith(' digraph "g" {')
    assert "-F <op>, --op-fail <op>" in proc.stdout and "Differences from crm_simulate" in proc.stdout
    usage = running.run("simulate", "-L", "-i", "bad")
    assert usage.returncode == 2 and "invalid operation 'bad'" in usage.stderr
