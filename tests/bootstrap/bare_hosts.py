"""Bare sandbox hosts (`crmshell sandbox up --bare`) for the bootstrap tests: plain hosts
node1..nodeN with sshd, an hacluster account with a password, and no cluster, on which
`crmshell cluster ...` runs for real, as root of that host."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CRMSHELL = [sys.executable, "-m", "crmshell"]
MARKS = [pytest.mark.slow,
         pytest.mark.skipif(shutil.which("corosync") is None, reason="corosync is not installed"),
         pytest.mark.skipif(shutil.which("sshd") is None and not Path("/usr/sbin/sshd").exists(),
                            reason="openssh-server is not installed"),
         pytest.mark.skipif(os.geteuid() != 0, reason="bare sandbox hosts need root")]


class BareHosts:
    def __init__(self, box: Path, count: int) -> None:
        self.box = box
        self.count = count
        self.password = "pw-" + secrets.token_urlsafe(12)
        self.env = {**os.environ, "PYTHONPATH": str(REPO)}
        for name in ("CIB_file", "CIB_shadow", "CRMSHELL_SOCKET", "CRMSHELL_SANDBOX_DIR"):
            self.env.pop(name, None)

    def up(self) -> float:
        start = time.monotonic()
        proc = subprocess.run([*CRMSHELL, "sandbox", "up", "--bare", "--dir", str(self.box),
                               "--nodes", str(self.count), "--password", self.password,
                               "--no-attach"], capture_output=True, text=True, env=self.env,
                              timeout=180, cwd=REPO, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, f"sandbox up --bare:\n{proc.stdout}\n{proc.stderr}"
        return time.monotonic() - start

    def down(self) -> None:
        subprocess.run([*CRMSHELL, "sandbox", "down", "--dir", str(self.box)],
                       capture_output=True, env=self.env, timeout=120, cwd=REPO)

    def sandbox(self, verb: str, *args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([*CRMSHELL, "sandbox", verb, "--dir", str(self.box), *args],
                              capture_output=True, text=True, env=self.env, timeout=120, cwd=REPO)
        assert proc.returncode == 0, f"sandbox {verb}:\n{proc.stdout}\n{proc.stderr}"
        return proc

    def run(self, node: str, *argv: str, stdin: str | None = None, timeout: float = 120,
            check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([*CRMSHELL, "sandbox", "exec", "--dir", str(self.box), node,
                               "--", *argv], input=stdin, capture_output=True, text=True,
                              env=self.env, timeout=timeout, cwd="/",
                              stdin=None if stdin is not None else subprocess.DEVNULL)
        if check and proc.returncode != 0:
            raise AssertionError(f"{node}: {' '.join(argv)} failed ({proc.returncode}):\n"
                                 f"{proc.stdout}\n{proc.stderr}")
        return proc

    def crm(self, node: str, *args: str, **kw) -> subprocess.CompletedProcess:
        return self.run(node, *CRMSHELL, *args, **kw)

    def where(self, node: str, rsc: str) -> str | None:
        from lxml import etree

        out = self.crm(node, "status", "--xml", check=False)
        if out.returncode != 0:
            return None
        found = etree.fromstring(out.stdout.encode()).find(f".//resource[@id='{rsc}']")
        if found is None or found.get("active") != "true":
            return None
        on = found.find("node")
        return None if on is None else on.get("name")

    def files_containing(self, needle: str) -> list[str]:
        """Every file of the sandbox (logs, state, the hosts' /var and /etc copies) that
        holds `needle`."""
        hits = []
        data = needle.encode()
        for path in self.box.rglob("*"):
            try:
                if path.is_file() and not path.is_symlink() and data in path.read_bytes():
                    hits.append(str(path))
            except OSError:
                continue
        return hits


def processes_containing(needle: str) -> list[str]:
    data = needle.encode()
    hits = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if data in (proc / "cmdline").read_bytes():
                    hits.append(proc.name)
            except OSError:
                continue
    return hits


def until(what, timeout: float = 30.0, step: float = 0.1):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = what()
        except (AssertionError, subprocess.SubprocessError) as err:
            last = err
        if last and not isinstance(last, Exception):
            return last
        time.sleep(step)
    raise AssertionError(f"not reached within {timeout} s; last: {last!r}")
