"""The transition graph handed to the controller: members, inputs, parameters, keys."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lxml import etree

from daemon.scheduler.digests import all_params, digest_of, filter_for_digest, meta_name
from daemon.scheduler.engine import run_pipeline
from daemon.scheduler.graph import RSC_OP, build_graph, parse_transition_key
from daemon.scheduler.recheck import next_recheck
from daemon.scheduler.simulate import execution_order
from tests.shared_paths import SCHEDULER_CASES, required

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from sched_cib_gen import generate  # noqa: E402

NOW = 1_700_000_000


def _ws(text: str):
    return run_pipeline(etree.fromstring(text.encode()), NOW)


def test_graph_of_an_empty_cluster_probes_then_starts_with_the_right_params():
    ws = _ws(generate(2, 10, "empty"))
    graph = build_graph(ws, 7, "uuid-1")
    ops = [a for a in graph.actions if a.kind == RSC_OP]
    assert {a.task for a in ops} == {"monitor", "start"}
    members = {a.id for a in graph.actions}
    for action in graph.actions:
        assert set(action.inputs) <= members
        action_id, transition, rc, uuid = parse_transition_key(action.transition_key)
        assert (action_id, transition, uuid) == (action.id, 7, "uuid-1")
        assert rc == action.expected_rc
    probes = [a for a in ops if a.task == "monitor" and a.interval_ms == 0]
    assert probes and all(a.expected_rc == 7 for a in probes)
    # What the executor will digest equals what the scheduler compares against.
    for action in ops:
        rsc = ws.rsc_by_id[action.rsc.long_id]
        node = ws.find_node(action.node)
        expected, _ = all_params(ws, rsc, node, action.task, action.interval_ms)
        given = dict(action.params)
        given.update({meta_name(k): v for k, v in action.meta.items()})
        assert digest_of(filter_for_digest(given)) == digest_of(expected), action.key


def test_running_cluster_has_an_empty_graph_and_no_recheck():
    ws = _ws(generate(3, 10, "running"))
    assert build_graph(ws, 1, "u").empty
    assert next_recheck(ws) is None


@pytest.mark.parametrize("case", ["1360", "clone-anon-dup", "order1", "group1"])
def test_graph_order_agrees_with_the_simulation(case):
    path = required(SCHEDULER_CASES / "xml" / f"{case}.xml")
    ws = run_pipeline(etree.parse(str(path)).getroot(), NOW)
    graph = build_graph(ws, 1, "u")
    assert {a.id for a in graph.actions} == {a.id for a in execution_order(ws)}


def test_recheck_finds_a_lifetime_and_a_failure_timeout():
    text = generate(2, 5, "running")
    cib = etree.fromstring(text.encode())
    constraints = cib.find("configuration/constraints")
    loc = etree.SubElement(constraints, "rsc_location", id="cli-ban", rsc="rsc1")
    rule = etree.SubElement(loc, "rule", id="cli-ban-rule", score="-INFINITY")
    etree.SubElement(rule, "expression", id="e1", attribute="#uname", operation="eq", value="node1")
    etree.SubElement(rule, "date_expression", id="d1", operation="lt", end="2023-11-14 23:00:00Z")
    ws = run_pipeline(cib, NOW)
    at = next_recheck(ws)
    assert at is not None and at > NOW
