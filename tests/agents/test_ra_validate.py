"""`ra validate`: an agent's validate-all with parameters (issue 10, item 18), on a fake agent
that checks its parameter, and on the real IPaddr2 and fence agents against crmsh's output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from crmshell.agents import AgentCatalog
from crmshell.agents.validate import report_lines, validate
from crmshell.errors import ShellError

from agent_fixtures import METADATA_TEMPLATE, needs_real_agents, write_executable

VALIDATING = METADATA_TEMPLATE.replace('<action name="meta-data" timeout="5s"/>',
                                       '<action name="meta-data" timeout="5s"/>\n'
                                       '<action name="validate-all" timeout="5s"/>')


def _agent(name: str, metadata: str) -> str:
    return (f"#!/bin/sh\ncase \"$1\" in\nmeta-data)\ncat <<'END'\n{metadata}\nEND\nexit 0;;\n"
            "validate-all)\n[ -n \"$OCF_RESKEY_path\" ] || { echo 'ERROR: path is missing' >&2;"
            " echo 'ocf-exit-reason:no path' >&2; exit 6; }\necho \"checked $OCF_RESKEY_path\";"
            " exit 0;;\nesac\nexit 3\n")


@pytest.fixture
def catalog(fake_roots) -> AgentCatalog:
    provider = fake_roots.ocf_root / "resource.d" / "acme"
    write_executable(provider / "Widget", _agent("Widget", VALIDATING.format(name="Widget")))
    write_executable(provider / "Plain", _agent("Plain", METADATA_TEMPLATE.format(name="Plain")))
    return AgentCatalog(fake_roots, None)


def test_parameters_reach_the_agent_and_its_words_are_crmshs(catalog):
    ok = validate(catalog, "ocf:acme:Widget", {"path": "/srv"})
    assert (ok.agent, ok.rc, report_lines(ok)) == ("ocf:acme:Widget", 0, ["INFO: checked /srv"])
    bad = validate(catalog, "ocf:acme:Widget", {})
    assert bad.rc == 6
    assert report_lines(bad) == ["ERROR: path is missing", "INFO: ocf-exit-reason:no path"]


def test_agents_without_validate_all_and_other_classes_are_refused(catalog):
    with pytest.raises(ShellError, match="has no validate-all action"):
        validate(catalog, "ocf:acme:Plain", {})
    with pytest.raises(ShellError, match="only OCF resource agents and fence agents"):
        validate(catalog, "lsb:widget", {})
    with pytest.raises(ShellError, match="no such agent"):
        validate(catalog, "ocf:acme:Nope", {})


CRM = shutil.which("crm")


@pytest.mark.needs_agents
@needs_real_agents
@pytest.mark.skipif(CRM is None or os.geteuid() != 0, reason="crmsh's ra validate runs as root")
@pytest.mark.parametrize("args", [["ocf:heartbeat:IPaddr2", "ip=192.0.2.10"],
                                  ["ocf:heartbeat:IPaddr2"], ["IPaddr2", "ip=notanip"]])
def test_real_ipaddr2_as_crmsh_validates_it(args, tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    ours = subprocess.run([sys.executable, "-m", "crmshell", "ra", "validate", *args],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    theirs = subprocess.run([CRM, "ra", "validate", *args], capture_output=True, text=True,
                            env={**env, "TERM": "dumb"}, timeout=120, check=False)
    assert (ours.returncode == 0) == (theirs.returncode == 0)

    def info(text: str) -> list[str]:   # crmsh colours INFO:; the agent stamps its ERROR lines
        import re
        lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in text.splitlines()]
        return [re.sub(r"^INFO: \w{3} \d\d \d\d:\d\d:\d\d ", "INFO: ", line)
                for line in lines if line.startswith("INFO: ")]
    assert info(ours.stderr) == info(theirs.stderr + theirs.stdout)
