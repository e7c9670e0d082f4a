"""Three real nodes in a sandbox, driven through crmshell as an administrator would: the
helpers the cluster tests share (each test module runs a sandbox of its own)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree

REPO = Path(__file__).resolve().parents[2]
CRMSHELL = [sys.executable, "-m", "crmshell"]
NODES = ("node1", "node2", "node3")
# what every module of real sandbox clusters is marked with
MARKS = [pytest.mark.slow,
         pytest.mark.skipif(shutil.which("corosync") is None, reason="corosync is not installed")]


def until(what, timeout: float = 20.0, step: float = 0.1):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = what()
        except (AssertionError, subprocess.SubprocessError, etree.XMLSyntaxError) as err:
            last = err
        if last and not isinstance(last, Exception):
            return last
        time.sleep(step)
    raise AssertionError(f"not reached within {timeout} s; last: {last!r}")


class Cluster:
    def __init__(self, box: Path) -> None:
        self.box = box
        self.env = {**os.environ, "PYTHONPATH": str(REPO)}
        for name in ("CIB_file", "CIB_shadow", "CRMSHELL_SOCKET"):
            self.env.pop(name, None)

    def socket(self, node: str) -> str:
        return str(self.box / node / "crmshelld.sock")

    def crm(self, node: str, *args: str, stdin: str | None = None, check: bool = True,
            timeout: float = 60) -> subprocess.CompletedProcess:
        proc = subprocess.run([*CRMSHELL, "--socket", self.socket(node), *args], input=stdin,
                              capture_output=True, text=True, env=self.env, timeout=timeout,
                              cwd=REPO)
        if check and proc.returncode != 0:
            raise AssertionError(f"crmshell {' '.join(args)} on {node} failed "
                                 f"({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def sandbox(self, verb: str, *args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([*CRMSHELL, "sandbox", verb, "--dir", str(self.box), *args],
                              capture_output=True, text=True, env=self.env, timeout=120,
                              cwd=REPO)
        assert proc.returncode == 0, f"sandbox {verb} {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
        return proc

    def status(self, node: str) -> etree._Element:
        return etree.fromstring(self.crm(node, "status", "--xml").stdout.encode())

    def where(self, node: str, rsc: str) -> str | None:
        """The node `rsc` is active on, as `node` reports it."""
        found = self.status(node).find(f".//resource[@id='{rsc}']")
        if found is None or found.get("active") != "true":
            return None
        on = found.find("node")
        return None if on is None else on.get("name")

    def dc(self, node: str) -> str | None:
        current = self.status(node).find("summary/current_dc")
        return current.get("name") if current is not None and current.get("present") == "true" else None

    def online(self, node: str) -> set[str]:
        return {n.get("name") for n in self.status(node).iter("node")
                if n.get("online") == "true" and n.get("type") == "member"}

    def config(self, node: str) -> str:
        return self.crm(node, "configure", "show").stdout


@contextlib.contextmanager
def sandbox_cluster(box: Path, setup: str, nodes: int = 3, *up_options: str):
    """`sandbox up --nodes N` in `box`, `setup` (a batch, run with -w on node1), the Cluster;
    the sandbox is taken down whatever happens."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        up = subprocess.run([*CRMSHELL, "sandbox", "up", "--nodes", str(nodes), "--no-attach",
                             "--dir", str(box), *up_options], capture_output=True, text=True, env=env,
                            timeout=120, cwd=REPO)
        assert up.returncode == 0, f"sandbox up failed:\n{up.stdout}\n{up.stderr}"
        c = Cluster(box)
        c.crm("node1", "-w", stdin=setup)
        yield c
    finally:
        _keep_logs(box)
        subprocess.run([*CRMSHELL, "sandbox", "down", "--dir", str(box)], capture_output=True,
                       env=env, timeout=120, cwd=REPO)


def _keep_logs(box: Path) -> None:
    """Copy each node's logs beside the box before `down` removes it: a failure is read
    from them afterwards."""
    for log in box.glob("node*/*.log"):
        kept = box.parent / "logs" / log.parent.name / log.name
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_bytes(log.read_bytes())
