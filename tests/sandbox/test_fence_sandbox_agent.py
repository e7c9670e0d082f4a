"""fence_sandbox as the fencer runs it: a process, key=value on stdin, exit codes."""

from __future__ import annotations

import subprocess
from pathlib import Path

from lxml import etree

AGENT = Path(__file__).resolve().parents[2] / "daemon" / "agents" / "fence" / "fence_sandbox"


def run_agent(stdin: str = "", *argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(AGENT), *argv], input=stdin, capture_output=True, text=True,
                          timeout=30, env=env if env is not None else {"PATH": "/usr/bin:/bin"})


def test_metadata_is_fence_agent_xml() -> None:
    for done in (run_agent("action=metadata\n"), run_agent("", "-o", "metadata")):
        assert done.returncode == 0, done.stderr
        root = etree.fromstring(done.stdout.encode())
        assert root.tag == "resource-agent" and root.get("name") == "fence_sandbox"
        params = {p.get("name") for p in root.iter("parameter")}
        assert {"action", "plug", "port", "sandbox_dir", "nodename"} <= params
        actions = {a.get("name") for a in root.iter("action")}
        assert {"on", "off", "reboot", "status", "monitor", "list", "metadata"} <= actions


def test_bad_input_is_reported_in_words() -> None:
    cases = [("action=bogus\n", "action 'bogus' is not one of"),
             ("just words\n", "stdin: expected key=value"),
             ("action=list\nsandbox_dir=/nonexistent/sbx\n", "no sandbox is running in"),
             ("action=status\n", "no sandbox directory")]
    for stdin, said in cases:
        done = run_agent(stdin)
        assert done.returncode == 1
        assert said in done.stderr and "Traceback" not in done.stderr
