"""Differential tests: random small clusters through our scheduler and Pacemaker's
`crm_simulate -x FILE -S` (2.1.5, with its option names), comparing Transition Summaries.

Each example is 2-4 nodes, a handful of Dummy primitives, location (plain and rule-based),
colocation and order constraints, stickiness, some running state, failures with fail counts,
standby or offline nodes and target roles. A failing example is written to
tests/scheduler/failed-differential-<n>.xml for replay (`crmshell simulate -x FILE -S`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daemon.scheduler import schedule
from daemon.scheduler.cib_xml import parse_cib_text
from sched_cib import cib, dummy, lrm_resource, node_state, op
from sched_conformance import normalise

NOW = 1_767_225_600
pytestmark = [
    pytest.mark.needs_pacemaker,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("crm_simulate") is None,
                       reason="Pacemaker's crm_simulate is not installed"),
]
SCORES = ["INFINITY", "-INFINITY", "100", "50", "10", "-10", "-100", "0"]
# No anti-colocations: Pacemaker 2.1.5 always ignores an anti-colocated dependent's
# negative preferences when placing the primary; 3.x (which we follow: the conformance case
# group-anticolocation needs it) keeps them when the dependent can run on one node only.
# The conformance cases cover anti-colocation.
COLOCATION_SCORES = ["INFINITY", "100", "50"]


@st.composite
def clusters(draw) -> str:
    n_nodes = draw(st.integers(2, 4))
    nodes = [f"node{i + 1}" for i in range(n_nodes)]
    rscs = [f"r{i + 1}" for i in range(draw(st.integers(1, 5)))]
    node_attrs = {n: {"rank": str(draw(st.integers(0, 3)))} for n in nodes}

    resources = []
    for r in rscs:
        meta = {}
        if draw(st.integers(0, 9)) == 0:
            meta["target-role"] = "Stopped"
        if draw(st.booleans()):
            meta["migration-threshold"] = str(draw(st.integers(1, 3)))
        if draw(st.integers(0, 4)) == 0:
            meta["resource-stickiness"] = draw(st.sampled_from(["0", "50", "200"]))
        resources.append(dummy(r, meta=meta or None))

    constraints = []
    for i in range(draw(st.integers(0, 4))):
        r, n = draw(st.sampled_from(rscs)), draw(st.sampled_from(nodes))
        score = draw(st.sampled_from(SCORES))
        if draw(st.booleans()):
            constraints.append(f'<rsc_location id="loc{i}" rsc="{r}" node="{n}" '
                               f'score="{score}"/>')
        else:
            op_name = draw(st.sampled_from(["gt", "lt", "eq"]))
            value = draw(st.integers(0, 3))
            constraints.append(
                f'<rsc_location id="loc{i}" rsc="{r}"><rule id="loc{i}-rule" score="{score}">'
                f'<expression id="loc{i}-e" attribute="rank" operation="{op_name}" '
                f'value="{value}" type="integer"/></rule></rsc_location>')
    if len(rscs) > 1:
        # One colocation per pair at most: contradicting duplicates are resolved differently
        # by Pacemaker versions, and real configurations do not have them.
        pairs: set[frozenset] = set()
        for i in range(draw(st.integers(0, 3))):
            a, b = draw(st.lists(st.sampled_from(rscs), min_size=2, max_size=2, unique=True))
            if frozenset((a, b)) in pairs:
                continue
            pairs.add(frozenset((a, b)))
            score = draw(st.sampled_from(COLOCATION_SCORES))
            constraints.append(f'<rsc_colocation id="col{i}" rsc="{a}" with-rsc="{b}" '
                               f'score="{score}"/>')
        ordered: set[frozenset] = set()      # one ordering per pair, for the same reason
        for i in range(draw(st.integers(0, 3))):
            a, b = draw(st.lists(st.sampled_from(rscs), min_size=2, max_size=2, unique=True))
            if frozenset((a, b)) in ordered:
                continue
            ordered.add(frozenset((a, b)))
            kind = draw(st.sampled_from(["Mandatory", "Optional", "Serialize"]))
            symmetrical = draw(st.sampled_from(["", ' symmetrical="false"']))
            constraints.append(f'<rsc_order id="ord{i}" first="{a}" then="{b}" kind="{kind}"'
                               f'{symmetrical}/>')

    states = []
    call = 10
    offline = draw(st.sampled_from([None] + nodes[1:]))
    for n in nodes:
        attrs = {}
        history = []
        if n != offline:
            for r in rscs:
                where = draw(st.sampled_from(["unknown", "stopped", "running", "failed"]))
                if where == "unknown":
                    continue
                if where == "stopped":
                    history.append(lrm_resource(r, [op(r, n, "monitor", call, rc=7)]))
                elif where == "running":
                    history.append(lrm_resource(r, [
                        op(r, n, "start", call), op(r, n, "monitor", call + 1,
                                                    interval_ms=10000)]))
                else:
                    history.append(lrm_resource(r, [
                        op(r, n, "start", call), op(r, n, "monitor", call + 1, rc=1,
                                                    interval_ms=10000, expected=0)]))
                    attrs[f"fail-count-{r}#monitor_10000"] = str(draw(st.integers(1, 3)))
                    attrs[f"last-failure-{r}#monitor_10000"] = str(NOW - 60)
                call += 2
            if draw(st.integers(0, 5)) == 0:
                attrs["standby"] = "on"
        states.append(node_state(n, "".join(history), up=n != offline, attrs=attrs or None))

    stickiness = draw(st.sampled_from([None, "0", "100"]))
    text = cib(nodes=nodes, resources="".join(resources), constraints="".join(constraints),
               status="".join(states), node_attrs=node_attrs,
               rsc_defaults={"resource-stickiness": stickiness} if stickiness else None)
    # A fixed "now" both schedulers use (crm_simulate honours execution-date).
    return text.replace("<cib ", f'<cib execution-date="{NOW}" ', 1)


def _block(output: str) -> list[str]:
    lines = output.splitlines()
    start = lines.index("Transition Summary:")
    block = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        block.append(normalise(line))
    return sorted(block)


def _theirs(path: Path) -> list[str] | None:
    """crm_simulate's summary, or None when its transition is invalid (an ordering loop:
    a configuration error whose outcome depends on each version's processing order)."""
    proc = subprocess.run(["crm_simulate", "-x", str(path), "-S"], capture_output=True,
                          text=True, timeout=120, check=False)
    if "invalid transition" in proc.stderr:
        return None
    assert proc.returncode == 0 and "Transition Summary:" in proc.stdout, proc.stderr
    return _block(proc.stdout)


# Derandomized by default: the same 200 examples every run, so the test is a regression
# test. Set SCHED_DIFF_RANDOM=1 (and SCHED_DIFF_EXAMPLES=N) to explore new examples: about
# 1 in 300 then differs, in corners where 2.1.5 and 3.x (which we follow) do not agree,
# e.g. scores of unassigned or offline colocation primaries.
@settings(max_examples=int(os.environ.get("SCHED_DIFF_EXAMPLES", "200")), deadline=None,
          derandomize=not os.environ.get("SCHED_DIFF_RANDOM"), database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(clusters())
def test_transition_summary_matches_crm_simulate(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("diff") / "cib.xml"
    path.write_text(text)
    ours = sorted(normalise(x) for x in schedule(parse_cib_text(text), NOW).summary_lines)
    theirs = _theirs(path)
    if theirs is not None and ours != theirs:
        keep = Path(__file__).with_name("failed-differential.xml")
        keep.write_text(text)
        pytest.fail(f"differs from crm_simulate (input kept in {keep}):\n"
                    f"  ours:   {ours}\n  theirs: {theirs}")
