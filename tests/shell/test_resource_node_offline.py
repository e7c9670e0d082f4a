"""The resource and node levels on a CIB file, against Pacemaker's own crm_resource and
crm_attribute run on a copy of the same file: the same configuration must come out."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from lxml import etree

from tests.conformance.crmsh_cases import canonical
from tests.shared_paths import SCHEDULER_CASES

# (our command, Pacemaker's command)
STEPS = [
    (["resource", "stop", "rsc1"], ["crm_resource", "-r", "rsc1", "--meta", "-p", "target-role", "-v", "Stopped"]),
    (["resource", "unmanage", "rsc1"], ["crm_resource", "-r", "rsc1", "--meta", "-p", "is-managed", "-v", "false"]),
    (["resource", "start", "rsc1"], ["crm_resource", "-r", "rsc1", "--meta", "-p", "target-role", "-v", "Started"]),
    (["resource", "move", "rsc1", "node2"], ["crm_resource", "--move", "-r", "rsc1", "-N", "node2"]),
    (["resource", "ban", "rsc1", "node1"], ["crm_resource", "--ban", "-r", "rsc1", "-N", "node1"]),
    (["node", "standby", "node1"], ["crm_attribute", "-N", "node1", "-n", "standby", "-v", "on", "-l", "forever"]),
    (["node", "maintenance", "node2"], ["crm_attribute", "-N", "node2", "-n", "maintenance", "-v", "true", "-l", "forever"]),
    (["node", "online", "node1"], ["crm_attribute", "-N", "node1", "-n", "standby", "-v", "off", "-l", "forever"]),
    (["resource", "clear", "rsc1"], ["crm_resource", "--clear", "-r", "rsc1"]),
]


def _configuration(path):
    return canonical(etree.parse(str(path)).getroot().find("configuration"))


@pytest.mark.needs_pacemaker
def test_same_edits_as_pacemakers_tools(shell, tmp_path):
    if not shutil.which("crm_resource"):
        pytest.skip("crm_resource is not installed (Debian package pacemaker-cli-utils)")
    shutil.copy(SCHEDULER_CASES / "xml" / "simple2.xml", shell.cib)
    theirs = tmp_path / "theirs.xml"
    shutil.copy(shell.cib, theirs)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIB_")}
    env["CIB_file"] = str(theirs)
    for ours_cmd, their_cmd in STEPS:
        proc = shell.run(*ours_cmd)
        assert proc.returncode == 0, proc.stderr
        subprocess.run(their_cmd, env=env, capture_output=True, check=True, timeout=60)
        assert _configuration(shell.cib) == _configuration(theirs), " ".join(ours_cmd)


def test_status_move_away_and_refusals(shell):
    shutil.copy(SCHEDULER_CASES / "xml" / "simple2.xml", shell.cib)
    assert shell.run("resource", "status").stdout == "resource rsc1 is NOT running\n"
    proc = shell.run("resource", "move", "rsc1")
    assert proc.returncode == 1 and "not running anywhere" in proc.stderr
    proc = shell.run("resource", "stop", "nosuch")
    assert proc.returncode == 1 and "resource nosuch does not exist" in proc.stderr
    proc = shell.run("node", "standby", "node9")
    assert proc.returncode == 1 and "node node9 does not exist" in proc.stderr
    proc = shell.run("node", "standby", "node1", "reboot")
    assert proc.returncode == 1 and "needs the node daemon" in proc.stderr
    proc = shell.run("resource", "move", "rsc1", "PT1H")
    assert proc.returncode == 1 and "is a lifetime" in proc.stderr
    shown = shell.run("node", "show", "node1")
    assert shown.returncode == 0 and shown.stdout.startswith("node1(uuid1): member")


def test_move_with_a_lifetime_writes_a_date_rule(shell):
    shutil.copy(SCHEDULER_CASES / "xml" / "simple2.xml", shell.cib)
    assert shell.run("resource", "move", "rsc1", "node2", "PT1H").returncode == 0
    text = shell.cib.read_text()
    assert 'id="cli-prefer-lifetime-end-rsc1" operation="lt"' in text
    assert shell.run("configure", "verify").returncode == 0


def test_a_running_resource_is_located_and_moved_away(shell):
    shutil.copy(SCHEDULER_CASES / "xml" / "rec-rsc-2.xml", shell.cib)
    status = shell.run("resource", "status")
    assert status.returncode == 0 and "running on:" in status.stdout, status.stdout
    rsc, node = status.stdout.split()[1], status.stdout.split()[-1]
    assert shell.run("resource", "move", rsc).returncode == 0
    assert f'id="cli-ban-{rsc}-on-{node}"' in shell.cib.read_text()
