"""Whole-process time of `crmshell simulate -x FILE -S` on a small cluster, against crm_simulate.

    .venv/bin/python bench/simulate_startup.py [--runs N] [--state empty|running] [--imports]
                                               [--tree DIR]

On a small CIB the command's time is Python's start-up and the imports, not the scheduling,
so it is measured as the user sees it: a fresh process per run, started the way the installed
console script starts it (`import re, sys; from crmshell.cli import console`), with this
tree first on the path and its bytecode compiled (one warm-up run writes it; a tree run with
PYTHONDONTWRITEBYTECODE would otherwise compile every module every time). The input is
bench/sched_cib_gen.py's 3 nodes and 10 resources. Runs of ours and of
`crm_simulate -x FILE -S` (when installed) alternate, so a busy machine slows both alike;
the median and worst wall times and the median CPU time (user + system, which a loaded
machine disturbs less) are printed, with the ratio and the target (median <= 0.08 s).
`--imports` adds one `python -X importtime` run: how many modules load and the slowest ones.
`--tree DIR` times another checkout's crmshell (e.g. an export of main, for before/after).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sched_cib_gen import write_cib  # noqa: E402

TARGET_S = 0.08
# What pip's console-script wrapper for `crmshell` runs (the `import re` is its own).
WRAPPER = "import re, sys\nfrom crmshell.cli import console\nconsole()\n"


def child_env(tree: Path = ROOT) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    return env


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run; the output must be a transition. The
    working directory is the input's: `python -c` puts it first on the path, and it must
    not be a checkout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False,
                          cwd=Path(argv[-2]).parent)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0 or "Transition Summary:" not in proc.stdout:
        raise RuntimeError(f"{argv[0]} failed ({proc.returncode}):\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def import_profile(path: Path, env: dict[str, str], top: int = 12) -> list[str]:
    """One run under -X importtime: the module count, the total, the slowest by own time."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", WRAPPER, "simulate", "-x",
                           str(path), "-S"], env=env, capture_output=True, text=True,
                          timeout=60, check=False, cwd=path.parent)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line[len("import time:"):].split("|")
        rows.append((int(own), int(cumulative), name.rstrip()))
    total = sum(cum for _, cum, name in rows if not name.startswith("  "))
    out = [f"imports: {len(rows)} modules, {total / 1000:.1f} ms under -X importtime "
           f"(which inflates it); slowest by own time:"]
    out += [f"  {own / 1000:5.1f} ms {name.strip()}" for own, _, name in
            sorted(rows, reverse=True)[:top]]
    return out


def summary(label: str, runs: list[tuple[float, float]]) -> tuple[float, str]:
    walls = [w for w, _ in runs]
    median = statistics.median(walls)
    return median, (f"{label:<13} median {median:.3f} s  worst {max(walls):.3f} s  "
                    f"best {min(walls):.3f} s  cpu {statistics.median(c for _, c in runs):.3f} s")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of each program")
    parser.add_argument("--state", default="empty", choices=("empty", "running"),
                        help="the CIB's status: nothing started, or all running")
    parser.add_argument("--imports", action="store_true", help="show an import-time profile")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to time")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="simulate-startup-"))
    path = workdir / f"3x10-{args.state}.xml"
    with open(path, "w") as out:
        write_cib(out, 3, 10, args.state)
    ours_argv = [sys.executable, "-c", WRAPPER, "simulate", "-x", str(path), "-S"]
    crm = shutil.which("crm_simulate")
    crm_argv = [crm, "-x", str(path), "-S"] if crm else None
    env = child_env(args.tree.resolve())
    timed(ours_argv, env)                 # writes the bytecode
    if crm_argv:
        timed(crm_argv)
    ours, theirs = [], []
    for _ in range(args.runs):
        ours.append(timed(ours_argv, env))
        if crm_argv:
            theirs.append(timed(crm_argv))
    median, line = summary("crmshell", ours)
    print(f"crmshell simulate -x {path.name} -S ({args.tree.resolve()}), {args.runs} runs each")
    print(line)
    if theirs:
        crm_median, crm_line = summary("crm_simulate", theirs)
        print(crm_line)
        print(f"ours / crm_simulate (median): {median / crm_median:.2f}")
    else:
        print("crm_simulate is not installed: no ratio")
    verdict = "ok" if median <= TARGET_S else "SLOW"
    print(f"target: median <= {TARGET_S} s: {verdict}")
    if args.imports:
        print("\n".join(import_profile(path, env)))
    shutil.rmtree(workdir, ignore_errors=True)
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
