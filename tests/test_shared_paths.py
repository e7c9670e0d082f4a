"""Without ../shared the tests that read it fail, loudly, instead of skipping (issue 10, item
21): tests/shared_paths.py promised it, and the conformance modules skipped all the same."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.shared_paths import REPO, SharedDataMissing, required

# The modules that read the shared data when they are collected.
AT_COLLECTION = [
    "tests/lang/test_lang_conformance.py",
    "tests/lang/test_lang_crm_oracle.py",
    "tests/render/test_render_conformance.py",
    "tests/verify/test_verify_conformance.py",
    "tests/verify/test_verify_robustness.py",
    "tests/scheduler/test_sched_simulate_cli.py",
    "tests/scheduler/test_sched_notifications.py",
    "tests/interactive/test_grammar_table_agrees.py",
    "tests/cib/test_cib_schema.py",
]


def test_required_names_what_is_missing(tmp_path):
    assert required(tmp_path) == tmp_path
    with pytest.raises(SharedDataMissing, match=f"{tmp_path / 'nope'} is missing"):
        required(tmp_path / "nope")


@pytest.fixture(scope="module")
def clone_without_shared(tmp_path_factory):
    """The repository's tests copied where no `shared` lies beside them (the code is linked)."""
    repo = tmp_path_factory.mktemp("alone") / "repo"
    repo.mkdir()
    shutil.copytree(REPO / "tests", repo / "tests",
                    ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
    for name in ("crmshell", "daemon", "grammars", "completions", "bench"):
        (repo / name).symlink_to(REPO / name)
    shutil.copy(REPO / "pyproject.toml", repo)
    assert not (repo.parent / "shared").exists()
    return repo


def _pytest(repo, *args):
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                           "-o", "addopts=", *args], cwd=repo, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
def test_each_module_that_reads_it_fails_to_collect(clone_without_shared):
    proc = _pytest(clone_without_shared, "--collect-only", *AT_COLLECTION)
    assert proc.returncode != 0, proc.stdout
    for module in AT_COLLECTION:
        assert f"ERROR collecting {module}" in proc.stdout, proc.stdout[-3000:]
    assert proc.stdout.count("SharedDataMissing") >= len(AT_COLLECTION), proc.stdout[-3000:]


@pytest.mark.slow
def test_a_case_read_by_a_test_fails_it(clone_without_shared):
    proc = _pytest(clone_without_shared, "-rs", "tests/scheduler/test_sched_graph.py",
                   "-k", "agrees_with_the_simulation")
    assert proc.returncode == 1, proc.stdout
    assert "4 failed" in proc.stdout and "skipped" not in proc.stdout, proc.stdout[-3000:]
