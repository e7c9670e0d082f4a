"""The resource and node commands added for the live cluster, on a CIB file: the same
configuration as Pacemaker's crm_resource and crm_attribute make on a copy of the file
(lifetime rules compared without their end dates, which depend on the moment)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest
from lxml import etree

from crmshell.session import Session
from tests.conformance.crmsh_cases import canonical
from tests.shared_paths import SCHEDULER_CASES

STEPS = [
    ("resource param rsc1 set foo bar", ["crm_resource", "-r", "rsc1", "-p", "foo", "-v", "bar"]),
    ("resource meta rsc1 set resource-stickiness 100",
     ["crm_resource", "-r", "rsc1", "--meta", "-p", "resource-stickiness", "-v", "100"]),
    ("resource utilization rsc1 set cpu 2",
     ["crm_resource", "-r", "rsc1", "--utilization", "-p", "cpu", "-v", "2"]),
    ("resource param rsc1 delete foo", ["crm_resource", "-r", "rsc1", "-d", "foo"]),
    ("resource maintenance rsc1", ["crm_resource", "-r", "rsc1", "--meta", "-p", "maintenance",
                                   "-v", "true"]),
    ("node attribute node1 set rack r1",
     ["crm_attribute", "-N", "node1", "-n", "rack", "-v", "r1", "-l", "forever"]),
    ("node utilization node1 set cpu 8", ["crm_attribute", "-N", "node1", "-z", "-n", "cpu", "-v", "8"]),
    ("resource ban rsc1 node1 PT1H", ["crm_resource", "--ban", "-r", "rsc1", "-N", "node1", "-u", "PT1H"]),
    ("resource move rsc1 node2 PT1H", ["crm_resource", "--move", "-r", "rsc1", "-N", "node2",
                                       "-u", "PT1H"]),
]


def _configuration(path):
    conf = etree.parse(str(path)).getroot().find("configuration")
    for date in conf.iter("date_expression"):
        del date.attrib["end"]
    return canonical(conf)


class FileShell:
    def __init__(self, path) -> None:
        self.env = {"CIB_file": str(path), "HOME": str(path.parent)}
        self.out = self.err = ""

    def run(self, line: str) -> int:
        out, err = io.StringIO(), io.StringIO()
        status = Session.create(env=self.env, out=out, err=err).one_shot(line.split())
        self.out, self.err = out.getvalue(), err.getvalue()
        return status


@pytest.fixture
def ours(tmp_path):
    path = tmp_path / "cib.xml"
    shutil.copy(SCHEDULER_CASES / "xml" / "simple2.xml", path)
    path.chmod(0o600)
    return FileShell(path)


@pytest.mark.needs_pacemaker
def test_same_edits_as_pacemakers_tools(ours, tmp_path):
    if not shutil.which("crm_resource"):
        pytest.skip("crm_resource is not installed (Debian package pacemaker-cli-utils)")
    theirs = tmp_path / "theirs.xml"
    shutil.copy(ours.env["CIB_file"], theirs)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIB_")}
    env["CIB_file"] = str(theirs)
    for line, their_cmd in STEPS:
        assert ours.run(line) == 0, ours.err
        subprocess.run(their_cmd, env=env, capture_output=True, check=True, timeout=60)
        assert _configuration(ours.env["CIB_file"]) == _configuration(theirs), line


def test_shows_and_refusals(ours):
    assert ours.run("resource param rsc1 set foo bar") == 0
    assert ours.run("resource param rsc1 show foo") == 0 and ours.out == "bar\n"
    assert ours.run("resource param rsc1 show nosuch") == 1
    assert "rsc1 has no param attribute nosuch" in ours.err
    assert ours.run("resource param rsc1 frob foo") == 1 and "not one of set, delete, show" in ours.err
    assert ours.run("resource param rsc1 set foo") == 1 and "set needs a value" in ours.err
    assert ours.run("node attribute node1 set rack r1") == 0
    assert ours.run("node attribute node1 show rack") == 0
    assert ours.out == "scope=nodes  name=rack value=r1\n"
    assert ours.run("resource failcount rsc1 show node1") == 0
    assert ours.out.startswith("scope=status  name=fail-count-rsc1 value=")


def test_what_needs_the_cluster_says_so_on_a_file(ours):
    for line in ("resource cleanup rsc1", "resource refresh", "resource restart rsc1",
                 "resource failcount rsc1 delete node1", "node clearstate node1",
                 "node status-attr node1 show x"):
        assert ours.run(line) == 1, line
        assert "needs the crmshell node daemon" in ours.err and ours.env["CIB_file"] in ours.err


def test_operations_and_constraints_are_read_from_the_cib(ours, tmp_path):
    failed = tmp_path / "failed.xml"
    shutil.copy(SCHEDULER_CASES / "xml" / "simple4.xml", failed)
    failed.chmod(0o600)
    history = FileShell(failed)
    assert history.run("resource operations rsc1") == 0, history.err
    assert history.out == ("rsc1\t(ocf:heartbeat:apache): rsc1_start_0 (node=node1, call=1, rc=1, "
                           "last-rc-change=, exec=0ms): error\n")
    assert ours.run("resource operations rsc1") == 0 and ours.out == "no operations recorded for rsc1\n"
    assert ours.run("resource move rsc1 node2") == 0
    assert "INFO: Move constraint created for rsc1 to node2" in ours.err
    assert ours.run("resource constraints rsc1") == 0
    assert ours.out == "location cli-prefer-rsc1 rsc1 role=Started inf: node2\n"
    assert ours.run("resource constraints nosuch") == 1 and "nosuch does not exist" in ours.err


def test_promote_needs_a_promotable_clone(ours):
    assert ours.run("resource promote rsc1") == 1
    assert "not a promotable clone" in ours.err
