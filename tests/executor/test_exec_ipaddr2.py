"""ocf:heartbeat:IPaddr2 adds and removes a real address, in a throw-away network namespace.

The executor runs in a child process started with `unshare --net`: the namespace, its
interfaces and the address live only as long as that child. Needs root.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from exec_fixtures import SYSTEM_OCF

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)"),
    pytest.mark.skipif(not (SYSTEM_OCF / "heartbeat" / "IPaddr2").exists(),
                       reason="resource-agents is not installed"),
    pytest.mark.skipif(not shutil.which("unshare") or not shutil.which("ip"),
                       reason="needs unshare and ip"),
]

CHILD = r"""
import asyncio, json, subprocess, sys
from daemon.executor.executor import Executor
from daemon.executor.model import AgentSpec, OpRequest

def ip(*args):
    subprocess.run(["ip", *args], check=True, timeout=10)

def addresses():
    out = subprocess.run(["ip", "-o", "-4", "addr", "show", "dev", "veth0"], check=True,
                         capture_output=True, text=True, timeout=10).stdout
    return [line.split()[3] for line in out.splitlines()]

ip("link", "set", "lo", "up")
ip("link", "add", "veth0", "type", "veth", "peer", "name", "veth1")
ip("link", "set", "veth0", "up")
ip("link", "set", "veth1", "up")
ip("addr", "add", "192.168.77.1/24", "dev", "veth0")

async def main():
    spec = AgentSpec("ocf", "heartbeat", "IPaddr2")
    params = {"ip": "192.168.77.10", "cidr_netmask": "24", "nic": "veth0"}
    steps = []
    async with Executor(extra_env={"HA_RSCTMP": sys.argv[1]}) as ex:
        def op(action):
            return OpRequest("vip", spec, action, 0, 20000, params, {"timeout": "20000"})
        try:
            for action in ("monitor", "start", "monitor", "stop", "monitor"):
                result = await ex.execute(op(action))
                steps.append([action, result.rc, result.op_status, result.exit_reason,
                              addresses()])
        finally:
            await ex.execute(op("stop"))
    print(json.dumps(steps))

asyncio.run(main())
"""


def test_ipaddr2_in_a_network_namespace(tmp_path):
    rsctmp = tmp_path / "rsctmp"
    rsctmp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(["unshare", "--net", "--", sys.executable, "-c", CHILD, str(rsctmp)],
                          capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    steps = json.loads(proc.stdout.strip().splitlines()[-1])
    summary = [(action, rc, status, "192.168.77.10/24" in addrs)
               for action, rc, status, _, addrs in steps]
    assert summary == [("monitor", 7, 0, False), ("start", 0, 0, True),
                       ("monitor", 0, 0, True), ("stop", 0, 0, False),
                       ("monitor", 7, 0, False)]
    host = subprocess.run(["ip", "-o", "addr"], capture_output=True, text=True, timeout=10)
    assert "192.168.77.10" not in host.stdout          # it never reached the host
