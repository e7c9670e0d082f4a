"""Helpers for the verify tests: small CIBs from XML fragments, and running verify on them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from crmshell.agents import AgentCatalog
from crmshell.verify import Finding, verify



def conformance_dir() -> Path:
    """The crmsh conformance cases, beside the repository (as in CI); missing, an error
    (raised when a module that needs them calls this)."""
    from tests.shared_paths import CRMSH_CASES, required

    return required(CRMSH_CASES)


needs_real_agents = pytest.mark.skipif(
    not Path("/usr/lib/ocf/resource.d/pacemaker/Dummy").exists()
    or not Path("/usr/lib/ocf/resource.d/heartbeat/IPaddr2").exists()
    or not shutil.which("stonith", path="/usr/sbin:/usr/bin"),
    reason="resource-agents, pacemaker-resource-agents or cluster-glue not installed")

NO_FENCING = ('<cluster_property_set id="cib-bootstrap-options">'
              '<nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" '
              'value="false"/></cluster_property_set>')
NODES = '<node id="node1" uname="node1"/><node id="node2" uname="node2"/>'
DUMMY = '<primitive id="{id}" class="ocf" provider="pacemaker" type="Dummy"/>'


def dummy(rid: str) -> str:
    return DUMMY.format(id=rid)


def cib_xml(resources: str = "", constraints: str = "", crm_config: str = NO_FENCING,
            nodes: str = NODES, extra: str = "") -> str:
    return ("<cib validate-with=\"pacemaker-3.9\" epoch=\"1\" num_updates=\"0\" "
            "admin_epoch=\"0\">\n<configuration>\n"
            f"<crm_config>{crm_config}</crm_config>\n<nodes>{nodes}</nodes>\n"
            f"<resources>\n{resources}\n</resources>\n"
            f"<constraints>{constraints}</constraints>\n{extra}\n"
            "</configuration>\n<status/>\n</cib>\n")


def run(catalog: AgentCatalog, *, schema: bool = False, **parts: str) -> list[Finding]:
    """The semantic findings (schema ones too with `schema=True`) on a CIB built from parts."""
    root = etree.fromstring(cib_xml(**parts).encode())
    return verify(root, catalog, schema=schema)


def messages(findings: list[Finding], severity: str | None = None) -> list[str]:
    return [f.message for f in findings if severity is None or f.severity == severity]


def errors(findings: list[Finding]) -> list[str]:
    return messages(findings, "error")


def warnings(findings: list[Finding]) -> list[str]:
    return messages(findings, "warning")
