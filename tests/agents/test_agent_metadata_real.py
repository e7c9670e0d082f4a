"""Meta-data of the real agents installed from the Debian packages."""

from __future__ import annotations

import pytest

from crmshell.agents import AgentCatalog, AgentError, AgentSpec, UnknownAgentError

from agent_fixtures import needs_real_agents

pytestmark = [pytest.mark.needs_agents, needs_real_agents]


def test_ipaddr2_requires_ip(real_catalog: AgentCatalog):
    meta = real_catalog.metadata("ocf:heartbeat:IPaddr2")
    ip = meta.parameter("ip")
    assert ip is not None and ip.required and ip.unique and ip.type == "string"
    assert not meta.parameter("nic").required
    assert meta.parameter("cidr_netmask") is not None
    monitor = meta.action("monitor")
    assert monitor.timeout == "20s" and monitor.interval == "10s" and monitor.depth == "0"
    assert meta.shortdesc.startswith("Manages virtual IPv4 and IPv6 addresses")


def test_bare_type_resolves_to_heartbeat_like_crmsh(real_catalog: AgentCatalog):
    assert real_catalog.metadata("IPaddr2").spec == AgentSpec("ocf", "heartbeat", "IPaddr2")


def test_apache(real_catalog: AgentCatalog):
    meta = real_catalog.metadata("ocf:heartbeat:apache")
    assert meta.parameter("configfile").default
    assert {"start", "stop", "monitor"} <= meta.action_names


@pytest.mark.parametrize("provider", ["heartbeat", "pacemaker"])
def test_dummy_of_both_providers(real_catalog: AgentCatalog, provider: str):
    meta = real_catalog.metadata(f"ocf:{provider}:Dummy")
    assert meta.spec.provider == provider
    assert meta.parameter("state") is not None
    assert {"start", "stop", "monitor", "migrate_to", "migrate_from"} <= meta.action_names


def test_dummy_providers_differ(real_catalog: AgentCatalog):
    heartbeat = real_catalog.metadata("ocf:heartbeat:Dummy")
    pacemaker = real_catalog.metadata("ocf:pacemaker:Dummy")
    assert pacemaker.parameter("op_sleep") is not None
    assert heartbeat.parameter_names != pacemaker.parameter_names


def test_delay(real_catalog: AgentCatalog):
    meta = real_catalog.metadata("Delay")
    assert meta.spec == AgentSpec("ocf", "heartbeat", "Delay")
    assert meta.parameter("startdelay").type == "integer"


def test_stateful_has_one_monitor_per_role(real_catalog: AgentCatalog):
    meta = real_catalog.metadata("ocf:pacemaker:Stateful")
    monitors = [a for a in meta.actions if a.name == "monitor"]
    assert len(monitors) == 2
    assert {m.role for m in monitors} == {"Promoted", "Unpromoted"}
    assert meta.action("monitor", role="Promoted").interval != meta.action(
        "monitor", role="unpromoted").interval
    assert {"promote", "demote", "notify"} <= meta.action_names


def test_fence_agent_as_the_fencer_presents_it(real_catalog: AgentCatalog):
    meta = real_catalog.metadata("stonith:fence_ipmilan")
    action = meta.parameter("action")
    assert action is not None and not action.required  # the fencer supplies it
    assert meta.action("start").timeout == "20s" and meta.action("stop").timeout == "20s"
    assert meta.parameter("ipaddr").deprecated
    assert meta.parameter("ip").obsoletes == "ipaddr"
    assert meta.shortdesc == "Fence agent for IPMI"
    host_list = meta.parameter("pcmk_host_list")
    assert host_list is not None and host_list.origin == "fencer"


@pytest.mark.parametrize("plugin,params", [
    ("null", {"hostlist"}),
    ("ssh", {"hostlist"}),
    ("external/ssh", {"hostlist", "livedangerously"}),
])
def test_cluster_glue_plugins(real_catalog: AgentCatalog, plugin: str, params: set[str]):
    meta = real_catalog.metadata(f"stonith:{plugin}")
    assert params <= meta.parameter_names
    assert meta.parameter("hostlist").required
    assert meta.action("monitor").interval == "3600"
    assert meta.parameter("pcmk_delay_max").origin == "fencer"


def test_fence_agent_without_metadata_is_a_clear_error(real_catalog: AgentCatalog):
    # fence_ack_manual prints its usage and exits 1 when asked for meta-data
    with pytest.raises(AgentError) as info:
        real_catalog.metadata("stonith:fence_ack_manual")
    assert str(info.value).startswith("stonith:fence_ack_manual: meta-data exited with status 1")


def test_unknown_agents(real_catalog: AgentCatalog):
    for spec in ("ocf:heartbeat:NoSuchAgent", "NoSuchAgent", "stonith:fence_nosuch",
                 "stonith:nosuch", "lsb:nosuch", "systemd:nosuch-unit-xyz"):
        with pytest.raises(UnknownAgentError) as info:
            real_catalog.metadata(spec)
        assert "no such agent" in str(info.value)
        assert "Traceback" not in str(info.value)


def test_listing_matches_the_installation(real_catalog: AgentCatalog):
    assert {"heartbeat", "pacemaker"} <= set(real_catalog.providers())
    assert real_catalog.providers("Dummy") == ["heartbeat", "pacemaker"]
    assert real_catalog.providers("IPaddr2") == ["heartbeat"]
    assert "Stateful" in real_catalog.types("ocf", "pacemaker")
    stonith = real_catalog.types("stonith")
    assert {"null", "ssh", "external/ssh", "fence_ipmilan"} <= set(stonith)
    assert "external" not in stonith and stonith == sorted(stonith)
    assert {"lsb", "ocf", "service", "stonith"} <= set(real_catalog.classes())


def test_every_installed_agent_parses(tmp_path):
    """Walk the whole installation: only agents that cannot produce meta-data may fail."""
    catalog = AgentCatalog(cache_dir=tmp_path / "cache")
    failures = []
    for provider in catalog.providers():
        for type_ in catalog.types("ocf", provider):
            try:
                catalog.metadata(f"ocf:{provider}:{type_}")
            except AgentError as err:
                failures.append(str(err))
    assert failures == []
