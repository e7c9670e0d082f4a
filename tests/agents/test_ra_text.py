"""`ra` level text, checked against the real crmsh where it is installed."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from crmshell.agents import AgentCatalog, AgentMeta, AgentRoots, AgentSpec, Parameter
from crmshell.agents.model import make_action
from crmshell.agents.ra_text import classes_text, info_text, list_text, providers_text

from agent_fixtures import needs_real_agents

CRM = shutil.which("crm")
needs_crm = pytest.mark.skipif(CRM is None, reason="crmsh (the real crm) is not installed")


def real_crm(*args: str) -> str:
    env = {**os.environ, "COLS": "80", "TERM": "dumb"}
    proc = subprocess.run([CRM, *args], capture_output=True, text=True, timeout=60, env=env,
                          stdin=subprocess.DEVNULL, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout[:-1] if proc.stdout.endswith("\n") else proc.stdout


def test_list_text_fills_80_columns():
    # longest name 14 -> 80 // 16 = 5 columns of 16; full rows end bare, the last row is padded
    names = ["alpha", "beta", "gamma", "delta", "fourteen-chars", "zeta", "eta"]
    assert list_text(names).split("\n") == [
        "alpha" + " " * 11 + "beta" + " " * 12 + "gamma" + " " * 11 + "delta" + " " * 11
        + "fourteen-chars",
        "zeta" + " " * 12 + "eta" + " " * 13,
    ]
    assert list_text(["a", "b"]) == "a" + " " * 9 + "b" + " " * 9  # short names count as 8
    assert list_text([]) == ""
    assert list_text(["x" * 50, "y"]).split("\n") == ["x" * 50 + " " * 30, "y" + " " * 79]


def test_classes_text_and_providers():
    assert classes_text(["stonith", "ocf", "lsb"], ["heartbeat", "pacemaker"]) == (
        "lsb\nocf / heartbeat pacemaker\nstonith")
    assert classes_text(["ocf"], []) == ""
    assert providers_text(["heartbeat", "pacemaker"]) == "heartbeat pacemaker"


def test_info_text_layout():
    meta = AgentMeta(
        spec=AgentSpec("ocf", "test", "Thing"), shortdesc="A thing", longdesc="Long text.",
        parameters=(Parameter("path", required=True, shortdesc="Path", longdesc="Where.\nIt is."),
                    Parameter("n", type="integer", default="3", shortdesc="n")),
        actions=(make_action("start", [("timeout", "20s")]),
                 make_action("meta-data", [("timeout", "5s")]),
                 make_action("monitor", [("timeout", "20s"), ("interval", "10s")])))
    assert info_text(meta) == (
        "A thing (ocf:test:Thing)\n\nLong text.\n\n"
        "Parameters (*: required, []: default):\n\n"
        "path* (string): Path\n    Where.\n    It is.\n\n"
        "n (integer, [3]):\n\n"
        "Operations' defaults (advisory minimum):\n\n"
        "    start         timeout=20s\n"
        "    monitor       timeout=20s interval=10s")


@pytest.mark.slow
@pytest.mark.needs_agents
@needs_real_agents
@needs_crm
@pytest.mark.parametrize("spec", ["ocf:heartbeat:IPaddr2", "ocf:pacemaker:Dummy",
                                  "ocf:heartbeat:apache", "ocf:pacemaker:Stateful", "Delay"])
def test_ra_info_matches_crmsh(spec: str, tmp_path):
    catalog = AgentCatalog(cache_dir=tmp_path)
    assert info_text(catalog.metadata(spec)) == real_crm("ra", "info", spec)


@pytest.mark.slow
@pytest.mark.needs_agents
@needs_real_agents
@needs_crm
def test_ra_info_of_a_fence_device_matches_crmsh_up_to_the_fencer_parameters(tmp_path):
    catalog = AgentCatalog(cache_dir=tmp_path)
    ours = info_text(catalog.metadata("stonith:null"))
    theirs = real_crm("ra", "info", "stonith:null")
    # the pcmk_* descriptions are our own words; everything before them is the agent's
    assert ours.split("\npcmk_")[0] == theirs.split("\npcmk_")[0]
    assert ours.count("\npcmk_") == theirs.count("\npcmk_")


@pytest.mark.slow
@pytest.mark.needs_agents
@needs_real_agents
@needs_crm
def test_ra_list_and_providers_match_crmsh():
    # The system's agents only: crmsh does not see the ones crmshell ships.
    catalog = AgentCatalog(AgentRoots(), cache_dir=None)
    assert list_text(catalog.types("ocf", "pacemaker")) == real_crm("ra", "list", "ocf",
                                                                      "pacemaker")
    assert list_text(catalog.types("stonith")) == real_crm("ra", "list", "stonith")
    assert providers_text(catalog.providers("Dummy")) == real_crm("ra", "providers", "Dummy")
    theirs = real_crm("ra", "classes").splitlines()
    ours = classes_text(catalog.classes(), catalog.providers()).splitlines()
    assert [line for line in ours if line != "systemd"] == theirs
