"""Shadow CIBs live where Pacemaker's tools look for them (issue 10, item 9): the same
directory as `crm_shadow --file` names, so `CIB_shadow=NAME crm_mon -1` shows a shadow made
here, and a shadow made by crm_shadow is one here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.shared_paths import EMPTY_CIB, REPO

NOBODY = 65534
pytestmark = [
    pytest.mark.needs_pacemaker,
    pytest.mark.skipif(shutil.which("crm_shadow") is None or shutil.which("crm_mon") is None,
                       reason="crm_shadow/crm_mon not installed (Debian package pacemaker-cli-utils)"),
]
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="runs commands as root and as nobody")
AS_NOBODY = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
PROBE = "import os; from crmshell.cib.shadow import shadow_path; print(shadow_path(os.environ, 'test'))"


@pytest.fixture
def nobody_home():
    """A directory nobody owns, outside pytest's root-only temporary tree."""
    home = Path(tempfile.mkdtemp(prefix="crmshell-shadow-home-"))
    os.chown(home, NOBODY, NOBODY)
    yield home
    shutil.rmtree(home, ignore_errors=True)


def _both(prefix: list[str], env: dict[str, str]) -> tuple[str, str]:
    """(crm_shadow's path of shadow 'test', ours), each run by the same user in `env`."""
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), **env}
    theirs = subprocess.run([*prefix, "crm_shadow", "--file"], env={**env, "CIB_shadow": "test"},
                            capture_output=True, text=True, timeout=30, cwd="/")
    ours = subprocess.run([*prefix, sys.executable, "-c", PROBE], env=env, capture_output=True,
                          text=True, timeout=30, cwd=REPO)
    assert theirs.returncode == 0 and ours.returncode == 0, theirs.stderr + ours.stderr
    return theirs.stdout.strip(), ours.stdout.strip()


@needs_root
@pytest.mark.parametrize("env", [
    {},
    {"HOME": "/root", "USER": "someone"},
    {"CIB_shadow_dir": "/srv/shadows"},
])
def test_as_root_the_same_directory_as_crm_shadow(env):
    theirs, ours = _both([], env)
    assert ours == theirs
    assert theirs.startswith("/srv/shadows/" if env.get("CIB_shadow_dir")
                             else "/var/lib/pacemaker/cib/")


@needs_root
@pytest.mark.parametrize("scenario", [
    "home", "missing home", "missing home, TMPDIR", "missing home, relative TMPDIR",
    "relative home", "no HOME (nobody's is /nonexistent)", "CIB_shadow_dir",
])
def test_as_a_user_the_same_directory_as_crm_shadow(scenario, nobody_home):
    env = {
        "home": {"HOME": str(nobody_home)},
        "missing home": {"HOME": str(nobody_home / "gone")},
        "missing home, TMPDIR": {"HOME": str(nobody_home / "gone"), "TMPDIR": "/var/tmp"},
        "missing home, relative TMPDIR": {"HOME": str(nobody_home / "gone"), "TMPDIR": "tmp"},
        "relative home": {"HOME": "somewhere"},
        "no HOME (nobody's is /nonexistent)": {},
        "CIB_shadow_dir": {"HOME": str(nobody_home), "CIB_shadow_dir": str(nobody_home / "s")},
    }[scenario]
    theirs, ours = _both(AS_NOBODY, env)
    assert ours == theirs
    if scenario == "home":
        assert theirs == f"{nobody_home}/.cib/shadow.test"
        assert (nobody_home / ".cib").stat().st_mode & 0o777 == 0o700


@needs_root
def test_crm_mon_shows_a_shadow_made_here_and_we_use_one_crm_shadow_made(shell):
    """As root, with no CIB_shadow_dir: Pacemaker's /var/lib/pacemaker/cib."""
    name = f"crmshell-test-{os.getpid()}"
    made_by_crm_shadow = f"{name}-pcmk"
    shell.env.pop("CIB_shadow_dir")
    where = Path("/var/lib/pacemaker/cib")
    try:
        proc = shell.batch(f"cib new {name}\nconfigure\nproperty stonith-enabled=false\n"
                           "primitive d1 ocf:pacemaker:Dummy\ncommit\n")
        assert proc.returncode == 0, proc.stderr
        assert (where / f"shadow.{name}").is_file()
        mon = subprocess.run(["crm_mon", "-1", "-r"], capture_output=True, text=True, timeout=30,
                             env={"PATH": os.environ["PATH"], "CIB_shadow": name})
        assert mon.returncode == 0, mon.stderr
        assert "d1\t(ocf:pacemaker:Dummy):\t Stopped" in mon.stdout, mon.stdout

        created = subprocess.run(["crm_shadow", "--batch", "--force", "--create-empty",
                                  made_by_crm_shadow], capture_output=True, text=True,
                                 timeout=30, env={"PATH": os.environ["PATH"]})
        assert created.returncode == 0, created.stderr
        listing = shell.run("cib", "list")
        assert made_by_crm_shadow in listing.stdout and name in listing.stdout
        used = shell.batch(f"cib use {made_by_crm_shadow}\nconfigure\n"
                           "property stonith-enabled=false\nprimitive d2 ocf:pacemaker:Dummy\n"
                           "commit\n", "use.crm")
        assert used.returncode == 0, used.stderr
        assert 'id="d2"' in (where / f"shadow.{made_by_crm_shadow}").read_text()
    finally:
        for leftover in (name, made_by_crm_shadow):
            (where / f"shadow.{leftover}").unlink(missing_ok=True)


@needs_root
def test_a_user_s_shadow_in_home_cib_is_shown_by_crm_mon(nobody_home):
    cib = nobody_home / "cib.xml"
    shutil.copy(EMPTY_CIB, cib)
    (nobody_home / "b.crm").write_text("cib new mine\nconfigure\nproperty stonith-enabled=false\n"
                                       "primitive d1 ocf:pacemaker:Dummy\ncommit\n")
    for path in (cib, nobody_home / "b.crm"):
        os.chown(path, NOBODY, NOBODY)
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "HOME": str(nobody_home),
           "CIB_file": str(cib)}
    proc = subprocess.run([*AS_NOBODY, sys.executable, "-m", "crmshell", "-f",
                           str(nobody_home / "b.crm")], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (nobody_home / ".cib" / "shadow.mine").is_file()
    mon = subprocess.run([*AS_NOBODY, "crm_mon", "-1", "-r"], capture_output=True, text=True,
                         timeout=30, env={"PATH": os.environ["PATH"], "HOME": str(nobody_home),
                                          "CIB_shadow": "mine"})
    assert mon.returncode == 0, mon.stderr
    assert "d1\t(ocf:pacemaker:Dummy):\t Stopped" in mon.stdout, mon.stdout


def test_a_shadow_left_in_the_former_directory_is_pointed_at(tmp_path, monkeypatch):
    from crmshell.cib import shadow
    from crmshell.errors import ShellError

    former = tmp_path / "state" / "crmshell" / "shadow"
    former.mkdir(parents=True)
    shutil.copy(EMPTY_CIB, former / "shadow.old")
    monkeypatch.setattr(shadow, "_former_dir", lambda _env: former)
    env = {"CIB_shadow_dir": str(tmp_path / "pacemaker")}
    with pytest.raises(ShellError) as caught:
        shadow.shadow_source(env, "old")
    assert f"move {former / 'shadow.old'} to {tmp_path / 'pacemaker'}/ to use it" in str(caught.value)
    with pytest.raises(ShellError) as caught:
        shadow.shadow_source(env, "other")
    assert "once kept" not in str(caught.value)
