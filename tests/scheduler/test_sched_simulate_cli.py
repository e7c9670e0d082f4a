"""`crmshell simulate`: output against Pacemaker's own .summary files, options, errors and
--explain; plus the fidelity of the status view and the simulated execution."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

import sched_conformance as conf
from crmshell.simulate_cli import main, parse_args, run
from sched_cib import cib, dummy, node_state, running
from tests.shared_paths import required

XML = conf.CONFORMANCE / "xml"
SUMMARY = conf.CONFORMANCE / "summary"
required(conf.CONFORMANCE)

# Cases whose whole `crm_simulate -S` output we reproduce exactly (all 249 of them).
FULL_OUTPUT_FLOOR = 249


def _trimmed(lines: list[str]) -> list[str]:
    out = [line.rstrip() for line in lines]
    while out and not out[-1]:
        out.pop()
    return out


def _expected(name: str) -> list[str]:
    return _trimmed((SUMMARY / f"{name}.summary").read_text().split("\n"))


def _ours(name: str, *flags: str) -> list[str]:
    return _trimmed(run(parse_args(["-x", str(XML / f"{name}.xml"), *flags])))


@pytest.mark.parametrize("name", ["simple1", "rsc_dep4", "intervals", "662", "promoted-group",
                                  "bug-5028-detach", "stonith-0", "group-colocation-failure",
                                  "promoted-9", "rec-node-11", "promoted-notify", "notify-2",
                                  "interleave-restart", "promoted-13", "inc6",
                                  "stop-failure-no-quorum", "expire-non-blocked-failure",
                                  "clone_min_start_two", "failed-probe-clone"])
def test_whole_output_matches_pacemakers(name):
    assert _ours(name, "-S") == _expected(name)


def test_full_output_rate_does_not_fall():
    names = [name for name, _ in conf.cases()]
    differing = [name for name in names if _ours(name, "-S") != _expected(name)]
    assert len(names) - len(differing) >= FULL_OUTPUT_FLOOR, differing


def test_run_stops_after_the_summary_and_quiet_prints_only_scores():
    lines = _ours("rsc_dep4", "-R")
    assert lines[-1].startswith("  * Start      rsc3")
    assert "Executing Cluster Transition:" not in lines
    assert _ours("rsc_dep4", "-R", "-Q") == []       # crm_simulate -Q: "essential output"
    assert _ours("rsc_dep4", "-S", "-Q") == []


def test_scores_are_in_the_scores_file_format():
    lines = _ours("promoted-group", "-Q", "-s")
    ours = sorted(line for line in lines if line)
    expected = sorted(line.replace("pcmk__clone_allocate", "pcmk__clone_assign") for line in
                      (conf.CONFORMANCE / "scores" / "promoted-group.scores").read_text()
                      .splitlines() if line)
    assert ours == expected


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert "give the CIB with -x FILE" in capsys.readouterr().err
    assert main(["-x"]) == 2
    assert main(["-x", "f", "--bogus"]) == 2
    assert "unknown argument '--bogus'" in capsys.readouterr().err
    assert main(["--help"]) == 0
    assert "usage: simulate -x <file>" in capsys.readouterr().out


def test_bad_input_exits_1_naming_the_place(tmp_path, capsys):
    assert main(["-x", str(tmp_path / "missing.xml"), "-S"]) == 1
    assert "missing.xml: cannot read" in capsys.readouterr().err
    bad = tmp_path / "bad.xml"
    bad.write_text("<cib>\n  <configuration>\n")
    assert main(["-x", str(bad), "-S"]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3:" in err and "Traceback" not in err
    notcib = tmp_path / "nodes.xml"
    notcib.write_text("<nodes/>")
    assert main(["-x", str(notcib)]) == 1
    assert "<cib>" in capsys.readouterr().err


def test_bundled_flags_and_stdin(monkeypatch, capsys):
    import io
    text = (XML / "rsc_dep4.xml").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    assert main(["-x", "-", "-SsQ"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("pcmk__primitive_assign: ") and "Revised Cluster Status:" not in out


def test_the_shell_dispatches_to_simulate():
    proc = subprocess.run([sys.executable, "-m", "crmshell", "simulate", "-x",
                           str(XML / "rsc_dep4.xml"), "-R"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "* Move       rsc4    ( node1 -> node2 )" in proc.stdout


# ---- --explain -------------------------------------------------------------------------------

def test_explain_shows_each_contribution_and_the_decision(tmp_path):
    path = tmp_path / "cib.xml"
    constraints = ('<rsc_location id="prefer-n2" rsc="web" node="node2" score="50"/>'
                   '<rsc_location id="avoid-n3" rsc="web" node="node3" score="-INFINITY"/>'
                   '<rsc_colocation id="web-with-db" rsc="web" with-rsc="db" score="200"/>')
    status = (node_state("node1", running("web", "node1") + running("db", "node1", 20))
              + node_state("node2") + node_state("node3"))
    path.write_text(cib(nodes=["node1", "node2", "node3"], resources=dummy("web") + dummy("db"),
                        constraints=constraints, status=status,
                        rsc_defaults={"resource-stickiness": "100"}))
    lines = run(parse_args(["-x", str(path), "-Q", "--explain", "web"]))
    text = "\n".join(lines)
    assert "Placement of web" in text
    table = {line.split()[0]: line for line in lines if line.startswith("node")}
    assert "+100" in table["node1"] and "+200" in table["node1"]   # stickiness, colocation
    assert "+50" in table["node2"]
    assert "-INFINITY" in table["node3"]
    assert "It is assigned to node1 (score 300)" in text
    assert "Transition: nothing to do for it." in text


def test_explain_unknown_resource_exits_1(capsys):
    assert main(["-x", str(XML / "rsc_dep4.xml"), "--explain", "nope"]) == 1
    assert "no resource named 'nope'" in capsys.readouterr().err


# ---- fidelity of the parts that are not graded -----------------------------------------------

def _block(lines: list[str], start: str, stop: str | None) -> list[str]:
    i = lines.index(start)
    j = lines.index(stop) if stop else len(lines)
    return _trimmed(lines[i + 1:j])


def test_status_simulation_and_revised_status_rates():
    status = execution = revised = 0
    for name, _ in conf.cases():
        exp, ours = _expected(name), _ours(name, "-S")
        if _block(exp, "Current cluster status:", "Transition Summary:") == \
                _block(ours, "Current cluster status:", "Transition Summary:"):
            status += 1
        def steps(lines):
            return Counter(" ".join(x.split()) for x in _block(
                lines, "Executing Cluster Transition:", "Revised Cluster Status:")
                if x.strip() and not x.startswith("Using the original"))
        execution += steps(exp) == steps(ours)
        revised += _block(exp, "Revised Cluster Status:", None) == \
            _block(ours, "Revised Cluster Status:", None)
    assert status >= 249, status          # of 249
    assert execution >= 249, execution    # as multisets
    assert revised >= 249, revised


def test_explain_works_for_every_resource_and_changes_no_decision():
    from daemon.scheduler import load_cib, schedule
    from crmshell.simulate_report import explain_lines
    for name, _ in conf.cases():
        path = str(XML / f"{name}.xml")
        plain = schedule(load_cib(path), conf.CASE_NOW)
        explained = schedule(load_cib(path), conf.CASE_NOW, explain=True, scores=True)
        assert explained.summary_lines == plain.summary_lines, name
        for rsc in explained.working_set.resources:
            lines = explain_lines(explained, rsc.id)
            assert any(line.startswith("Placement of ") for line in lines), (name, rsc.id)
