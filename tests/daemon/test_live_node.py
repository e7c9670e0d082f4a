"""One real node: corosync and crmshelld in a sandbox, driven through the crmshell command.

`crmshell sandbox up --nodes 1` starts them in the node's own namespaces; every test here
talks to the node only as an administrator would (crmshell one-shots and batches, and
`sandbox exec` to act behind the cluster's back), and the module's sandbox is taken down
whatever happens. Between tests the configuration is reset to a known base.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from daemon_node import wait_until
from lxml import etree

REPO = Path(__file__).resolve().parents[2]
CRMSHELL = [sys.executable, "-m", "crmshell"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("corosync") is None, reason="corosync is not installed"),
]

class Live:
    def __init__(self, box: Path) -> None:
        self.box = box
        self.socket = box / "node1" / "crmshelld.sock"
        self.env = {**os.environ, "CRMSHELL_SOCKET": str(self.socket), "PYTHONPATH": str(REPO)}
        self.env.pop("CIB_file", None)
        self.env.pop("CIB_shadow", None)

    def crm(self, *args: str, stdin: str | None = None, check: bool = True,
            timeout: float = 60) -> subprocess.CompletedProcess:
        proc = subprocess.run([*CRMSHELL, *args], input=stdin, capture_output=True, text=True,
                              env=self.env, timeout=timeout, cwd=REPO)
        if check and proc.returncode != 0:
            raise AssertionError(f"crmshell {' '.join(args)} failed ({proc.returncode}):\n"
                                 f"{proc.stdout}\n{proc.stderr}")
        return proc

    def batch(self, text: str, check: bool = True) -> subprocess.CompletedProcess:
        """A batch whose commit waits for the cluster to carry it out (-w)."""
        return self.crm("-w", stdin=text, check=check)

    def node_exec(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.crm("sandbox", "exec", "node1", "--dir", str(self.box), "--", *argv,
                        check=check)

    def status_xml(self) -> etree._Element:
        return etree.fromstring(self.crm("status", "--xml").stdout.encode())

    def role(self, rsc: str) -> tuple[str | None, bool]:
        """The resource's role in `status --xml` and whether it is active."""
        found = self.status_xml().find(f".//resource[@id='{rsc}']")
        if found is None:
            return None, False
        return found.get("role"), found.get("active") == "true"

    def until(self, what, timeout: float = 20.0, step: float = 0.1):
        return wait_until(what, timeout, step)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    box = tmp_path_factory.mktemp("sandbox") / "box"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        up = subprocess.run([*CRMSHELL, "sandbox", "up", "--nodes", "1", "--no-attach",
                             "--dir", str(box)], capture_output=True, text=True, env=env,
                            timeout=120, cwd=REPO)
        assert up.returncode == 0, f"sandbox up failed:\n{up.stdout}\n{up.stderr}"
        yield Live(box)
    finally:
        subprocess.run([*CRMSHELL, "sandbox", "down", "--dir", str(box)], capture_output=True,
                       env=env, timeout=120, cwd=REPO)


@pytest.fixture
def node(live):
    """A node with no resources or constraints, fencing off, everything settled."""
    from daemon.api.client import ApiClient

    with ApiClient(str(live.socket)) as client:
        for section in ("resources", "constraints"):
            client.call("replace", {"section": section}, f"<{section}/>".encode())
        client.call("resource", {"action": "refresh"})
        client.call("wait", {"timeout": 60})
    live.batch("configure\nproperty stonith-enabled=false no-quorum-policy=ignore\ncommit\n")
    live.crm("-w", "node", "online", "node1")
    return live


def test_the_node_is_its_own_dc_and_status_says_so(node):
    out = node.crm("status").stdout
    assert "Stack: corosync" in out
    assert re.search(r"Current DC: node1 \(.*\) - partition with quorum", out), out
    assert "Node List:" in out and "Online: [ node1 ]" in out


def test_active_passive_example_starts_and_shows_in_both_formats(node):
    node.batch("configure\n"
               "primitive ip ocf:heartbeat:IPaddr2 params ip=10.213.0.200 cidr_netmask=24 "
               "op monitor interval=2s\n"
               "primitive web ocf:crmshell:Dummy op monitor interval=1s\n"
               "colocation web-with-ip inf: web ip\n"
               "order ip-before-web Mandatory: ip web\n"
               "commit\n")
    node.crm("-w", "resource", "status")
    assert node.until(lambda: node.role("ip") == ("Started", True))
    assert node.role("web") == ("Started", True)
    out = node.crm("status").stdout
    assert re.search(r"ip\s+\(ocf:heartbeat:IPaddr2\):\s+Started node1", out), out
    addrs = node.node_exec("ip", "-o", "addr", "show").stdout
    assert "10.213.0.200/24" in addrs
    node.crm("-w", "resource", "stop", "ip")
    assert node.role("web")[1] is False
    addrs = node.node_exec("ip", "-o", "addr", "show").stdout
    assert "10.213.0.200" not in addrs


def test_a_monitor_notices_a_resource_gone_behind_its_back(node):
    node.batch("configure\nprimitive d1 ocf:crmshell:Dummy op monitor interval=1s\ncommit\n")
    node.crm("-w", "resource", "status", "d1")
    assert node.until(lambda: node.role("d1") == ("Started", True))
    node.node_exec("rm", "-f", "/run/resource-agents/Dummy-d1.state")
    failcount = node.until(lambda: "fail-count=1" in node.crm("status", "failcounts").stdout
                           and node.crm("status", "failcounts").stdout, timeout=15)
    assert "d1" in failcount
    assert node.until(lambda: node.role("d1") == ("Started", True))
    assert node.node_exec("test", "-f", "/run/resource-agents/Dummy-d1.state").returncode == 0
    failed = "d1 1000ms-interval monitor on node1 returned 'not running'"
    assert failed in node.crm("status").stdout     # the failed action is listed
    node.crm("-w", "resource", "cleanup", "d1")
    assert failed not in node.crm("status").stdout


def test_past_the_migration_threshold_the_resource_is_banned(node):
    node.batch("configure\nprimitive d2 ocf:crmshell:Dummy op monitor interval=1s "
               "meta migration-threshold=1\ncommit\n")
    node.crm("-w", "resource", "status")
    assert node.until(lambda: node.role("d2") == ("Started", True))
    node.node_exec("rm", "-f", "/run/resource-agents/Dummy-d2.state")
    assert node.until(lambda: node.role("d2")[1] is False, timeout=15)
    time.sleep(1.5)         # it stays stopped: nowhere else to go
    assert node.role("d2")[1] is False


def test_a_ban_with_a_lifetime_expires(node):
    node.batch("configure\nprimitive d3 ocf:crmshell:Dummy op monitor interval=5s\ncommit\n")
    node.crm("-w", "resource", "status")
    assert node.until(lambda: node.role("d3") == ("Started", True))
    out = node.crm("-w", "resource", "ban", "d3", "node1", "PT3S")
    assert "cli-ban-d3-on-node1" in out.stdout + out.stderr
    assert node.role("d3")[1] is False
    started = time.monotonic()
    assert node.until(lambda: node.role("d3") == ("Started", True), timeout=15)
    assert time.monotonic() - started < 10


def test_standby_stops_everything_and_online_brings_it_back(node):
    node.batch("configure\nprimitive a ocf:crmshell:Dummy\nprimitive b ocf:crmshell:Dummy\n"
               "commit\n")
    node.crm("-w", "resource", "status")
    node.crm("-w", "node", "standby", "node1")
    assert node.role("a")[1] is False and node.role("b")[1] is False
    assert "standby" in node.crm("status").stdout.lower()
    node.crm("-w", "node", "online", "node1")
    assert node.role("a") == ("Started", True)


HANGING_AGENT = """#!/bin/sh
# Starts by hanging for ever (until the executor kills its process group at the timeout).
case "$1" in
meta-data) cat <<END
<?xml version="1.0"?>
<resource-agent name="Hang" version="1.0"><version>1.1</version>
<shortdesc lang="en">hangs on start</shortdesc><longdesc lang="en">hangs on start</longdesc>
<parameters/><actions><action name="start" timeout="20s"/><action name="stop" timeout="20s"/>
<action name="monitor" timeout="20s" interval="10s"/><action name="meta-data" timeout="5s"/>
</actions></resource-agent>
END
  exit 0;;
start) sleep 600; exit 0;;
stop|validate-all) exit 0;;
monitor) exit 7;;
*) exit 3;;
esac
"""


@pytest.fixture
def hanging_agent():
    """ocf:crmshell-test:Hang in the system's OCF root, where daemon and shell look."""
    if os.geteuid() != 0:
        pytest.skip("writes an agent under /usr/lib/ocf")
    provider = Path("/usr/lib/ocf/resource.d/crmshell-test")
    provider.mkdir(parents=True, exist_ok=True)
    agent = provider / "Hang"
    agent.write_text(HANGING_AGENT)
    agent.chmod(0o755)
    try:
        yield "ocf:crmshell-test:Hang"
    finally:
        shutil.rmtree(provider, ignore_errors=True)


def test_a_hanging_agent_is_killed_at_its_timeout(node, hanging_agent):
    started = time.monotonic()
    node.batch(f"configure\nprimitive slow {hanging_agent} op start timeout=2s\ncommit\n",
               check=False)
    status = node.until(lambda: (out := node.crm("status").stdout) and "slow start on node1" in out
                        and out, timeout=30)
    assert re.search(r"slow start on node1 .*'Timed Out'|slow start on node1 .*timed out", status,
                     re.I), status
    assert time.monotonic() - started < 20
    procs = node.node_exec("pgrep", "-f", "sleep 600", check=False).stdout.split()
    assert procs == [], "the timed-out agent's process group is still there"


def test_a_commit_against_a_stale_base_is_refused(node):
    import pexpect

    env = {**node.env, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1", "NO_COLOR": "1"}
    shell = pexpect.spawn(CRMSHELL[0], CRMSHELL[1:], env=env, encoding="utf-8", timeout=20,
                          cwd=str(REPO), dimensions=(40, 200))
    prompt = "crmshell(live)configure#"     # prompt_toolkit moves the cursor past the space
    try:
        shell.expect_exact("crmshell(live)#")
        shell.sendline("configure")
        shell.expect_exact(prompt)
        shell.sendline("primitive late ocf:crmshell:Dummy")
        shell.expect_exact(prompt)
        node.batch("configure\nprimitive early ocf:crmshell:Dummy\ncommit\n")
        shell.sendline("commit")
        shell.expect_exact("changed in the meantime")
        shell.expect_exact(prompt)
    finally:
        shell.sendline("quit")
        shell.close(force=True)
    show = node.crm("configure", "show").stdout
    assert "primitive early" in show and "primitive late" not in show


def test_pacemakers_tools_read_the_daemons_cib_alike(node, tmp_path):
    from daemon.api.client import ApiClient

    node.batch("configure\nprimitive p1 ocf:crmshell:Dummy\nprimitive p2 ocf:crmshell:Dummy "
               "meta target-role=Stopped\ncommit\n")
    node.crm("-w", "resource", "status")
    with ApiClient(str(node.socket)) as client:
        cib = client.call("query").body
    path = tmp_path / "live.xml"
    path.write_bytes(cib)
    verify = subprocess.run(["crm_verify", "-x", str(path)], capture_output=True, text=True,
                            timeout=60)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    theirs = subprocess.run(["crm_mon", "-1", "--output-as=xml"], capture_output=True,
                            timeout=60, env={**os.environ, "CIB_file": str(path)})
    assert theirs.returncode == 0, theirs.stderr

    def states(doc: etree._Element) -> dict:
        nodes = {n.get("name"): (n.get("online"), n.get("standby")) for n in doc.iter("node")
                 if n.getparent().tag == "nodes"}
        rscs = {r.get("id"): (r.get("role"), r.get("active"),
                              tuple(n.get("name") for n in r.iter("node")))
                for r in doc.iter("resource")}
        return {"nodes": nodes, "resources": rscs}

    assert states(node.status_xml()) == states(etree.fromstring(theirs.stdout))
