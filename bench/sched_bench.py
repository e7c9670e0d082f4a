"""Scheduler benchmark on the synthetic CIB shapes of BENCHMARKS.md.

    .venv/bin/python bench/sched_bench.py [--quick] [--repeat N] [--anchor-all] [--dir DIR]

For each input it runs our scheduler in a fresh process (parse the file, schedule) several
times and prints the median time of parsing plus scheduling, of the whole process (Python
start-up and imports included), and the peak memory (ru_maxrss); the ratio to
`crm_simulate -x FILE -R -Q` when that is installed (measured for inputs it finishes in
about a minute, otherwise the anchor figure of BENCHMARKS.md), and the targets. It checks
that a running cluster has nothing to do (ours, and crm_simulate's on 3x10 and 16x1000),
and fits the growth exponent of time from 1,000 to 10,000 resources.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sched_cib_gen import write_cib  # noqa: E402

# (nodes, resources, state, seconds target, MiB target, BENCHMARKS.md crm_simulate seconds)
CASES = [
    (3, 10, "empty", None, None, 0.05),
    (3, 10, "running", None, None, 0.05),
    (16, 1000, "empty", 0.5, None, 5.0),
    (16, 1000, "running", None, None, 2.1),
    (16, 1000, "one-node-down", None, None, 2.1),
    (32, 1000, "empty", 1.0, None, 31.0),
    (32, 2000, "empty", None, None, 300.0),
    (32, 5000, "empty", None, None, None),
    (32, 5000, "running", 10.0, 1024, 44.0),
    (32, 10000, "empty", 10.0, 1024, None),
]
QUICK = {(3, 10, "empty"), (3, 10, "running"), (16, 1000, "empty"), (16, 1000, "running"),
         (32, 1000, "empty")}
CRM_SIMULATE_BUDGET_S = 60.0
GROWTH_TARGET = 1.2

_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
from daemon.scheduler import load_cib, schedule
from daemon.scheduler.simulate import in_graph
start = time.perf_counter()
transition = schedule(load_cib(sys.argv[1]), 1767225600)
elapsed = time.perf_counter() - start
graph = sum(1 for a in transition.working_set.actions if in_graph(a))
print(json.dumps({"seconds": elapsed, "summary": len(transition.summary_lines),
                  "graph_actions": graph,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


@dataclass
class Result:
    label: str
    size_mb: float
    seconds: float
    process: float
    peak_mib: float
    summary: int
    graph_actions: int
    anchor: str
    ratio: str
    verdict: str


def run_ours(path: Path, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(ROOT)],
                              capture_output=True, text=True, timeout=600, check=False)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"scheduling {path} failed:\n{proc.stderr}")
        runs.append(dict(json.loads(proc.stdout), process=wall))
    return {"seconds": statistics.median(r["seconds"] for r in runs),
            "process": statistics.median(r["process"] for r in runs),
            "peak_mib": statistics.median(r["peak_mib"] for r in runs),
            "summary": runs[0]["summary"], "graph_actions": runs[0]["graph_actions"]}


def run_crm_simulate(path: Path, timeout: float, mode: str = "-R") -> tuple[float | None, str]:
    """(seconds, output) of `crm_simulate -x FILE MODE -Q` (None on timeout). -R is what
    BENCHMARKS.md timed; -S also executes the transition (slow for thousands of actions)."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(["crm_simulate", "-x", str(path), mode, "-Q"],
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, ""
    return time.perf_counter() - start, proc.stdout


def nothing_to_do(crm_output: str) -> bool:
    """crm_simulate printed an empty Transition Summary and executed nothing."""
    lines = [line.strip() for line in crm_output.splitlines()]
    interesting = [line for line in lines if line.startswith("*")]
    return not interesting


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the small inputs")
    parser.add_argument("--repeat", type=int, default=3, help="runs per input (median)")
    parser.add_argument("--anchor-all", action="store_true",
                        help="run crm_simulate on every input, however long it takes")
    parser.add_argument("--dir", help="keep the generated inputs here")
    args = parser.parse_args(argv)
    from tabulate import tabulate

    have_crm = shutil.which("crm_simulate") is not None
    workdir = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="sched-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    timings: dict[tuple[int, int, str], float] = {}
    failures: list[str] = []
    for nodes, rscs, state, max_s, max_mib, anchor_s in CASES:
        if args.quick and (nodes, rscs, state) not in QUICK:
            continue
        label = f"{nodes}x{rscs} {state}"
        path = workdir / f"{nodes}x{rscs}-{state}.xml"
        if not path.exists():
            with open(path, "w") as out:
                write_cib(out, nodes, rscs, state)
        repeat = args.repeat if rscs <= 5000 else max(1, min(args.repeat, 2))
        ours = run_ours(path, repeat)
        timings[(nodes, rscs, state)] = ours["seconds"]
        anchor, ratio = "-", "-"
        crm_seconds = None
        if have_crm and (args.anchor_all or (anchor_s or math.inf) <= CRM_SIMULATE_BUDGET_S):
            crm_seconds, crm_out = run_crm_simulate(path, 3 * CRM_SIMULATE_BUDGET_S
                                                    if not args.anchor_all else 3600)
            if crm_seconds is not None:
                anchor = f"{crm_seconds:.2f} s (measured)"
            if state == "running":
                _, crm_out = run_crm_simulate(path, 600, "-S")
                if not nothing_to_do(crm_out):
                    failures.append(f"{label}: crm_simulate has something to do")
        if crm_seconds is None and anchor_s is not None:
            anchor, crm_seconds = f"{anchor_s:g} s (BENCHMARKS.md)", anchor_s
        if crm_seconds:
            ratio = f"{crm_seconds / ours['seconds']:.1f}"
        verdict = []
        if max_s is not None:
            verdict.append(f"{'ok' if ours['seconds'] <= max_s else 'SLOW'} (<= {max_s:g} s)")
            if ours["seconds"] > max_s:
                failures.append(f"{label}: {ours['seconds']:.2f} s > {max_s:g} s")
        if max_mib is not None:
            verdict.append(f"{'ok' if ours['peak_mib'] <= max_mib else 'BIG'} "
                           f"(<= {max_mib} MiB)")
            if ours["peak_mib"] > max_mib:
                failures.append(f"{label}: {ours['peak_mib']:.0f} MiB > {max_mib} MiB")
        if state == "running" and (ours["summary"] or ours["graph_actions"]):
            failures.append(f"{label}: our scheduler has something to do")
            verdict.append("NOT IDLE")
        results.append(Result(label, path.stat().st_size / 1e6, ours["seconds"],
                              ours["process"], ours["peak_mib"], ours["summary"], ours["graph_actions"],
                              anchor, ratio, ", ".join(verdict)))
    print(tabulate([[r.label, f"{r.size_mb:.1f}", f"{r.seconds:.2f}", f"{r.process:.2f}",
                     f"{r.peak_mib:.0f}",
                     r.summary, r.graph_actions, r.anchor, r.ratio, r.verdict]
                    for r in results],
                   headers=["input", "MB", "median s", "process s", "peak MiB", "summary", "graph",
                            "crm_simulate -R", "crm/ours", "target"]))
    small, large = timings.get((32, 1000, "empty")), timings.get((32, 10000, "empty"))
    if small and large:
        exponent = math.log(large / small) / math.log(10)
        ok = exponent <= GROWTH_TARGET
        print(f"\ngrowth exponent 32x1000 -> 32x10000 (empty): {exponent:.2f} "
              f"({'ok' if ok else 'TOO STEEP'}, <= {GROWTH_TARGET})")
        if not ok:
            failures.append(f"growth exponent {exponent:.2f}")
    if not have_crm:
        print("\ncrm_simulate is not installed: ratios use the BENCHMARKS.md figures")
    print(f"\ninputs in {workdir}")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main(sys.argv[1:]))
