"""The staged CIB's edits against the real crmsh: random scripts of groups, clones, constraint
sets, renames and deletes across commits must leave the same `show` text and the same XML."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from lxml import etree

from tests.conformance.crmsh_cases import canonical, normalise_lines
from tests.shared_paths import EMPTY_CIB
from tests.staging.crm_scripts import script

pytestmark = [pytest.mark.slow, pytest.mark.needs_agents]
SEEDS = range(1000, 1030)


def _run(program: list[str], workdir, text: str):
    shutil.copy(EMPTY_CIB, workdir / "cib.xml")
    (workdir / "s.crm").write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIB_")}
    env["CIB_file"] = str(workdir / "cib.xml")
    batch = subprocess.run([*program, "-f", "s.crm"], cwd=workdir, env=env, capture_output=True,
                           text=True, timeout=120)
    show = subprocess.run([*program, "configure", "show"], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=120).stdout
    conf = etree.parse(str(workdir / "cib.xml")).getroot().find("configuration")
    return batch.returncode, normalise_lines(show), canonical(conf), batch.stderr


@pytest.mark.parametrize("seed", SEEDS)
def test_random_edits_match_crmsh(seed, tmp_path):
    crm = shutil.which("crm")
    if crm is None:
        pytest.skip("crmsh's crm is not installed (Debian package crmsh)")
    text = script(seed)
    (tmp_path / "crm").mkdir()
    (tmp_path / "ours").mkdir()
    theirs = _run([crm], tmp_path / "crm", text)
    ours = _run([sys.executable, "-m", "crmshell"], tmp_path / "ours", text)
    assert ours[0] == 0, ours[3]
    assert theirs[0] == 0, theirs[3]
    assert ours[1] == theirs[1], f"{text}\ncrm:\n" + "\n".join(theirs[1])
    assert ours[2] == theirs[2], text
