"""Bootstrap's figures (issue 9), on bare sandbox hosts (`sandbox up --bare`), each command
timed as a whole process run inside its host, as an administrator runs it:

    .venv/bin/python bench/bootstrap_bench.py [--rounds N]

- init:  `cluster init` on node1 to a formed one-node cluster with a DC (target 3 s);
- join:  `cluster join -c node1` from node2, to a two-node cluster (target 5 s);
- setup: `cluster setup NAME node1 node2 node3 --start --wait` of three authenticated nodes
         to a formed cluster with a DC (target 5 s; pcs with Pacemaker: setup, start --all and
         dc-deadtime, well over 20 s).
Each round destroys the cluster again (`cluster destroy -y` on every host). Needs root.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.bootstrap.bare_hosts import BareHosts  # noqa: E402

TARGETS = {"init": 3.0, "join": 5.0, "setup": 5.0}
PCS_SETUP_S = 20.0


def timed(hosts: BareHosts, node: str, *args: str, stdin: str | None = None) -> float:
    start = time.monotonic()
    hosts.crm(node, *args, stdin=stdin)
    return time.monotonic() - start


def destroy(hosts: BareHosts, nodes) -> None:
    for node in nodes:
        hosts.crm(node, "cluster", "destroy", "-y")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    figures: dict[str, list[float]] = {"init": [], "join": [], "setup": []}
    with tempfile.TemporaryDirectory(prefix="bootstrap-bench-") as tmp:
        hosts = BareHosts(Path(tmp) / "box", 3)
        try:
            print(f"sandbox up --bare --nodes 3: {hosts.up():.2f} s")
            for round_ in range(args.rounds):
                figures["init"].append(timed(hosts, "node1", "cluster", "init", "-n", "bench",
                                             "-y"))
                figures["join"].append(timed(hosts, "node2", "cluster", "join", "-c", "node1",
                                             "--accept-new-host-key"))
                destroy(hosts, ("node1", "node2"))
                if round_ == 0:
                    hosts.crm("node1", "cluster", "auth", "node1", "node2", "node3",
                              stdin=hosts.password + "\n")
                figures["setup"].append(timed(hosts, "node1", "cluster", "setup", "bench",
                                              "node1", "node2", "node3", "--start", "--wait"))
                destroy(hosts, ("node1", "node2", "node3"))
                print(f"round {round_ + 1}: " + ", ".join(
                    f"{name} {values[-1]:.2f} s" for name, values in figures.items()))
        finally:
            hosts.down()
    for name, values in figures.items():
        worst = max(values)
        print(f"{name:6} median {statistics.median(values):.2f} s, worst {worst:.2f} s "
              f"(target {TARGETS[name]:g} s: {'met' if worst <= TARGETS[name] else 'MISSED'})"
              + (f"; pcs+Pacemaker > {PCS_SETUP_S:g} s: {PCS_SETUP_S / worst:.1f}x faster"
                 if name == "setup" else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
