"""Soak: a 3-node sandbox kept for a while with both cores busy, commits flowing and
monitors running, to show that a loaded machine does not make the cluster change membership
(issue 8: no membership change in 10 minutes). Not a CI test: it takes the whole machine.

    .venv/bin/python bench/soak.py --minutes 10

Counts corosync's "A new membership" lines on every node after formation, and asks every
daemon for its members each second; prints both and exits 1 on any change.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.cluster_bench import PATCH, Box, commit, configure, set_property  # noqa: E402


def spin(stop_at: float) -> None:
    """Keep one core busy until `stop_at` (time.time())."""
    x = 0
    while time.time() < stop_at:
        x = (x * 31 + 7) % 1_000_003


def memberships(box: Box) -> dict[str, int]:
    out = {}
    for node in box.names:
        log = box.dir / node / "corosync.log"
        out[node] = log.read_text(errors="replace").count("A new membership") if log.exists() \
            else -1
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--busy", type=int, default=2, help="spinning processes (default 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crmshell-soak-") as tmp:
        box = Box(Path(tmp) / "box", 3)
        try:
            configure(box)
            box.settle("node1", 3)
            before = memberships(box)
            stop_at = time.time() + args.minutes * 60
            spinners = [multiprocessing.Process(target=spin, args=(stop_at,))
                        for _ in range(args.busy)]
            for p in spinners:
                p.start()
            with box.client("node1") as c:
                commit(c, set_property("soak", "0"))
            seen_wrong, commits, i = [], 0, 0
            while time.time() < stop_at:
                i += 1
                for node in box.names:
                    members = box.hello(node).get("members")
                    if members is not None and len(members) != 3:
                        seen_wrong.append((round(time.time() - stop_at, 1), node, members))
                with box.client(f"node{1 + i % 3}") as c:
                    c.call("apply-patch", {"force": True},
                           PATCH.format(a=0, e=0, n=0, e1=1, v=i, name="soak").encode())
                    commits += 1
                time.sleep(1.0)
            for p in spinners:
                p.join()
            after = memberships(box)
        finally:
            box.down()
    changes = {n: after[n] - before[n] for n in before}
    print(f"soak: {args.minutes:g} min, {args.busy} busy processes, {commits} commits; "
          f"new memberships per node: {changes}; daemons seeing other than 3 members: "
          f"{len(seen_wrong)} times {seen_wrong[:5]}")
    return 0 if not any(changes.values()) and not seen_wrong else 1


if __name__ == "__main__":
    sys.exit(main())
