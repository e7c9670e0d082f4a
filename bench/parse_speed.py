"""How fast the configure language goes: parse, build and place big batches of definitions.

    .venv/bin/python bench/parse_speed.py [N]        (N resources, default 10000)

Prints the time to parse, build and place N primitives (with params and a monitor op) and
N constraints (location, colocation and order in turn) into an empty CIB, the peak memory,
and the cold-start time of a fresh interpreter parsing 301 definitions (the crmsh anchor for
"a batch of 301 definitions" is in shared/BENCHMARKS.md).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def definitions(count: int) -> list[str]:
    lines = [f"primitive p{i} ocf:pacemaker:Dummy params state=/run/p{i} "
             f"op monitor interval=10s timeout=20s" for i in range(count)]
    for i in range(count):
        kind = i % 3
        if kind == 0:
            lines.append(f"location loc{i} p{i} 100: node{i % 16 + 1}")
        elif kind == 1:
            lines.append(f"colocation col{i} inf: p{i} p{i - 1}")
        else:
            lines.append(f"order ord{i} Mandatory: p{i - 2} p{i}")
    return lines


def warm(count: int) -> None:
    from lxml import etree

    from crmshell.lang.parser import default_parser, parse_statement
    from crmshell.lang.place import define
    from daemon.cib.ids import IdAllocator

    default_parser()
    lines = definitions(count)
    started = time.perf_counter()
    stmts = [parse_statement(line, source="bench", line=n + 1) for n, line in enumerate(lines)]
    parsed = time.perf_counter()
    cib = etree.fromstring(b"<cib><configuration><crm_config/><nodes/><resources/>"
                           b"<constraints/></configuration><status/></cib>")
    ids = IdAllocator.from_tree(cib)
    for stmt in stmts:
        define(cib, stmt, ids)
    placed = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(lines)} definitions: parse {parsed - started:.2f} s, build+place "
          f"{placed - parsed:.2f} s, total {placed - started:.2f} s "
          f"({(placed - started) / len(lines) * 1e6:.0f} us each), peak RSS {peak:.0f} MiB")


COLD = """
import sys, time
sys.path.insert(0, {root!r})
from crmshell.lang.parser import parse_statement
for n, line in enumerate(sys.stdin.read().splitlines()):
    parse_statement(line, source="batch", line=n + 1)
"""


def cold() -> None:
    text = "\n".join(["property stonith-enabled=false"] + definitions(150)) + "\n"
    code = COLD.format(root=str(ROOT))
    runs = []
    for _ in range(7):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], input=text.encode(), check=True,
                       timeout=60)
        runs.append(time.perf_counter() - started)
    runs.sort()
    baseline = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, timeout=60)
        baseline.append(time.perf_counter() - started)
    baseline.sort()
    print(f"cold process parsing {text.count(chr(10))} definitions: median {runs[3]:.3f} s "
          f"(interpreter alone {baseline[2]:.3f} s; crmsh: 301 definitions + commit 2.98 s)")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "0")
    warm(count)
    cold()
