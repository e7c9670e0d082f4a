"""Benchmarks of the shell against crmsh (issue targets), printing medians and ratios.

    .venv/bin/python bench/shell_bench.py [--runs N] [--big] [--huge FILE]

Measures, each as a separate process like a user would run it:
  * `crmshell --version`                               target <= 0.08 s (crmsh 0.45 s)
  * `configure show` on a 300-object CIB               target <= 0.15 s (crmsh 0.87 s)
  * a batch of 301 definitions plus commit             target <= 0.3 s  (crmsh 2.98 s)
  * --big: 10,000 primitives + 10,000 constraints      target <= 10 s, <= 1 GiB
  * --huge FILE: `configure show` and `verify` on a ~100 MB CIB   target <= 5 s each
crmsh's `crm` is run on the same inputs when it is installed, and the ratio printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EMPTY = ROOT.parent / "shared" / "conformance" / "crmsh" / "empty-cib.xml"
CRMSHELL = [str(ROOT / ".venv" / "bin" / "crmshell")]


def definitions(n_prims: int, n_cons: int) -> str:
    """A batch: primitives with params and a monitor, then location/colocation/order in turn."""
    lines = ["configure", "property stonith-enabled=false"]
    for i in range(n_prims):
        lines.append(f"primitive r{i} ocf:pacemaker:Dummy params state=/run/r{i}.state "
                     f"op monitor interval=10s timeout=20s")
    for j in range(n_cons):
        a, b = j % n_prims, (j + 1) % n_prims
        kind = j % 3
        if kind == 0:
            lines.append(f"location l{j} r{a} 100: node{j % 16 + 1}")
        elif kind == 1:
            lines.append(f"colocation c{j} inf: r{b} r{a}")
        else:
            lines.append(f"order o{j} Mandatory: r{a} r{b}")
    lines.append("commit")
    return "\n".join(lines) + "\n"


def timed(argv: list[str], env: dict, stdin=None) -> tuple[float, int, int]:
    """Wall time, exit status and peak RSS (KiB) of one run of argv (its own rusage)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdin=stdin, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(f"  ! {' '.join(argv[:3])} exited {proc.returncode}: {err[-300:]}\n")
    return elapsed, proc.returncode, usage.ru_maxrss


def median_time(argv, env, runs, prepare=None) -> float:
    times = []
    for _ in range(runs):
        if prepare:
            prepare()
        times.append(timed(argv, env)[0])
    return statistics.median(times)


def row(name: str, ours: float, target: float, theirs: float | None = None) -> str:
    verdict = "ok" if ours <= target else "OVER TARGET"
    line = f"{name:<44} {ours:7.3f} s  target {target:5.2f} s  {verdict:<11}"
    if theirs:
        line += f" crm {theirs:7.3f} s {theirs / ours:6.1f}x faster"
    return line


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--big", action="store_true", help="also run the 10,000 + 10,000 batch")
    ap.add_argument("--huge", type=Path, help="a ~100 MB CIB file for show and verify")
    args = ap.parse_args()
    crm = shutil.which("crm")
    work = Path(tempfile.mkdtemp(prefix="crmshell-bench-"))
    base_env = {k: v for k, v in os.environ.items() if k not in ("CIB_file", "CIB_shadow")}
    print(f"runs per figure: {args.runs} (median); work dir {work}")

    ours = median_time([*CRMSHELL, "--version"], base_env, args.runs)
    if not crm:
        print("crmsh's crm is not installed: no ratios (Debian package crmsh)")
    theirs = median_time([crm, "--version"], base_env, args.runs) if crm else None
    print(row("crmshell --version", ours, 0.08, theirs))

    batch = work / "batch301.crm"
    batch.write_text(definitions(150, 150))  # 301 definitions with the property
    cib = work / "cib.xml"
    env = dict(base_env, CIB_file=str(cib))

    def fresh():
        shutil.copy(EMPTY, cib)

    ours = median_time([*CRMSHELL, "-f", str(batch)], env, args.runs, fresh)
    theirs = median_time([crm, "-f", str(batch)], env, max(1, args.runs // 2), fresh) if crm else None
    print(row("batch of 301 definitions + commit", ours, 0.3, theirs))

    fresh()
    subprocess.run([*CRMSHELL, "-f", str(batch)], env=env, check=True)
    ours = median_time([*CRMSHELL, "configure", "show"], env, args.runs)
    theirs = median_time([crm, "configure", "show"], env, args.runs) if crm else None
    print(row("configure show, 300 objects", ours, 0.15, theirs))

    if args.big:
        big = work / "batch20k.crm"
        big.write_text(definitions(10_000, 10_000))
        fresh()
        elapsed, rc, peak = timed([*CRMSHELL, "-f", str(big)], env)
        print(row("batch of 10,000 + 10,000 + commit", elapsed, 10.0)
              + f" peak {peak / 1024:.0f} MiB (target 1024); crm not run (no anchor figure)")
    if args.huge:
        env = dict(base_env, CIB_file=str(args.huge))
        size = args.huge.stat().st_size / 1e6
        for cmd in (["configure", "show"], ["configure", "verify"]):
            elapsed, rc, peak = timed([*CRMSHELL, *cmd], env)
            theirs = ""
            if crm:
                t, crm_rc, _ = timed([crm, *cmd], env)
                theirs = f"  crm: {'fails' if crm_rc else 'ok'} (exit {crm_rc}, {t:.1f} s)"
            print(row(f"{' '.join(cmd)} on {size:.0f} MB CIB", elapsed, 5.0)
                  + f" peak {peak / 1024:.0f} MiB{theirs}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
