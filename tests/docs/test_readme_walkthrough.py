"""The README's newcomer walkthrough works as written, on real agent meta-data."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def walkthrough() -> str:
    text = README.read_text()
    blocks = re.findall(r"```\n(.*?)```", text, re.S)
    return next(b for b in blocks if b.startswith("configure\n") and "ClusterIP" in b)


@pytest.mark.needs_agents
def test_readme_walkthrough(tmp_path):
    (tmp_path / "web.crm").write_text(walkthrough())
    env = {k: v for k, v in os.environ.items() if k not in ("CIB_file", "CIB_shadow")}

    def crmshell(*args):
        return subprocess.run([sys.executable, "-m", "crmshell", "--cib-file", "web.xml", *args],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    applied = crmshell("-f", "web.crm")
    assert applied.returncode == 0, applied.stderr
    shown = crmshell("configure", "show")
    assert shown.returncode == 0
    for line in ("primitive ClusterIP IPaddr2 \\", "colocation website-with-ip inf: WebSite ClusterIP",
                 "order apache-after-ip Mandatory: ClusterIP WebSite",
                 "location prefer-node1 WebSite 50: node1",
                 "rsc_defaults rsc-options: \\", "\tresource-stickiness=100"):
        assert line in shown.stdout.splitlines(), shown.stdout
    verified = crmshell("configure", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "error" not in verified.stderr
    if shutil.which("crm_verify"):  # Pacemaker's own checker accepts what we wrote
        theirs = subprocess.run(["crm_verify", "-L", "-V"], cwd=tmp_path, capture_output=True,
                                text=True, env=dict(env, CIB_file=str(tmp_path / "web.xml")))
        assert theirs.returncode == 0, theirs.stderr
        assert "validity error" not in theirs.stderr, theirs.stderr
