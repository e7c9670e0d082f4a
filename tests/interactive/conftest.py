"""Fixtures for the interactive shell's tests: a real CIB file made by a real batch, private
XDG directories, and a completion environment over a real ShellContext and real agents."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

SETUP = """\
configure
node node1
node node2 attributes standby=off
primitive ip IPaddr2 params ip=10.0.0.1 op monitor interval=10s
primitive d1 Dummy
primitive d2 Dummy
primitive fence1 stonith:fence_apc params ip=192.0.2.1 username=a password=b
rsc_template tmpl Dummy
group g1 d1
clone c1 d2
location l1 ip 100: node1
order o1 Mandatory: ip g1
tag web: ip g1
property stonith-enabled=true
commit
"""


def private_env(root: Path) -> dict[str, str]:
    """os.environ with HOME and the XDG directories under `root`, and no CIB_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIB_")}
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        path = root / name.lower()
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    env["CIB_shadow_dir"] = str(root / "shadows")
    env.pop("NO_COLOR", None)
    return env


def needs_agents() -> None:
    if not Path("/usr/lib/ocf/resource.d/heartbeat/IPaddr2").exists():
        pytest.skip("resource-agents is not installed (ocf:heartbeat:IPaddr2 missing)")
    if not shutil.which("fence_apc"):
        pytest.skip("fence-agents is not installed (fence_apc missing)")


@pytest.fixture(scope="session")
def shell_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("interactive")


@pytest.fixture(scope="session")
def shell_env(shell_home: Path) -> dict[str, str]:
    return private_env(shell_home)


@pytest.fixture(scope="session")
def cib_path(shell_home: Path, shell_env: dict[str, str]) -> Path:
    """A CIB with nodes, primitives, a template, a group, a clone, a fence device,
    constraints, a tag and a property; made by running a batch, as a user would."""
    import io

    from crmshell.session import Session

    needs_agents()
    path = shell_home / "cib.xml"
    err = io.StringIO()
    session = Session.create(cib_file=str(path), env=shell_env, out=io.StringIO(), err=err)
    assert session.batch(SETUP, "setup.crm") == 0, err.getvalue()
    shadows = Path(shell_env["CIB_shadow_dir"])
    shadows.mkdir(exist_ok=True)
    shutil.copy(path, shadows / "shadow.trial")
    return path


@pytest.fixture(scope="session")
def completion_env(cib_path: Path, shell_env: dict[str, str]):
    from crmshell.completion import ContextEnv
    from crmshell.ui.context import Options, ShellContext

    ctx = ShellContext(options=Options(cib_file=str(cib_path)), env=shell_env)
    return ContextEnv(ctx)
