"""crmsh's recorded language cases: at least 95% must match (exit status, show text, XML).

The cases that do not match are listed with their reason in `crmsh_known_failures.tsv`; this
test fails if the pass rate drops below the target or a listed case starts passing (so the
list stays honest).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.crmsh_cases import case_names, compare_case, in_process_runner, run_case

KNOWN = Path(__file__).with_name("crmsh_known_failures.tsv")
TARGET = 0.95


def known_failures() -> dict[str, str]:
    if not KNOWN.exists():
        return {}
    rows = [l.split("\t", 1) for l in KNOWN.read_text().splitlines() if l and not l.startswith("#")]
    return {r[0]: r[1] if len(r) > 1 else "" for r in rows}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    run = in_process_runner()
    out = {}
    for name in case_names():
        work = tmp_path_factory.mktemp(name)
        result = run_case(name, work, run)
        result.problems = compare_case(result)
        out[name] = result
    return out


@pytest.mark.needs_agents
def test_pass_rate(results, capsys):
    passed = [n for n, r in results.items() if not r.problems]
    rate = len(passed) / len(results)
    with capsys.disabled():
        print(f"\ncrmsh conformance: {len(passed)}/{len(results)} cases match ({rate:.1%})")
    assert rate >= TARGET, "\n\n".join(
        f"== {n}\n" + "\n".join(r.problems) for n, r in results.items() if r.problems)


@pytest.mark.needs_agents
def test_known_failures_list_is_current(results):
    failing = {n for n, r in results.items() if r.problems}
    listed = set(known_failures())
    assert failing == listed, (
        f"failing but not listed: {sorted(failing - listed)}; "
        f"listed but passing: {sorted(listed - failing)}")


@pytest.mark.needs_pacemaker
def test_written_cibs_load_in_pacemakers_tools(results, tmp_path):
    """A CIB we write loads in Pacemaker's own tools: crm_verify finds no schema problem."""
    import shutil
    import subprocess

    from lxml import etree

    if not shutil.which("crm_verify"):
        pytest.skip("crm_verify is not installed (Debian package pacemaker-cli-utils)")
    bad = {}
    for name, result in results.items():
        if result.problems or not result.cib_path.exists():
            continue
        proc = subprocess.run(["crm_verify", "-x", str(result.cib_path)], capture_output=True,
                              text=True, timeout=60)
        if "validity error" in proc.stderr or "not valid" in proc.stderr.lower() and \
                "Relax-NG" in proc.stderr:
            bad[name] = proc.stderr
        root = etree.parse(str(result.cib_path)).getroot()
        if root.get("validate-with") is None:
            bad[name] = "validate-with lost"
    assert not bad, bad
