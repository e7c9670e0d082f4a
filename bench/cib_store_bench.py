"""How many small updates per second the CIB store applies on a CIB of N resources.

Each commit is made as the shell makes it (a v2 patchset against the current version) before
the clock starts, so only `CibStore.apply` is measured: one changed nvpair, or one added
primitive, or one status record. Prints the median rate of a few rounds.

    .venv/bin/python bench/cib_store_bench.py [--resources 1000] [--updates 300]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from daemon.cib.store import CibStore  # noqa: E402
from daemon.replication.updates import Update  # noqa: E402
from tests.cib_store.helpers import META, add_dummy, cib_with, commit, record, set_state  # noqa: E402


def prepared(root, count: int, kind: str) -> list[Update]:
    """`count` updates that apply one after the other, made on a scratch store."""
    scratch = CibStore(copy.deepcopy(root), check=False)
    updates = []
    for number in range(count):
        if kind == "status":
            update = Update("status", META, ops=(record("1", f"r{number % 1000}", f"op{number}"),))
        else:
            edit = set_state(f"r{number % 1000}", f"/v/{number}") if kind == "nvpair" \
                else add_dummy(f"new{number}")
            update = Update("patch", META, commit(scratch.root, edit))
        scratch.apply(update)
        updates.append(update)
    return updates


def rate(root, updates: list[Update]) -> float:
    store = CibStore(copy.deepcopy(root), check=False)
    start = time.perf_counter()
    for update in updates:
        store.apply(update)
    return len(updates) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = cib_with(args.resources)
    for kind in ("nvpair", "primitive", "status"):
        updates = prepared(root, args.updates, kind)
        rates = [rate(root, updates) for _ in range(args.rounds)]
        print(f"{kind:9} {args.resources} resources: {statistics.median(rates):7.0f} updates/s "
              f"(target >= 500)")


if __name__ == "__main__":
    main()
