"""Shadow CIBs: private copies to try changes on, then commit to the real CIB."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.needs_agents


def test_new_edit_diff_commit_delete(shell):
    assert shell.run("configure", "property", "stonith-enabled=false").returncode == 0
    real_before = shell.cib.read_bytes()
    proc = shell.batch("cib new trial\nconfigure\nprimitive d1 ocf:pacemaker:Dummy\ncommit\n")
    assert proc.returncode == 0, proc.stderr
    assert shell.cib.read_bytes() == real_before  # the real CIB did not move
    assert (shell.workdir / "shadows" / "shadow.trial").exists()

    env = dict(shell.env, CIB_shadow="trial")
    shell_env = shell.env
    shell.env = env
    shown = shell.show()
    shell.env = shell_env
    assert "primitive d1" in shown

    diff = shell.run("cib", "diff", "trial")
    assert diff.returncode == 0, diff.stderr
    assert "+primitive d1 ocf:pacemaker:Dummy" in diff.stdout

    listing = shell.run("cib", "list")
    assert "trial" in listing.stdout

    assert shell.run("cib", "commit", "trial").returncode == 0
    assert "primitive d1" in shell.show()

    assert shell.run("cib", "delete", "trial").returncode == 0
    assert not (shell.workdir / "shadows" / "shadow.trial").exists()


def test_new_refuses_to_overwrite_without_force(shell):
    assert shell.run("cib", "new", "s1").returncode == 0
    proc = shell.run("cib", "new", "s1")
    assert proc.returncode == 1 and "already exists" in proc.stderr
    assert shell.run("cib", "new", "s1", "force").returncode == 0


def test_empty_shadow_and_reset(shell):
    shell.run("configure", "property", "stonith-enabled=false")
    assert shell.run("cib", "new", "blank", "empty").returncode == 0
    blank = (shell.workdir / "shadows" / "shadow.blank").read_text()
    assert "stonith-enabled" not in blank
    assert shell.run("cib", "reset", "blank").returncode == 0
    assert "stonith-enabled" in (shell.workdir / "shadows" / "shadow.blank").read_text()


def test_unknown_shadow_and_bad_names(shell):
    proc = shell.run("cib", "use", "nope")
    assert proc.returncode == 1 and "no shadow CIB named 'nope'" in proc.stderr
    proc = shell.run("cib", "new", "../escape")
    assert proc.returncode == 1 and "invalid shadow CIB name" in proc.stderr
