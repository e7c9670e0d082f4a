"""The transition graph as files, the way crm_simulate saves them: `--save-graph` writes
the graph XML the controller reads (`<transition_graph>` of synapses), `--save-dotfile`
the actions and their orderings for Graphviz.

Pure: a scheduled working set (and the graph built from it) in, text out.
"""

from __future__ import annotations

from daemon.scheduler import model as m
from daemon.scheduler.graph import CLUSTER, PSEUDO, Graph, GraphAction
from daemon.scheduler.simulate import graph_actions, graph_inputs, graph_key
from daemon.scheduler.working_set import WorkingSet

FEATURE_SET = "3.16.1"
_TAGS = {PSEUDO: "pseudo_event", CLUSTER: "crm_event"}


def _option(ws: WorkingSet, names: tuple[str, ...], default: str) -> str:
    for name in names:
        value = ws.options.raw.get(name)
        if value:
            return value
    return default


def graph_xml(ws: WorkingSet, graph: Graph, recheck_by: int | None = None) -> str:
    """The `<transition_graph>` document of a graph (crm_simulate -G)."""
    from lxml import etree
    top = etree.Element("transition_graph")
    top.set("cluster-delay", _option(ws, ("cluster-delay",), "60s"))
    top.set("stonith-timeout", _option(ws, ("fencing-timeout", "stonith-timeout"), "60s"))
    top.set("failed-stop-offset", "INFINITY")
    top.set("failed-start-offset", "INFINITY" if graph.start_failure_is_fatal else "1")
    top.set("batch-limit", str(graph.batch_limit))
    top.set("transition_id", str(graph.transition_id))
    limit = ws.options.raw.get("migration-limit")
    if limit and limit.lstrip("-").isdigit() and int(limit) >= 0:
        top.set("migration-limit", limit)
    if recheck_by is not None:
        top.set("recheck-by", str(recheck_by))
    by_id = graph.by_id()
    for number, action in enumerate(graph.actions):
        synapse = etree.SubElement(top, "synapse", id=str(number))
        action_set = etree.SubElement(synapse, "action_set")
        action_set.append(_action_element(action, full=True))
        inputs = etree.SubElement(synapse, "inputs")
        for first in action.inputs:
            trigger = etree.SubElement(inputs, "trigger")
            trigger.append(_action_element(by_id[first], full=False))
    return etree.tostring(top, pretty_print=True, encoding="unicode")


def _action_element(action: GraphAction, *, full: bool):
    from lxml import etree
    delete = action.task == "lrm_delete"    # an operation of the executor in Pacemaker's graph
    elem = etree.Element("rsc_op" if delete else _TAGS.get(action.kind, "rsc_op"))
    elem.set("id", str(action.id))
    elem.set("operation", "delete" if delete else action.task)
    elem.set("operation_key", f"{action.rsc.id}_delete_0" if delete and action.rsc
             else action.key)
    if action.node is not None and action.kind != PSEUDO:
        elem.set("on_node", action.node)
        elem.set("on_node_uuid", action.node_id or action.node)
    if not full:
        return elem
    if action.rsc is not None and action.kind != PSEUDO:
        rsc = etree.SubElement(elem, "primitive", id=action.rsc.id)
        if action.rsc.long_id != action.rsc.id:
            rsc.set("long-id", action.rsc.long_id)
        rsc.set("class", action.rsc.standard)
        if action.rsc.provider:
            rsc.set("provider", action.rsc.provider)
        rsc.set("type", action.rsc.type)
    values = {f"CRM_meta_{name.replace('-', '_')}": value
              for name, value in action.meta.items()
              if not name.startswith("__") and not (delete and name == "on-fail")}
    if action.node is not None and action.kind != PSEUDO:
        values["CRM_meta_on_node"] = action.node
        values["CRM_meta_on_node_uuid"] = action.node_id or action.node
    values.update(action.params)
    values["crm_feature_set"] = FEATURE_SET
    etree.SubElement(elem, "attributes", {name: values[name] for name in sorted(values)})
    if action.task == "stonith" and action.node_id:
        downed = etree.SubElement(elem, "downed")
        etree.SubElement(downed, "node", id=action.node_id)
    return elem


# ---- DOT ----------------------------------------------------------------------------------

def _dot_name(action: m.Action) -> str:
    """crm_simulate's name for an action in the DOT file: its key and node."""
    if action.node is not None:
        host = action.node.name
    elif not action.flags & m.PSEUDO:
        host = "<none>"
    else:
        host = None
    if action.task == "stonith":
        return f"stonith '{action.meta.get('stonith_action', 'reboot')}' {host}"
    prefix = "Cancel " if action.task == "cancel" else ""
    key = graph_key(action) if action.rsc is not None else action.key
    if action.task == "lrm_delete" and action.rsc is not None:
        key = f"{action.rsc.history_id or action.rsc.id}_delete_0"
    if action.rsc is not None and host is not None:
        return f"{prefix}{key} {host}"
    if host is not None:
        return f"{prefix}{action.task} {host}"
    return key


def graph_dot(ws: WorkingSet) -> str:
    """The DOT file of a transition (crm_simulate -D): the actions of the graph in green,
    required actions that cannot run in red; the orderings of the graph in bold, those
    between other actions shown dashed."""
    members = {a.id for a in graph_actions(ws)}
    lines = [' digraph "g" {']
    printed: set[int] = set()
    for action in reversed(ws.actions):
        font = "orange" if action.flags & m.PSEUDO else "black"
        if action.id in members:
            style, color = "bold", "green"
        elif (action.rsc is not None and not action.rsc.managed) \
                or action.flags & m.OPTIONAL or action.flags & m.RUNNABLE:
            continue
        else:
            style, color = "dashed", "red"
        printed.add(action.id)
        lines.append(f'"{_dot_name(action)}" [ style={style} color="{color}" '
                     f'fontcolor="{font}"]')
    for action in reversed(ws.actions):
        if action.id not in printed:
            continue
        in_graph = action.id in members
        bold = {a.id for a in graph_inputs(action, members)} if in_graph else set()
        before = sorted(action.before, key=lambda r: r.action.id) if in_graph \
            else list(reversed(action.before))
        seen: set[int] = set()
        for rel in before:
            first = rel.action
            if first.id in seen:
                continue
            seen.add(first.id)
            if first.id in bold:
                style = "bold"
            elif rel.type != m.AR_NONE and first.id in printed:
                style = "dashed"
            else:
                continue
            lines.append(f'"{_dot_name(first)}" -> "{_dot_name(action)}" [ style = {style}]')
    lines.append("}")
    return "\n".join(lines) + "\n"
