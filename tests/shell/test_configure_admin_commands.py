"""crmsh's configure graph, schema, upgrade and cibstatus, and cib import (issue 10, item
18), run as a user runs them, on a CIB file; upgrade is compared with cibadmin --upgrade."""

from __future__ import annotations

import bz2
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


def test_cibstatus_changes_simulates_and_saves(running, tmp_path):
    saved = tmp_path / "status.xml"
    proc = running.batch("configure\ncibstatus\norigin\nnode node2 unclean\n"
                         "op monitor rsc1 not_running node1\nticket t1 grant\nquorum false\n"
                         f"show changed\norigin\nsimulate\nsave {saved}\nup\nsimulate\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith(f"{running.cib}\nnode2 unclean\nnode1:rsc1:monitor rc=7\n"
                          f"t1 grant\nquorum: false\n{running.cib} (modified)\n")
    assert "Performing" not in out and "Revised Cluster Status:" in out
    assert "* OFFLINE: [ node2 ]" in out          # lost, and no fencing: just offline
    summaries = [part.split("\n\n")[0].strip() for part in out.split("Transition Summary:")]
    assert len(summaries) == 3 and summaries[1] == summaries[2]  # so does configure simulate
    assert summaries[1].split("\n")[0].split() == ["*", "Recover", "rsc1", "(", "node1", ")"]
    status = _root(saved).find("status")
    assert status.find("tickets/ticket_state[@id='t1']").get("granted") == "true"
    assert _root(running.cib).find("status/tickets") is None     # save went to the file only


def test_cibstatus_op_finds_its_node_and_interval_or_says_why(running):
    proc = running.batch("configure\ncibstatus\nop start rsc9 generic\n")
    assert proc.returncode == 1 and "operation start of rsc9 not found: name the node" \
        in proc.stderr
    proc = running.batch("configure\ncibstatus\nop start rsc1 bogus node1\n")
    assert proc.returncode == 1 and "invalid exit code 'bogus'" in proc.stderr


def test_cib_import_copies_a_scheduler_input_into_a_shadow_and_uses_it(running, tmp_path):
    pe = tmp_path / "pengine"
    pe.mkdir()
    (pe / "pe-input-12.bz2").write_bytes(bz2.compress(running.cib.read_bytes()))
    running.env["CRMSHELL_PE_DIR"] = str(pe)
    proc = running.batch("cib import 12\ncib list\nconfigure cibstatus origin\n"
                         f"cib import {running.cib} copy\ncib list\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:4] == ["* pe-input-12", "shadow:pe-input-12", "* copy",
                                            "  pe-input-12"]
    missing = running.run("cib", "import", "99")
    assert missing.returncode == 1 and "no 99 scheduler input" in missing.stderr
