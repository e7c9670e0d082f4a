"""crmsh's configure graph, schema and upgrade (issue 10, item 18), run as a user runs them,
on a CIB file; upgrade is compared with cibadmin --upgrade."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scheduler"))
from sched_cib import cib, dummy, node_state, running as history  # noqa: E402


def two_nodes() -> str:
    """rsc1 runs (and is monitored) on node1, rsc2 is stopped; Pacemaker 2.1 names."""
    status = node_state("node1", history("rsc1", "node1")) + node_state("node2")
    return cib(nodes=["node1", "node2"], resources=dummy("rsc1") + dummy("rsc2"),
               status=status)


@pytest.fixture
def running(shell):
    shell.cib.write_text(two_nodes())
    return shell


def _root(path):
    return etree.parse(str(path)).getroot()


def test_graph_goes_to_stdout_or_a_file(running, tmp_path):
    out = running.run("configure", "graph")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("digraph G {\n") and "rsc1 [label=" in out.stdout
    dot = tmp_path / "g.dot"
    assert running.run("configure", "graph", "dot", str(dot)).returncode == 0
    assert dot.read_text() == out.stdout
    bad = running.run("configure", "graph", "neato")
    assert bad.returncode == 1 and "graph type neato is not supported" in bad.stderr


def test_schema_is_shown_staged_checked_and_committed(running):
    assert running.run("configure", "schema").stdout == "pacemaker-3.9\n"
    proc = running.batch("configure\nschema pacemaker-2.5\nschema\ncommit\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "pacemaker-2.5\n"
    assert _root(running.cib).get("validate-with") == "pacemaker-2.5"
    unknown = running.run("configure", "schema", "pacemaker-7.1")
    assert unknown.returncode == 1 and "schema pacemaker-7.1 does not exist" in unknown.stderr


@pytest.mark.skipif(not (os.path.isfile("/usr/share/pacemaker/pacemaker-1.0.rng")),
                    reason="Pacemaker's schema files are not installed")
def test_a_schema_the_configuration_does_not_fit_is_refused(running):
    proc = running.run("configure", "schema", "pacemaker-1.0")
    assert proc.returncode == 1
    assert "schema pacemaker-1.0 conflicts with the current configuration" in proc.stderr
    assert _root(running.cib).get("validate-with") == "pacemaker-3.9"


def test_upgrade_wants_force_and_bumps_admin_epoch(running):
    running.cib.write_text(two_nodes().replace("pacemaker-3.9", "pacemaker-3.2"))
    before = _root(running.cib)
    proc = running.run("configure", "upgrade")
    assert proc.returncode == 1 and "use 'upgrade force'" in proc.stderr
    assert running.run("configure", "upgrade", "force").returncode == 0
    after = _root(running.cib)
    assert after.get("validate-with") == "pacemaker-3.9"
    assert int(after.get("admin_epoch")) == int(before.get("admin_epoch")) + 1
    again = running.run("-f", "-", stdin="configure upgrade force\n")
    assert again.returncode == 0 and _root(running.cib).get("admin_epoch") == \
        after.get("admin_epoch")


@pytest.mark.needs_pacemaker
@pytest.mark.skipif(shutil.which("cibadmin") is None, reason="cibadmin is not installed")
@pytest.mark.parametrize("version", ["pacemaker-1.2", "pacemaker-2.5"])
def test_upgrade_rewrites_the_configuration_as_cibadmin_does(shell, tmp_path, version):
    theirs = tmp_path / "theirs.xml"
    for path in (shell.cib, theirs):
        path.write_text(two_nodes().replace("pacemaker-3.9", version))
    subprocess.run(["cibadmin", "--upgrade", "--force"], capture_output=True, timeout=60,
                   env={"CIB_file": str(theirs), "PATH": os.environ.get("PATH", "")},
                   check=True)
    assert shell.run("configure", "upgrade", "force").returncode == 0
    ours, ref = _root(shell.cib), _root(theirs)
    assert ours.get("validate-with") == ref.get("validate-with")
    assert ours.get("admin_epoch") == ref.get("admin_epoch")
    canon = etree.XMLParser(remove_blank_text=True)
    assert etree.tostring(etree.fromstring(etree.tostring(ours.find("configuration")), canon),
                          method="c14n") == \
        etree.tostring(etree.fromstring(etree.tostring(ref.find("configuration")), canon),
                       method="c14n")
