"""Names, listing and error cases of the catalogue, over a private installation."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmshell.agents import AgentCatalog, AgentError, AgentSpec, UnknownAgentError
from crmshell.agents.service_meta import lsb_header, unit_description

from agent_fixtures import METADATA_TEMPLATE, ocf_script, write_executable


def add_ocf(roots, provider: str, type_: str, metadata: str | None = None, **kw) -> Path:
    return write_executable(roots.ocf_root / "resource.d" / provider / type_,
                            ocf_script(type_, metadata, **kw))


@pytest.fixture
def catalog(fake_roots, cache_dir) -> AgentCatalog:
    add_ocf(fake_roots, "heartbeat", "Both")
    add_ocf(fake_roots, "pacemaker", "Both")
    add_ocf(fake_roots, "pacemaker", "OnlyPcmk")
    add_ocf(fake_roots, "acme", "OnlyAcme")
    add_ocf(fake_roots, "acme", "Zeta")
    (fake_roots.ocf_root / "resource.d" / "heartbeat" / ".hidden").write_text("")
    (fake_roots.ocf_root / "resource.d" / "heartbeat" / "not-executable").write_text("")
    return AgentCatalog(fake_roots, cache_dir)


def test_resolve_like_crmsh(catalog: AgentCatalog):
    assert catalog.resolve("Both") == AgentSpec("ocf", "heartbeat", "Both")
    assert catalog.resolve("OnlyPcmk") == AgentSpec("ocf", "pacemaker", "OnlyPcmk")
    assert catalog.resolve("OnlyAcme") == AgentSpec("ocf", "acme", "OnlyAcme")
    assert catalog.resolve("Unknown") == AgentSpec("ocf", "heartbeat", "Unknown")
    assert catalog.resolve("ocf:OnlyPcmk") == AgentSpec("ocf", "pacemaker", "OnlyPcmk")
    assert catalog.resolve("ocf:acme:Both") == AgentSpec("ocf", "acme", "Both")
    assert catalog.resolve("stonith:fence_xvm") == AgentSpec("stonith", "", "fence_xvm")
    assert catalog.resolve("stonith:external/ssh") == AgentSpec("stonith", "", "external/ssh")
    assert catalog.resolve("lsb:foo") == AgentSpec("lsb", "", "foo")
    assert str(catalog.resolve("Both")) == "ocf:heartbeat:Both"
    assert str(catalog.resolve("lsb:foo")) == "lsb:foo"


@pytest.mark.parametrize("spec,problem", [
    ("a:b:c:d", "not an agent name"),
    ("ocf::Dummy", "not an agent name"),
    ("", "not an agent name"),
    ("nagios:check_foo", "unknown agent class 'nagios'"),
    ("lsb:prov:foo", "class lsb does not take a provider"),
])
def test_bad_names(catalog: AgentCatalog, spec: str, problem: str):
    with pytest.raises(AgentError) as info:
        catalog.resolve(spec)
    assert problem in str(info.value) and str(info.value).startswith(f"{spec}:")


def test_listing(catalog: AgentCatalog, fake_roots):
    write_executable(fake_roots.lsb_dir / "myservice", "#!/bin/sh\nexit 0\n")
    write_executable(fake_roots.fence_dir / "fence_fake", "#!/bin/sh\nexit 0\n")
    write_executable(fake_roots.fence_dir / "other_tool", "#!/bin/sh\nexit 0\n")
    (fake_roots.stonith_plugin_dir / "stonith2").mkdir()
    for module in ("null.so", "external.so", "rhcs.so", "ssh.so", "README"):
        (fake_roots.stonith_plugin_dir / "stonith2" / module).write_text("")
    write_executable(fake_roots.stonith_plugin_dir / "external" / "ipmi", "#!/bin/sh\n")
    assert catalog.providers() == ["acme", "heartbeat", "pacemaker"]
    assert catalog.providers("Both") == ["heartbeat", "pacemaker"]
    assert catalog.providers("Nothing") == []
    assert catalog.types("ocf", "heartbeat") == ["Both"]
    assert catalog.types("ocf") == ["Both", "OnlyAcme", "OnlyPcmk", "Zeta"]
    assert catalog.types("lsb") == ["myservice"]
    assert catalog.types("service") == ["myservice"]
    assert catalog.types("stonith") == ["external/ipmi", "fence_fake", "null", "ssh"]
    assert catalog.classes() == ["lsb", "ocf", "service", "stonith"]  # no systemctl here
    with pytest.raises(AgentError, match="unknown agent class"):
        catalog.types("heartbeat")


def test_missing_roots_list_nothing(tmp_path):
    from crmshell.agents import AgentRoots
    empty = AgentCatalog(AgentRoots(ocf_root=tmp_path / "none", lsb_dir=tmp_path / "none",
                                    fence_dir=tmp_path / "none", systemctl=None,
                                    stonith_plugin_dir=tmp_path / "none"), None)
    assert empty.providers() == [] and empty.types("ocf") == [] and empty.types("stonith") == []


def test_systemctl_that_fails_degrades_quietly(fake_roots, tmp_path):
    from dataclasses import replace
    broken = write_executable(tmp_path / "systemctl", "#!/bin/sh\nexit 1\n")
    catalog = AgentCatalog(replace(fake_roots, systemctl=broken), None)
    assert catalog.types("systemd") == [] and "systemd" not in catalog.classes()
    missing = AgentCatalog(replace(fake_roots, systemctl=tmp_path / "nope"), None)
    assert missing.types("systemd") == []


def test_fake_systemctl_lists_units(fake_roots, tmp_path):
    from dataclasses import replace
    fake = write_executable(tmp_path / "systemctl", "#!/bin/sh\n"
                            "echo 'nginx.service enabled enabled'\n"
                            "echo 'getty@.service static -'\n"
                            "echo 'sshd.socket enabled enabled'\n")
    (fake_roots.systemd_unit_dirs[0] / "nginx.service").write_text(
        "[Unit]\nDescription=The web server\n[Service]\nExecStart=/bin/true\n")
    catalog = AgentCatalog(replace(fake_roots, systemctl=fake), None)
    assert catalog.types("systemd") == ["nginx"]
    assert "systemd" in catalog.classes()
    meta = catalog.metadata("systemd:nginx")
    assert meta.shortdesc == "The web server"
    assert meta.action("start").timeout == "100" and meta.action("monitor").interval == "60"
    assert catalog.metadata("service:nginx").spec == AgentSpec("service", "", "nginx")


LSB_SCRIPT = """#!/bin/sh
### BEGIN INIT INFO
# Provides:          foo
# Required-Start:    $local_fs
# Short-Description: Runs the foo daemon
# Description:       Foo keeps things going.
#                    It does so quietly.
### END INIT INFO
case "$1" in start|stop|status) exit 0;; esac
"""


def test_lsb_script_in_temp_dir(fake_roots, cache_dir):
    write_executable(fake_roots.lsb_dir / "foo", LSB_SCRIPT)
    catalog = AgentCatalog(fake_roots, cache_dir)
    meta = catalog.metadata("lsb:foo")
    assert meta.shortdesc == "Runs the foo daemon"
    assert meta.longdesc == "Foo keeps things going.\nIt does so quietly."
    assert meta.parameters == ()
    assert [a.name for a in meta.actions] == ["meta-data", "start", "stop", "status", "restart",
                                              "force-reload", "monitor"]
    assert meta.action("monitor").interval == "15" and meta.action("stop").timeout == "15"
    assert catalog.metadata("service:foo").shortdesc == "Runs the foo daemon"
    assert catalog.runs == 0  # scripts are read, not run


def test_lsb_header_without_block():
    assert lsb_header("#!/bin/sh\n# Description: not in a block\n") == {}
    assert unit_description("[Service]\nDescription=wrong section\n") == ""


@pytest.mark.parametrize("metadata,problem", [
    ("this is not xml", "meta-data is not well-formed XML"),
    ("<agent name='x'/>", "meta-data root is <agent>, expected <resource-agent>"),
    ("<resource-agent><parameters><parameter><content/></parameter></parameters>"
     "</resource-agent>", "parameter #1 has no name"),
    ("<resource-agent><actions><action timeout='1'/></actions></resource-agent>",
     "action #1 has no name"),
])
def test_malformed_metadata_names_agent_and_problem(fake_roots, metadata, problem):
    add_ocf(fake_roots, "test", "Bad", metadata)
    with pytest.raises(AgentError) as info:
        AgentCatalog(fake_roots, None).metadata("ocf:test:Bad")
    message = str(info.value)
    assert message.startswith("ocf:test:Bad: ") and problem in message
    assert "\n" not in message


def test_agent_that_hangs_times_out(fake_roots):
    write_executable(fake_roots.ocf_root / "resource.d" / "test" / "Slow",
                     "#!/bin/sh\nexec sleep 30\n")
    with pytest.raises(AgentError, match=r"ocf:test:Slow: meta-data did not finish within 0.5s"):
        AgentCatalog(fake_roots, None, timeout=0.5).metadata("ocf:test:Slow")


def test_agent_that_prints_nothing(fake_roots):
    write_executable(fake_roots.ocf_root / "resource.d" / "test" / "Mute", "#!/bin/sh\nexit 0\n")
    with pytest.raises(AgentError, match="meta-data printed nothing"):
        AgentCatalog(fake_roots, None).metadata("ocf:test:Mute")


def test_agent_not_executable(fake_roots):
    path = fake_roots.ocf_root / "resource.d" / "test" / "NoExec"
    path.parent.mkdir(parents=True)
    path.write_text(ocf_script("NoExec"))
    with pytest.raises(AgentError, match="ocf:test:NoExec: cannot run"):
        AgentCatalog(fake_roots, None).metadata("ocf:test:NoExec")


def test_agent_gets_a_clean_ocf_environment(fake_roots, tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_OF_THE_SHELL", "leak")
    dump = tmp_path / "env"
    write_executable(fake_roots.ocf_root / "resource.d" / "test" / "Env",
                     f"#!/bin/sh\nenv > {dump}\ncat <<'EOF'\n"
                     + METADATA_TEMPLATE.format(name="Env") + "\nEOF\n")
    AgentCatalog(fake_roots, None).metadata("ocf:test:Env")
    env = dict(line.split("=", 1) for line in dump.read_text().splitlines() if "=" in line)
    assert env["OCF_ROOT"] == str(fake_roots.ocf_root)
    assert env["OCF_RESOURCE_TYPE"] == "Env" and env["OCF_RESOURCE_PROVIDER"] == "test"
    assert "OCF_RESOURCE_INSTANCE" in env
    assert "SECRET_OF_THE_SHELL" not in env


def test_unknown_agent_in_fake_root(catalog: AgentCatalog):
    with pytest.raises(UnknownAgentError, match=r"ocf:heartbeat:Nope: no such agent"):
        catalog.metadata("Nope")
    with pytest.raises(UnknownAgentError):
        catalog.agent_path("lsb:nope")
    assert catalog.agent_path("Both").name == "Both"
