"""The catalogue-facing `ra` functions the level calls: errors in crmsh's words, daemons."""

from __future__ import annotations

import pytest

from crmshell.agents import AgentCatalog
from crmshell.agents.format import format_classes, format_info, format_list, format_providers
from crmshell.errors import ShellError

from agent_fixtures import ocf_script, write_executable


@pytest.fixture
def catalog(fake_roots) -> AgentCatalog:
    write_executable(fake_roots.ocf_root / "resource.d" / "acme" / "Widget", ocf_script("Widget"))
    return AgentCatalog(fake_roots, None)


def test_commands_over_a_private_installation(catalog: AgentCatalog):
    assert format_classes(catalog) == "lsb\nocf / acme\nservice\nstonith"
    assert format_providers(catalog, "Widget") == "acme"
    assert format_providers(catalog, "Widget", "lsb") == ""
    assert format_list(catalog, "ocf", "acme") == "Widget" + " " * 4
    assert format_info(catalog, "ocf:acme:Widget").startswith("Test agent Widget (ocf:acme:Widget)")


def test_unknown_class_and_provider(catalog: AgentCatalog):
    with pytest.raises(ShellError, match="^class nagios does not exist$"):
        format_list(catalog, "nagios")
    with pytest.raises(ShellError, match="^there is no provider nope for class ocf$"):
        format_list(catalog, "ocf", "nope")


def test_unknown_agent_info(catalog: AgentCatalog):
    with pytest.raises(ShellError, match="^ocf:heartbeat:Nope: no such agent"):
        format_info(catalog, "Nope")


@pytest.mark.parametrize("daemon,option", [
    ("pacemaker-schedulerd", "no-quorum-policy (select, [stop])"),
    ("pengine", "stonith-enabled (boolean, [true])"),
    ("pacemaker-controld", "dc-deadtime (duration, [20s])"),
    ("pacemaker-based", "enable-acl (boolean, [false])"),
    ("pacemaker-fenced", "pcmk_host_list (string)"),
])
def test_daemon_options_as_agents(catalog: AgentCatalog, daemon: str, option: str):
    text = format_info(catalog, daemon)
    assert f"({daemon})" in text.splitlines()[0]
    assert option in text
    assert catalog.runs == 0
