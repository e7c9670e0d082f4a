"""Clone notifications: the pseudo-actions and notify operations the scheduler plans, the
notify_* meta-attributes the agents get, and both against Pacemaker's crm_simulate (2.1.5,
whose transition graph (`-G`) carries them as CRM_meta_notify_*)."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
import sched_conformance as conf
from daemon.scheduler import load_cib, schedule
from daemon.scheduler.actions import parse_op_key
from daemon.scheduler.cib_xml import parse_cib_text
from crmshell.simulate_cli import parse_args
from crmshell.simulate_report import report_lines
from sched_cib import cib, clone, dummy, lrm_resource, node_state, op, running, stateful
from tests.shared_paths import required

XML = conf.CONFORMANCE / "xml"
SUMMARY = conf.CONFORMANCE / "summary"
NOW = 1_767_225_600
no_crm_simulate = pytest.mark.skipif(shutil.which("crm_simulate") is None,
                                     reason="Pacemaker's crm_simulate is not installed")


def _graph(transition) -> dict[str, object]:
    """Graph actions by 'key@node' (a pseudo-action has no node in the graph)."""
    return {f"{a.key}@{None if a.pseudo else a.node}": a for a in transition.actions
            if a.in_graph}


def _notify_meta(action) -> dict[str, str]:
    return {k: v for k, v in action.meta.items() if k.startswith("notify_")}


def _steps(lines: list[str]) -> list[str]:
    start = lines.index("Executing Cluster Transition:")
    end = lines.index("Revised Cluster Status:")
    return [" ".join(x.split()).removeprefix("* ") for x in lines[start + 1:end]
            if x.strip() and not x.startswith("Using the original")]


def _our_steps(text: str) -> list[str]:
    return _steps(report_lines(parse_cib_text(text), parse_args(["-x", "-", "-S"]), NOW))


# ---- what is planned -------------------------------------------------------------------------

def test_notification_keys_keep_their_kind():
    assert parse_op_key("ms_pre_notify_start_0") == ("ms", "pre_notify_start", 0)
    assert parse_op_key("my_ms_confirmed-post_notify_running_0") == \
        ("my_ms", "confirmed-post_notify_running", 0)
    assert parse_op_key("rsc:1_post_notify_stonith_0") == ("rsc:1", "post_notify_stonith", 0)
    assert parse_op_key("post_notify_start_0") == ("post_notify", "start", 0)
    assert parse_op_key("rsc_migrate_to_0") == ("rsc", "migrate_to", 0)


def test_a_promotion_is_announced_before_and_after_to_every_instance():
    transition = schedule(load_cib(str(XML / "promoted-notify.xml")), NOW)
    graph = _graph(transition)
    for kind in ("pre_notify_promote", "confirmed-pre_notify_promote",
                 "post_notify_promoted", "confirmed-post_notify_promoted"):
        assert graph[f"fake-master_{kind}_0@None"].pseudo
    nodes = ["rhel7-auto1", "rhel7-auto3", "rhel7-auto2"]
    for i, node in enumerate(nodes):
        for kind in ("pre", "post"):
            notify = graph[f"fake:{i}_{kind}_notify_promote_0@{node}"]
            meta = _notify_meta(notify)
            assert meta["notify_type"] == kind and meta["notify_operation"] == "promote"
            assert meta["notify_promote_resource"] == "fake:0"
            assert meta["notify_promote_uname"] == "rhel7-auto1"
            assert meta["notify_unpromoted_resource"] == "fake:0 fake:1 fake:2"
            assert meta["notify_unpromoted_uname"] == " ".join(nodes)
            assert meta["notify_slave_resource"] == meta["notify_unpromoted_resource"]
            assert meta["notify_promoted_resource"] == " "     # nobody is promoted yet
            assert meta["notify_available_uname"] == "rhel7-auto1 rhel7-auto2 rhel7-auto3"
            assert notify.meta["timeout"] == "20000"
    # the promotion itself carries the same lists
    promote = graph["fake:0_promote_0@rhel7-auto1"]
    assert _notify_meta(promote)["notify_promote_resource"] == "fake:0"


def _three_node_clone(clone_meta: dict[str, str], extra: str = "", constraints: str = ""
                      ) -> str:
    status = (node_state("node1", running("rsc", "node1"))
              + node_state("node2", running("rsc", "node2", 20)) + node_state("node3"))
    text = cib(nodes=["node1", "node2", "node3"], status=status, constraints=constraints,
               resources=clone("rsc-clone", dummy("rsc"), clone_meta) + extra)
    return text.replace("<cib ", f'<cib execution-date="{NOW}" ', 1)


def test_a_start_is_announced_to_the_running_instances_and_then_to_all():
    text = _three_node_clone({"notify": "true"})
    transition = schedule(parse_cib_text(text), NOW)
    graph = _graph(transition)
    pre = sorted(k for k in graph if "_pre_notify_start_0@node" in k)
    post = sorted(k for k in graph if "_post_notify_start_0@node" in k)
    assert pre == ["rsc:0_pre_notify_start_0@node1", "rsc:1_pre_notify_start_0@node2"]
    assert post == ["rsc:0_post_notify_start_0@node1", "rsc:1_post_notify_start_0@node2",
                    "rsc:2_post_notify_start_0@node3"]
    meta = _notify_meta(graph["rsc:0_pre_notify_start_0@node1"])
    assert meta["notify_start_resource"] == "rsc:2"
    assert meta["notify_start_uname"] == "node3"
    assert meta["notify_active_resource"] == "rsc:0 rsc:1"
    assert meta["notify_active_uname"] == "node1 node2"
    assert meta["notify_inactive_resource"] == "rsc:2"
    assert meta["notify_stop_resource"] == " " and meta["notify_stop_uname"] == " "
    assert meta["notify_all_uname"] == "node1 node2 node3"
    assert _notify_meta(graph["rsc:2_start_0@node3"]) == {
        k: v for k, v in meta.items()
        if k not in ("notify_type", "notify_operation", "notify_key_type",
                     "notify_key_operation")}
    steps = _our_steps(text)
    assert steps.index("Pseudo action: rsc-clone_confirmed-pre_notify_start_0") \
        < steps.index("Resource action: rsc start on node3") \
        < steps.index("Pseudo action: rsc-clone_post_notify_running_0") \
        < steps.index("Resource action: rsc monitor=10000 on node3")
    assert Counter(steps)["Resource action: rsc notify on node1"] == 2


def test_running_notifying_clones_have_nothing_to_do():
    nodes = [f"node{i + 1}" for i in range(16)]
    resources = "".join(clone(f"c{i}", dummy(f"r{i}"), {"notify": "true"}) for i in range(30))
    status = "".join(node_state(n, "".join(running(f"r{i}", n) for i in range(30)))
                     for n in nodes)
    transition = schedule(parse_cib_text(cib(nodes=nodes, resources=resources,
                                             status=status)), NOW)
    assert transition.summary_lines == []
    assert [a.key for a in transition.actions if a.in_graph] == []


def test_a_clone_without_notify_gets_no_notifications():
    transition = schedule(parse_cib_text(_three_node_clone({})), NOW)
    assert not [a for a in transition.actions if "notif" in a.task or "notify" in a.key]
    start = _graph(transition)["rsc:2_start_0@node3"]
    assert not _notify_meta(start)


def test_what_follows_a_notifying_clone_waits_for_its_notifications():
    text = _three_node_clone({"notify": "true"}, dummy("web"),
                             '<rsc_order id="o" first="rsc-clone" then="web"/>')
    transition = schedule(parse_cib_text(text), NOW)
    by_id = {a.id: a for a in transition.actions}
    web_start = next(a for a in transition.actions if a.key == "web_start_0")
    inputs = {by_id[o.first].key for o in transition.orderings if o.then == web_start.id}
    assert "rsc-clone_confirmed-post_notify_running_0" in inputs
    steps = _our_steps(text)
    assert steps.index("Pseudo action: rsc-clone_confirmed-post_notify_running_0") \
        < steps.index("Resource action: web start on node1")


def _fenced_instance_cib() -> str:
    fencer = '<primitive id="fencer" class="stonith" type="fence_dummy"/>'
    status = (node_state("node1", running("rsc", "node1")
                         + lrm_resource("fencer", [op("fencer", "node1", "start", 5)]))
              + node_state("node2", running("rsc", "node2"))
              + node_state("node3", running("rsc", "node3"), lost=True))
    text = cib(nodes=["node1", "node2", "node3"], status=status,
               props={"stonith-enabled": "true"},
               resources=fencer + clone("rsc-clone", dummy("rsc"), {"notify": "true"}))
    return text.replace("<cib ", f'<cib execution-date="{NOW}" ', 1)


def test_the_others_hear_of_a_fenced_instance_after_the_fencing():
    text = _fenced_instance_cib()
    steps = _our_steps(text)
    fence = steps.index("Fencing node3 (reboot)")
    assert steps.index("Pseudo action: rsc_post_notify_stop_0") > fence
    assert steps.index("Pseudo action: rsc_notified_0") > fence
    graph = _graph(schedule(parse_cib_text(text), NOW))
    after_fencing = [a for a in graph.values() if a.task == "notify" and not a.pseudo
                     and a.key.endswith("_post_notify_stop_0")]
    assert sorted(a.node for a in after_fencing) == ["node1", "node2"]
    for action in after_fencing:
        assert action.meta["notify_stop_resource"] == "rsc:2"
        assert action.meta["notify_stop_uname"] == "node3"
    assert not [a for a in graph.values() if a.node == "node3" and a.task == "notify"]


# ---- against crm_simulate ----------------------------------------------------------------------

def _crm_simulate(path: Path) -> tuple[list[str], dict[str, dict[str, str]]] | None:
    """crm_simulate's executed steps and the notify_* meta of each graph action, or None
    when its transition is invalid."""
    graph = path.with_suffix(".graph.xml")
    proc = subprocess.run(["crm_simulate", "-x", str(path), "-S", "-G", str(graph)],
                          capture_output=True, text=True, timeout=120, check=False)
    if "invalid transition" in proc.stderr:
        return None
    assert proc.returncode == 0, proc.stderr
    meta = {}
    for synapse in ET.parse(graph).getroot().iter("synapse"):
        for action in synapse.find("action_set"):
            key = action.get("internal_operation_key") or action.get("operation_key")
            attrs = action.find("attributes")
            values = {k[len("CRM_meta_"):]: v for k, v in
                      (attrs.attrib.items() if attrs is not None else ())
                      if k.startswith("CRM_meta_notify_")}
            meta[f"{key}@{action.get('on_node')}"] = values
    return _steps(proc.stdout.splitlines()), meta


def _compare_meta(ours: dict[str, object], theirs: dict[str, dict[str, str]]) -> list[str]:
    """Differences in the notify_* meta of the agent actions either side gives some.

    Pseudo-actions reach no agent; their meta differs from 2.1.5's where 2.1.5 kept the
    first of several values (when two stops are implied by fencing) and 3.x the last."""
    problems = []
    for key in sorted(set(ours) | set(theirs)):
        if key.endswith("@None"):
            continue
        mine = _notify_meta(ours[key]) if key in ours else {}
        other = theirs.get(key, {})
        if (mine or other) and mine != other:
            problems.append(f"{key}: {sorted(set(mine.items()) ^ set(other.items()))}")
    return problems


def _as_pacemaker_21(text: str) -> str:
    for new, old in (("fencing-enabled", "stonith-enabled"), ("fencing-action", "stonith-action"),
                     ("fencing-timeout", "stonith-timeout")):
        text = text.replace(f'name="{new}"', f'name="{old}"')
    return text


NOTIFY_CASES = sorted(p.stem for p in required(SUMMARY).glob("*.summary")
                      if "_notify_" in p.read_text())


@pytest.mark.needs_pacemaker
@no_crm_simulate
@pytest.mark.parametrize("name", NOTIFY_CASES)
def test_notify_meta_of_conformance_cases_matches_crm_simulate(tmp_path, name):
    path = tmp_path / f"{name}.xml"
    path.write_text(_as_pacemaker_21((XML / f"{name}.xml").read_text()))
    theirs = _crm_simulate(path)
    expected = _steps((SUMMARY / f"{name}.summary").read_text().splitlines())
    if theirs is None or Counter(theirs[0]) != Counter(expected):
        pytest.skip("crm_simulate 2.1.5 plans this case differently from Pacemaker 3")
    transition = schedule(load_cib(str(XML / f"{name}.xml")), conf.CASE_NOW)
    assert _compare_meta(_graph(transition), theirs[1]) == []


@pytest.mark.needs_pacemaker
@no_crm_simulate
def test_the_fenced_instance_case_matches_crm_simulate(tmp_path):
    text = _fenced_instance_cib()
    path = tmp_path / "cib.xml"
    path.write_text(text)
    steps, meta = _crm_simulate(path)
    assert _our_steps(text) == steps
    assert _compare_meta(_graph(schedule(parse_cib_text(text), NOW)), meta) == []


# ---- random notifying clones -------------------------------------------------------------------

def notifying_cluster(rng: random.Random) -> str:
    """A small cluster with a notifying clone (maybe promotable, unique, or of a group) in
    some random state:
    instances stopped, started, promoted or failed, nodes in standby, down or lost (to be
    fenced), a dependent primitive ordered after it, location preferences."""
    nodes = [f"node{i + 1}" for i in range(rng.randint(2, 4))]
    promotable = rng.random() < 0.5
    grouped = not promotable and rng.random() < 0.3
    meta = {"notify": "true"}
    if promotable:
        meta["promotable"] = "true"
    if rng.random() < 0.2:
        meta["globally-unique"] = "true"
    if rng.random() < 0.25:
        meta["clone-max"] = str(rng.randint(1, len(nodes)))
    if rng.random() < 0.25:
        meta["interleave"] = "true"
    if rng.random() < 0.1:
        meta["target-role"] = "Stopped"
    child = stateful("rsc") if promotable else dummy("rsc")
    if grouped:
        child = f'<group id="grp">{child}{dummy("rsc2")}</group>'
    rtype = "Stateful" if promotable else "Dummy"
    resources = ('<primitive id="fencer" class="stonith" type="fence_dummy"/>'
                 + clone("rsc-clone", child, meta))
    constraints = []
    if rng.random() < 0.5:
        resources += dummy("web")
        promote = promotable and rng.random() < 0.5
        constraints.append('<rsc_order id="o1" first="rsc-clone" then="web"'
                           + (' first-action="promote"' if promote else "") + "/>")
        constraints.append('<rsc_colocation id="c1" rsc="web" with-rsc="rsc-clone" '
                           f'score="{rng.choice(["INFINITY", "100"])}"'
                           + (' with-rsc-role="Promoted"' if promote else "") + "/>")
    for i in range(rng.randint(0, 2)):
        constraints.append(f'<rsc_location id="l{i}" rsc="rsc-clone" node="{rng.choice(nodes)}" '
                           f'score="{rng.choice(["-INFINITY", "100", "INFINITY"])}"/>')
    lost = rng.choice([None] + nodes[1:])
    states = []
    call = 10
    for node in nodes:
        where = rng.choice(["unknown", "stopped", "started", "failed"]
                           + (["promoted"] if promotable else []))
        history = [lrm_resource("fencer", [op("fencer", node, "start", 5)])] \
            if node == nodes[0] else []
        attrs = {}
        if promotable and rng.random() < 0.5:
            attrs["master-rsc"] = rng.choice(["5", "10", "100"])
        if rng.random() < 0.1:
            attrs["standby"] = "on"
        if where == "stopped":
            history.append(lrm_resource("rsc", [op("rsc", node, "monitor", call, rc=7)], rtype))
        elif where != "unknown":
            ops = [op("rsc", node, "start", call)]
            if where == "promoted":
                ops += [op("rsc", node, "promote", call + 1),
                        op("rsc", node, "monitor", call + 2, rc=8, interval_ms=11000)]
            elif where == "failed":
                ops.append(op("rsc", node, "monitor", call + 2, rc=1, expected=0,
                              interval_ms=10000))
                attrs["fail-count-rsc#monitor_10000"] = "1"
                attrs["last-failure-rsc#monitor_10000"] = str(NOW - 60)
            else:
                ops.append(op("rsc", node, "monitor", call + 2, interval_ms=10000))
            history.append(lrm_resource("rsc", ops, rtype))
            if grouped and where == "started":
                history.append(running("rsc2", node, call + 100))
        call += 3
        up = node == nodes[0] or rng.random() < 0.85          # the DC is up
        states.append(node_state(node, "".join(history), attrs=attrs or None,
                                 lost=node == lost, up=up))
    # concurrent-fencing: 2.1.5 defaults to false, 3.x to true
    text = cib(nodes=nodes, resources=resources, constraints="".join(constraints),
               status="".join(states),
               props={"stonith-enabled": "true", "concurrent-fencing": "true"})
    return text.replace("<cib ", f'<cib execution-date="{NOW}" ', 1)


def _summary(lines: list[str]) -> list[str]:
    start = lines.index("Transition Summary:")
    block = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        block.append(conf.normalise(line))
    return sorted(block)


@pytest.mark.slow
@pytest.mark.needs_pacemaker
@no_crm_simulate
def test_notifying_clones_execute_as_crm_simulate_does(tmp_path):
    """Random clusters (fixed seeds; SCHED_NOTIFY_SEEDS=N for more): where crm_simulate
    2.1.5 decides the same Transition Summary (it places clone instances differently from
    3.x at times), the executed steps, in order, and the agents' notify_* meta match."""
    seeds = int(os.environ.get("SCHED_NOTIFY_SEEDS", "50"))
    compared = 0
    failures = []
    for seed in range(seeds):
        text = notifying_cluster(random.Random(seed))
        path = tmp_path / f"cib-{seed}.xml"
        path.write_text(text)
        proc_lines = subprocess.run(["crm_simulate", "-x", str(path), "-S"],
                                    capture_output=True, text=True, timeout=120,
                                    check=False).stdout.splitlines()
        ours_lines = report_lines(parse_cib_text(text), parse_args(["-x", "-", "-S"]), NOW)
        if "Transition Summary:" not in proc_lines \
                or _summary(proc_lines) != _summary(ours_lines):
            continue
        theirs = _crm_simulate(path)
        if theirs is None:
            continue
        compared += 1
        steps, meta = theirs
        problems = [] if _steps(ours_lines) == steps else [
            f"steps:\n  ours:   {_steps(ours_lines)}\n  theirs: {steps}"]
        # With stops implied by fencing, 2.1.5 keeps the first lists an action is given
        # (a fencing's) and 3.x the last (the whole transition's): compare the steps only.
        if not any("_notify_stonith_" in key for key in meta):
            problems += _compare_meta(_graph(schedule(parse_cib_text(text), NOW)), meta)
        if problems:
            failures.append(f"seed {seed}:\n" + "\n".join(problems[:5]))
    assert not failures, "\n".join(failures[:3])
    assert compared >= seeds * 0.7, f"only {compared} of {seeds} examples compared"
