"""The executor's place in the tree: shipped agents describe themselves, the shell uses the
daemon's agent code as it is, nothing in the daemon imports the shell."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

import crmshell.agents
from crmshell.agents import discovery as shell_discovery
from crmshell.agents import model as shell_model
from daemon.executor.meta import discovery, model
from daemon.executor.meta.discovery import SHIPPED_OCF_ROOT
from daemon.executor.meta.parse import parse_metadata
from daemon.executor.model import AgentSpec

EXECUTOR = Path(__file__).resolve().parents[2] / "daemon" / "executor"


def test_nothing_in_the_executor_imports_the_shell():
    for path in EXECUTOR.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not [n for n in names if n.split(".")[0] == "crmshell"], path
        assert len(path.read_text().splitlines()) < 800, path


def test_the_shell_uses_the_daemons_agent_values():
    assert crmshell.agents.AgentSpec is AgentSpec
    assert shell_model.AgentMeta is model.AgentMeta
    assert crmshell.agents.AgentRoots is shell_discovery.AgentRoots is discovery.AgentRoots


def _metadata(name: str) -> bytes:
    path = SHIPPED_OCF_ROOT / "resource.d" / "crmshell" / name
    return subprocess.run([str(path), "meta-data"], capture_output=True, check=True,
                          timeout=10, env={"PATH": "/usr/bin:/bin"}).stdout


def test_shipped_dummy_describes_itself_as_ocf_1_1():
    meta = parse_metadata(_metadata("Dummy"), AgentSpec("ocf", "crmshell", "Dummy"))
    assert meta.ocf_version == "1.1" and meta.implements_ocf_1_1
    assert {"start", "stop", "monitor", "migrate_to", "migrate_from", "reload",
            "reload-agent", "validate-all", "meta-data"} <= meta.action_names
    assert meta.parameter("fake").reloadable and meta.parameter("op_sleep").reloadable
    assert not meta.parameter("state").reloadable
    assert meta.supports_reload_agent and not meta.supports_legacy_reload
    assert meta.action("monitor").interval == "10s"


def test_shipped_stateful_is_promotable():
    meta = parse_metadata(_metadata("Stateful"), AgentSpec("ocf", "crmshell", "Stateful"))
    assert {"promote", "demote", "notify"} <= meta.action_names
    assert meta.action("monitor", role="Promoted").interval == "10s"
    assert meta.action("monitor", role="Unpromoted").interval == "11s"


def test_shipped_agents_are_found_beside_the_system_ones():
    roots = discovery.AgentRoots().with_shipped()
    assert "crmshell" in discovery.ocf_providers(roots)
    assert discovery.ocf_types(roots, "crmshell") == ["Dummy", "Stateful"]
    assert discovery.ocf_agent_path(roots, "crmshell", "Dummy").is_file()
    assert "crmshell" not in discovery.ocf_providers(discovery.AgentRoots(
        ocf_root=Path("/nonexistent")))


RA_SCHEMA = Path("/usr/share/resource-agents/metadata.rng")
OCF_1_1_ATTRIBUTES = ("unique-group", "reloadable")


@pytest.mark.skipif(not RA_SCHEMA.exists(), reason="resource-agents' schema is not installed")
@pytest.mark.parametrize("name", ["Dummy", "Stateful"])
def test_shipped_metadata_is_valid_for_resource_agents_schema(name):
    """resource-agents' schema predates OCF 1.1: without the attributes 1.1 added (which
    Pacemaker's own agents use too), the meta-data must validate."""
    from lxml import etree

    schema = etree.RelaxNG(etree.parse(str(RA_SCHEMA)))
    doc = etree.fromstring(_metadata(name))
    for param in doc.iter("parameter"):
        for attr in OCF_1_1_ATTRIBUTES:
            param.attrib.pop(attr, None)
    assert schema.validate(doc), schema.error_log
