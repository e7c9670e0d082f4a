"""Simulating a transition the way crm_simulate does: execute the graph, record results.

Pure functions over a scheduled working set: which actions enter the transition graph,
an execution order that respects the graph's edges, the "Executing Cluster Transition"
lines, and a copy of the CIB whose status section holds the simulated results (every
action succeeds with its expected result, unless `--op-fail` names it; fenced nodes go down
and lose their history). Unpacking that copy gives the "Revised Cluster Status".
"""

from __future__ import annotations

import copy

from daemon.records import record
from daemon.scheduler import model as m
from daemon.scheduler import status_xml
from daemon.scheduler.actions import op_key
from daemon.scheduler.digests import digest_of
from daemon.scheduler.model import Action
from daemon.scheduler.notify import notify_key
from daemon.scheduler.working_set import WorkingSet

# Ordering flags that never make an edge of the graph on their own.
_NO_EDGE = 0
# Simulated results: what a successful action reports (OCF codes).
_OCF_OK, _OCF_NOT_RUNNING = 0, 7


def in_graph(action: Action) -> bool:
    """Whether an action is part of the transition graph (would be executed)."""
    if not action.flags & m.RUNNABLE:
        return False
    if action.flags & m.OPTIONAL and not action.flags & m.ALWAYS_IN_GRAPH:
        return False
    if action.rsc is not None and not action.rsc.managed and action.task != "monitor" \
            and action.meta.get("interval", "0") == "0":
        return False        # an unmanaged resource is only monitored (and its monitors cancelled)
    if action.flags & m.PSEUDO or action.task in ("stonith", "do_shutdown"):
        return True
    node = action.node
    return node is not None and node.online and not node.unclean


def graph_actions(ws: WorkingSet) -> list[Action]:
    """Graph actions: resources' (in resource order, each tree depth-first), then the rest."""
    seen: set[int] = set()
    out: list[Action] = []

    def visit(rsc: m.Resource) -> None:
        # A resource's actions in reverse creation order (Pacemaker prepends them); a
        # clone lists its instances' actions first, a group its own first.
        if rsc.variant == m.CLONE:
            for child in rsc.children:
                visit(child)
        for action in reversed(rsc.actions):
            if action.id not in seen and in_graph(action):
                seen.add(action.id)
                out.append(action)
        if rsc.variant != m.CLONE:
            for child in rsc.children:
                visit(child)

    for rsc in ws.resources:
        visit(rsc)
    for action in reversed(ws.actions):
        if action.id not in seen and in_graph(action):
            seen.add(action.id)
            out.append(action)
    return out


def graph_inputs(action: Action, members: set[int]) -> list[Action]:
    out = []
    for rel in action.before:
        first = rel.action
        if rel.type == _NO_EDGE or first.id not in members:
            continue
        if rel.type & m.AR_IF_ON_SAME_NODE and first.node is not action.node:
            continue
        if first.flags & m.MIGRATABLE and (
                rel.type & m.AR_IF_FIRST_UNMIGRATABLE
                or (rel.type == m.AR_ORDERED and first.key.endswith("_stop_0"))):
            continue    # the ordering only holds when 'first' does not migrate
        out.append(first)
    return out


def execution_order(ws: WorkingSet) -> list[Action]:
    """Repeated passes over the graph, firing each action once all its inputs have fired
    (crm_simulate confirms every action at once, so later actions of a pass may use it)."""
    actions = graph_actions(ws)
    members = {a.id for a in actions}
    inputs = {a.id: graph_inputs(a, members) for a in actions}
    fired: set[int] = set()
    order: list[Action] = []
    pending = actions
    while pending:
        remaining = []
        for action in pending:
            if all(first.id in fired for first in inputs[action.id]):
                fired.add(action.id)
                order.append(action)
            else:
                remaining.append(action)
        if len(remaining) == len(pending):     # a loop in the graph: run the rest as is
            order.extend(remaining)
            break
        pending = remaining
    return order


def _task_text(action: Action) -> str:
    if action.task == "lrm_delete":
        return "delete"
    if action.task == "cancel":
        return f"cancel={action.meta.get('interval', action.interval_ms)}"
    if action.interval_ms:
        return f"{action.task}={action.interval_ms}"
    return action.task


def graph_key(action: Action) -> str:
    """The operation key the graph gives an action: a clone instance known in its history
    under another name (say 'rsc' for 'rsc:2') is addressed by that name."""
    rsc = action.rsc
    if rsc is None or not rsc.history_id:
        return action.key
    if action.task == "notify":
        return notify_key(rsc.history_id, action.meta.get("notify_type", ""),
                          action.meta.get("notify_operation", ""))
    return op_key(rsc.history_id, action.cancel_task or action.task, action.interval_ms)


def graph_resource_id(rsc: m.Resource) -> str:
    """The id the graph gives an action's resource: the configured id for an anonymous
    clone instance, the history name for a removed one."""
    if rsc.removed and rsc.history_id:
        return rsc.history_id
    if not rsc.unique:
        return rsc.xml_id
    return rsc.id


def step_line(action: Action, names: dict[int, str]) -> str:
    """One "Executing Cluster Transition" line, without the leading '  * '; `names` comes
    from executor_names()."""
    if action.task == "stonith" and action.flags & m.PSEUDO:
        # a guest's "fencing": its launcher's recovery, which the graph only marks
        return f"Pseudo action:   {action.key} on {action.node.name}"
    if action.task == "stonith":
        return f"Fencing {action.node.name} ({action.meta.get('stonith_action', 'reboot')})"
    if action.flags & m.PSEUDO:
        return f"Pseudo action:   {graph_key(action)}"
    if action.rsc is None or action.task in ("do_shutdown",):
        return f"Cluster action:  {action.task} on {action.node.name}"
    if action.task == "clear_failcount":
        return (f"Cluster action:  clear_failcount for {graph_resource_id(action.rsc)} "
                f"on {action.node.name}")
    return (f"Resource action: {names[id(action.rsc)]:<15} {_task_text(action)} "
            f"on {action.node.name}")


def executor_names(ws: WorkingSet) -> dict[int, str]:
    """The name each primitive's actions use (what crm_simulate prints and records).

    The graph names an anonymous clone instance by its configured id, and the executor
    falls back to the instance's other name when no resource goes by that one (as id or as
    the name in its history): the name its history was found under, if that differs, else
    the instance id."""
    known = set(ws.rsc_by_id)
    known.update(r.history_id for r in ws.rsc_by_id.values() if r.history_id)
    names = {}
    for rsc in ws.rsc_by_id.values():
        if rsc.removed and rsc.history_id:
            name = rsc.history_id
        elif not rsc.unique and rsc.top().variant == m.CLONE:
            if rsc.xml_id in known:
                name = rsc.xml_id
            elif rsc.history_id and rsc.history_id != rsc.xml_id:
                name = rsc.history_id
            else:
                name = rsc.id
        else:
            name = rsc.id
        names[id(rsc)] = name
    return names


# ---- recording results in a copy of the CIB ---------------------------------------------

class _StatusIndex:
    """node_state and lrm_resource elements of the copied status, found once each."""

    def __init__(self, status) -> None:
        self.status = status
        self.states: dict[str, object] = {}
        for state in status:
            if state.tag == "node_state":
                for key in (state.get("uname"), state.get("id")):
                    if key is not None:
                        self.states.setdefault(key, state)
        self.entries: dict[tuple[int, str], object] = {}

    def state(self, node: m.Node):
        found = self.states.get(node.name)
        if found is None:
            found = self.states.get(node.id)
        if found is None:
            from lxml import etree
            found = etree.SubElement(self.status, "node_state", id=node.id, uname=node.name)
            self.states[node.name] = found
        return found

    def lrm_resource(self, state, rsc: m.Resource, rid: str):
        from lxml import etree
        key = (id(state), rid)
        entry = self.entries.get(key)
        if entry is not None:
            return entry
        lrm = status_xml.child(state, "lrm", id=state.get("id") or "")
        resources = status_xml.child(lrm, "lrm_resources")
        if (id(state), None) not in self.entries:       # index this node's entries once
            self.entries[(id(state), None)] = resources
            for existing in resources:
                if existing.tag == "lrm_resource" and existing.get("id") is not None:
                    found = (id(state), existing.get("id"))
                    # a history kept twice is ambiguous: crm_simulate starts a new one
                    self.entries[found] = None if found in self.entries else existing
            entry = self.entries.get(key)
            if entry is not None:
                return entry
        entry = etree.SubElement(resources, "lrm_resource", id=rid)
        entry.set("class", rsc.standard or "")
        if rsc.provider:
            entry.set("provider", rsc.provider)
        entry.set("type", rsc.agent or "")
        self.entries[key] = entry
        return entry


def expected_result(action: Action) -> int:
    """The result the graph expects (op_target_rc), which the simulation reports."""
    target = action.meta.get("op_target_rc")
    if target is not None and target.isdigit():
        return int(target)
    if action.task == "monitor" and action.interval_ms == 0:
        return _OCF_NOT_RUNNING
    return _OCF_OK


def _record_op(ws: WorkingSet, index: _StatusIndex, state, action: Action, name: str,
               rc: int | None = None) -> None:
    entry = index.lrm_resource(state, action.rsc, name)
    target = expected_result(action)
    key = f"{action.id}:1:{target}:{status_xml.SIM_UUID}"
    params = {"CRM_meta_timeout": action.meta["timeout"]} if (
        action.interval_ms and "timeout" in action.meta) else {}
    status_xml.record_op(entry, task=action.task, interval_ms=action.interval_ms,
                         rc=target if rc is None else rc, target_rc=target, key=key,
                         call_id=status_xml.next_call_id(entry), when=ws.now,
                         node=action.node.name, digest=digest_of(params))


def _record_fencing(state) -> None:
    for name, value in (("in_ccm", "false"), ("crmd", "offline"), ("join", "down"),
                        ("expected", "down")):
        state.set(name, value)
    for tag in ("lrm", "transient_attributes"):
        for el in state.findall(tag):
            state.remove(el)


def _records_history(action: Action) -> bool:
    return action.rsc is not None and action.task not in ("cancel", "clear_failcount",
                                                          "notify", "lrm_delete")


@record
class Execution:
    """A simulated run of the graph: the actions executed (a failed one last: the
    transition stops there), the lines printed while executing, and the revised CIB."""

    executed: list[Action]
    lines: list[str]
    revised: object


def execute(ws: WorkingSet, op_fail=(), when: int = 0) -> Execution:
    """Execute the graph as crm_simulate does: every action succeeds with its expected
    result, except those `op_fail` names (inject.OpSpec), which fail with theirs and stop
    the transition (crm_simulate aborts it: nothing else is started). A failure brings
    its fail count, stamped `when` (crm_simulate reads the wall clock)."""
    from lxml import etree
    cib = copy.deepcopy(ws.cib)
    status = cib.find("status")
    if status is None:
        status = etree.SubElement(cib, "status")
    names = executor_names(ws)
    index = _StatusIndex(status)
    executed: list[Action] = []
    lines: list[str] = []
    for action in execution_order(ws):
        executed.append(action)
        lines.append(f"  * {step_line(action, names)}")
        if action.flags & m.PSEUDO or action.node is None:
            continue
        state = index.state(action.node)
        if action.task == "stonith":
            _record_fencing(state)
            continue
        if not _records_history(action):
            continue
        name = names[id(action.rsc)]
        spec = next((s for s in op_fail if s.matches((name, action.rsc.id), action.task,
                                                     action.interval_ms, action.node.name)),
                    None)
        _record_op(ws, index, state, action, name, None if spec is None else spec.rc)
        if spec is not None:
            lines.append(f"Pretending action {action.id} failed with rc={spec.rc}")
            lines += [f"  * {line}" for line in status_xml.inject_failcount(
                state, name, action.task, action.interval_ms, spec.rc, when)]
            break
    return Execution(executed, lines, cib)
