"""Running crmshell as a process on a private CIB file, as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.shared_paths import EMPTY_CIB as EMPTY


@dataclass
class Shell:
    workdir: Path
    env: dict

    @property
    def cib(self) -> Path:
        return self.workdir / "cib.xml"

    def run(self, *args: str, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "crmshell", *args], input=stdin,
                              capture_output=True, text=True, env=self.env, cwd=self.workdir,
                              timeout=timeout, check=False)

    def batch(self, text: str, name: str = "batch.crm") -> subprocess.CompletedProcess:
        path = self.workdir / name
        path.write_text(text)
        return self.run("-f", name)

    def show(self) -> str:
        proc = self.run("configure", "show")
        assert proc.returncode == 0, proc.stderr
        return proc.stdout


@pytest.fixture
def shell(tmp_path: Path) -> Shell:
    shutil.copy(EMPTY, tmp_path / "cib.xml")
    env = {k: v for k, v in os.environ.items() if k not in ("CIB_file", "CIB_shadow")}
    env.update(CIB_file=str(tmp_path / "cib.xml"), CIB_shadow_dir=str(tmp_path / "shadows"),
               HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.setdefault("XDG_CACHE_HOME", os.environ.get("XDG_CACHE_HOME") or
                   str(Path.home() / ".cache"))
    return Shell(tmp_path, env)
