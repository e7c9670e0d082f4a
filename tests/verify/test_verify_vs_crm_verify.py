"""Our wording against Pacemaker's own `crm_verify -V -x FILE` on the same configurations."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from crmshell.verify import verify

from verify_fixtures import NO_FENCING, cib_xml, dummy, needs_real_agents

CRM_VERIFY = shutil.which("crm_verify")
pytestmark = [pytest.mark.needs_pacemaker, pytest.mark.needs_agents, needs_real_agents,
              pytest.mark.skipif(CRM_VERIFY is None, reason="crm_verify is not installed")]

_ERROR_LINE = re.compile(r"^\([a-z_]+\)\s+error: (.*)$")


def crm_verify_errors(xml: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "cib.xml"
    path.write_text(xml)
    proc = subprocess.run([CRM_VERIFY, "-V", "-x", str(path)], capture_output=True, text=True,
                          timeout=60, check=False)
    lines = []
    for line in proc.stderr.splitlines():
        match = _ERROR_LINE.match(line.strip())
        if match and match.group(1) not in lines:
            lines.append(match.group(1))
    return lines


def our_errors(xml: str, catalog) -> list[str]:
    return [f.message for f in verify(etree.fromstring(xml.encode()), catalog)
            if f.severity == "error"]


def test_no_fencing_device_message_is_crm_verifys(catalog, tmp_path):
    xml = cib_xml(resources=dummy("d1"), crm_config="")
    theirs = crm_verify_errors(xml, tmp_path)
    assert len(theirs) == 3
    assert our_errors(xml, catalog) == theirs


@pytest.mark.parametrize("props", [
    NO_FENCING,
    '<cluster_property_set id="cib-bootstrap-options"><nvpair id="w" name="have-watchdog" '
    'value="true"/></cluster_property_set>',
])
def test_no_device_needed_both_agree(catalog, tmp_path, props):
    xml = cib_xml(resources=dummy("d1"), crm_config=props)
    assert crm_verify_errors(xml, tmp_path) == []
    assert our_errors(xml, catalog) == []


def test_watchdog_timeout_alone_still_needs_a_device(catalog, tmp_path):
    props = ('<cluster_property_set id="cib-bootstrap-options"><nvpair id="w" '
             'name="stonith-watchdog-timeout" value="10s"/></cluster_property_set>')
    xml = cib_xml(resources=dummy("d1"), crm_config=props)
    assert our_errors(xml, catalog) == crm_verify_errors(xml, tmp_path)
    assert len(our_errors(xml, catalog)) == 3


def test_duplicate_operation_and_ticket_messages_contain_crm_verifys(catalog, tmp_path):
    rsc = ('<primitive id="d1" class="ocf" provider="pacemaker" type="Dummy"><operations>'
           '<op id="d1-mon" name="monitor" interval="10s"/>'
           '<op id="d1-mon2" name="monitor" interval="10s" role="Slave"/></operations></primitive>')
    ticket = '<rsc_ticket id="t1" ticket="T" rsc="d1" loss-policy="fence"/>'
    xml = cib_xml(resources=rsc, constraints=ticket)
    theirs = crm_verify_errors(xml, tmp_path)
    ours = our_errors(xml, catalog)
    assert len(theirs) == len(ours) == 2
    for their_line in theirs:
        assert any(mine.endswith(their_line) for mine in ours), (their_line, ours)


CRM = shutil.which("crm")


@pytest.mark.slow
@pytest.mark.skipif(CRM is None, reason="crmsh (the real crm) is not installed")
def test_unknown_property_warning_is_crmshs(catalog, tmp_path):
    props = ('<cluster_property_set id="cib-bootstrap-options">'
             '<nvpair id="p1" name="stonith-enabled" value="false"/>'
             '<nvpair id="p2" name="foo-bar" value="1"/></cluster_property_set>'
             '<cluster_property_set id="SAPHanaSR"><nvpair id="s1" name="hana_site" '
             'value="WDF"/></cluster_property_set>')
    xml = cib_xml(resources=dummy("d1"), crm_config=props)
    path = tmp_path / "cib.xml"
    path.write_text(xml)
    proc = subprocess.run([CRM, "configure", "verify"], capture_output=True, text=True,
                          timeout=120, env={"CIB_file": str(path), "PATH": "/usr/sbin:/usr/bin:/bin",
                                            "HOME": str(tmp_path)}, check=False)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    theirs = [line.split("WARNING: ", 1)[1] for line in plain.splitlines()
              if "WARNING: " in line and "unknown attribute" in line]
    ours = [f.message for f in verify(etree.fromstring(xml.encode()), catalog)
            if f.severity == "warning"]
    assert theirs == ours == ["cib-bootstrap-options: unknown attribute 'foo-bar'"]
