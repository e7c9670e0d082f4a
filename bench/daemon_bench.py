"""The one-node daemon's figures (issue 7), on a real sandbox node.

    .venv/bin/python bench/daemon_bench.py [--rounds N] [--commits N] [--resources N]

Starts `crmshell sandbox up --nodes 1` (timed: to a DC), then measures, as medians:
- a commit of one primitive to Started: the API (patch, then wait for the transition) and
  the whole `crmshell configure primitive ...` process followed by `crmshell -w` waiting;
- small commits per second through the API (one nvpair changed per patch);
- `crmshell status` as a whole process on the live node;
- the daemon's resident memory idle and with N resources;
and prints crmsh's one-shot commit anchor (1.05 s) beside them. Everything it starts is
stopped with `sandbox down`, also when it fails.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from daemon.api.client import ApiClient  # noqa: E402
from daemon.cib.patchset import make_patchset  # noqa: E402

CRMSHELL = [sys.executable, "-m", "crmshell"]
CRMSH_ONE_SHOT_COMMIT_S = 1.05


def sh(*argv: str, env=None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*CRMSHELL, *argv], capture_output=True, text=True, timeout=timeout,
                          env=env, check=True)


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def daemon_pid(sock: Path) -> int:
    """The daemon's own process (the largest of those whose command line names the socket:
    the others are the namespace entry around it)."""
    out = subprocess.run(["pgrep", "-f", "--", f"(crmshelld|daemon.main) .*--socket {sock}"],
                         capture_output=True, text=True, timeout=10).stdout.split()
    return max((int(pid) for pid in out), key=rss_kib, default=0)


PATCH = ('<diff format="2"><version>'
         '<source admin_epoch="{a}" epoch="{e}" num_updates="{n}"/>'
         '<target admin_epoch="{a}" epoch="{e1}" num_updates="0"/></version>'
         '<change operation="modify" path="/cib/configuration/crm_config/'
         "cluster_property_set[@id='bench']/nvpair[@id='bench-{name}']\">"
         '<change-list><change-attr name="value" operation="set" value="{v}"/></change-list>'
         '<change-result><nvpair id="bench-{name}" name="{name}" value="{v}"/>'
         '</change-result></change></diff>')


def commit_stream(client: ApiClient, count: int) -> float:
    """Commits per second of one small change each, as a client that keeps its own copy
    sends them: patches built from the last version the daemon answered, no re-reading."""
    version = commit(client, set_property("bench-counter", "start"))
    started = time.perf_counter()
    for i in range(count):
        a, e, n = version
        body = PATCH.format(a=a, e=e, n=n, e1=e + 1, v=i, name="bench-counter").encode()
        version = client.call("apply-patch", body=body).result["version"]
    return count / (time.perf_counter() - started)


def concurrent_commits(sock: Path, clients: int, count: int) -> float:
    """Commits per second from several clients at once, each changing its own property
    (forced: their bases race by design), so the daemon's batching shows."""
    import threading

    first = ApiClient(str(sock))
    for c in range(clients):
        commit(first, set_property(f"bench-c{c}", "start"))

    def run(c: int) -> None:
        with ApiClient(str(sock)) as client:
            for i in range(count):
                body = PATCH.format(a=0, e=0, n=0, e1=1, v=i, name=f"bench-c{c}").encode()
                client.call("apply-patch", {"force": True}, body)
    threads = [threading.Thread(target=run, args=(c,)) for c in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return clients * count / (time.perf_counter() - started)


def commit(client: ApiClient, edit) -> list[int]:
    """Load, edit, and send the difference as a patch; the new version."""
    reply = client.call("query")
    old = etree.fromstring(reply.body)
    new = etree.fromstring(reply.body)
    edit(new)
    patch = make_patchset(old, new)
    return client.call("apply-patch", body=etree.tostring(patch)).result["version"]


def add_primitive(rid: str):
    def edit(cib):
        resources = cib.find("configuration/resources")
        prim = etree.SubElement(resources, "primitive", id=rid, type="Dummy",
                                provider="crmshell")
        prim.set("class", "ocf")
        ops = etree.SubElement(prim, "operations")
        etree.SubElement(ops, "op", id=f"{rid}-monitor-10s", name="monitor", interval="10s")
    return edit


def set_property(name: str, value: str):
    def edit(cib):
        props = cib.find("configuration/crm_config")
        cps = props.find("cluster_property_set[@id='bench']")
        if cps is None:
            cps = etree.SubElement(props, "cluster_property_set", id="bench")
        nv = cps.find(f"nvpair[@name='{name}']")
        if nv is None:
            nv = etree.SubElement(cps, "nvpair", id=f"bench-{name}", name=name)
        nv.set("value", value)
    return edit


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--commits", type=int, default=1000)
    ap.add_argument("--resources", type=int, default=1000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="crmshell-bench-"))
    box = work / "sandbox"
    try:
        started = time.perf_counter()
        sh("sandbox", "up", "--nodes", "1", "--no-attach", "--dir", str(box))
        up_s = time.perf_counter() - started
        sock = box / "node1" / "crmshelld.sock"
        env = {**dict(__import__("os").environ), "CRMSHELL_SOCKET": str(sock)}
        client = ApiClient(str(sock))
        commit(client, set_property("stonith-enabled", "false"))
        client.call("wait", {"timeout": 60})
        pid = daemon_pid(sock)
        idle_rss = rss_kib(pid) if pid else 0

        api_times, shell_times = [], []
        for i in range(args.rounds):
            t0 = time.perf_counter()
            commit(client, add_primitive(f"api{i}"))
            client.call("wait", {"timeout": 60})
            api_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            sh("-w", "configure", "primitive", f"sh{i}", "ocf:crmshell:Dummy", env=env)
            shell_times.append(time.perf_counter() - t0)
        status = client.call("status", {"format": "xml"}).body
        running = status.count(b'role="Started"')

        rate = commit_stream(client, args.commits)
        parallel_rate = concurrent_commits(sock, 4, args.commits // 4)
        t0 = time.perf_counter()
        for i in range(args.commits // 5):
            commit(client, set_property("bench-counter", f"re-read {i}"))
        reread_rate = (args.commits // 5) / (time.perf_counter() - t0)

        status_times = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            sh("status", env=env)
            status_times.append(time.perf_counter() - t0)

        def many(cib):
            for i in range(args.resources):
                add_primitive(f"m{i}")(cib)
        t0 = time.perf_counter()
        commit(client, many)
        big_commit_s = time.perf_counter() - t0
        client.call("wait", {"timeout": 900})
        big_started_s = time.perf_counter() - t0
        big_rss = rss_kib(pid) if pid else 0

        print(f"sandbox up --nodes 1 to a DC:        {up_s:.2f} s   (target <= 2 s)")
        print(f"commit of a primitive to Started, API: {median_ms(api_times)}"
              f"   (target <= 200 ms; {running} resources Started)")
        print(f"  the same as crmshell -w processes:   {median_ms(shell_times)}"
              f"   (crmsh's one-shot commit alone: {CRMSH_ONE_SHOT_COMMIT_S:.2f} s, ratio "
              f"{CRMSH_ONE_SHOT_COMMIT_S / statistics.median(shell_times):.1f}x)")
        print(f"small commits per second, API:         {rate:.0f}/s   (target >= 500/s)")
        print(f"  re-reading the CIB and diffing each:   {reread_rate:.0f}/s")
        print(f"  from 4 clients at once:                {parallel_rate:.0f}/s")
        print(f"crmshell status, whole process:        {median_ms(status_times)}"
              f"   (target <= 100 ms)")
        print(f"daemon RSS idle:                       {idle_rss / 1024:.1f} MiB")
        print(f"daemon RSS with {args.resources} more primitives:   {big_rss / 1024:.1f} MiB"
              f"   (commit {big_commit_s:.2f} s, all Started after {big_started_s:.1f} s)")
        return 0
    finally:
        subprocess.run([*CRMSHELL, "sandbox", "down", "--dir", str(box)], capture_output=True,
                       timeout=120)


if __name__ == "__main__":
    sys.exit(main())
