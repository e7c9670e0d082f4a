"""`crmshell simulate -x FILE -S` stays a light process: its time on a small cluster is the
start-up (bench/simulate_startup.py measures it against crm_simulate; issue 11's target is
0.08 s), so the modules only other paths need must stay unimported on it."""

from __future__ import annotations

import subprocess
import sys

from sched_cib import cib, dummy, node_state, running

# Each is a few milliseconds that a plain run does not need: dataclasses (its per-class
# code generation: the scheduler's records use daemon/records.py), the file-writing helpers
# (pathlib, tempfile: only -I/-O/-X), the graph builders (only -G/-D), OpenSSL's hashlib
# (the op digests use CPython's own md5), calendar (and locale) and random.
NOT_ON_THE_PATH = ("dataclasses", "pathlib", "tempfile", "shutil", "hashlib", "calendar",
                   "random", "daemon.cib.persist", "daemon.atomic_write",
                   "daemon.scheduler.graph", "daemon.scheduler.graph_files")

_CHILD = """
import io, sys, contextlib
from crmshell.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(["simulate", "-x", sys.argv[1], "-S", *sys.argv[2:]])
assert code == 0 and "Transition Summary:" in out.getvalue(), out.getvalue()
print(" ".join(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _imported(path, *extra: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", _CHILD.format(heavy=NOT_ON_THE_PATH),
                           str(path), *extra], capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def _cluster(tmp_path):
    path = tmp_path / "cib.xml"
    path.write_text(cib(nodes=["node1", "node2"], resources=dummy("a") + dummy("b"),
                        status=node_state("node1", running("a", "node1")) + node_state("node2")))
    return path


def test_a_plain_simulate_run_imports_only_what_it_needs(tmp_path):
    assert _imported(_cluster(tmp_path)) == []


def test_saving_still_loads_the_writers_it_needs(tmp_path):
    path = _cluster(tmp_path)
    imported = _imported(path, "-O", str(tmp_path / "out.xml"), "-G", str(tmp_path / "g.xml"))
    assert {"daemon.cib.persist", "daemon.scheduler.graph"} <= set(imported)
    assert (tmp_path / "out.xml").read_text().startswith("<cib")
    assert "<transition_graph" in (tmp_path / "g.xml").read_text()
