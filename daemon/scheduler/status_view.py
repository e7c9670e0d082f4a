"""The cluster status as crm_simulate prints it (crm_mon's text list format).

A pure rendering of an unpacked working set: the node list (who is online, standby,
unclean...) and every resource with its role and where it runs. Used for "Current cluster
status" and, after simulating a transition, "Revised Cluster Status".
"""

from __future__ import annotations

from daemon.scheduler import model as m
from daemon.scheduler.assign import current_node
from daemon.scheduler.failcounts import clone_strip
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.node_names import name_key
from daemon.scheduler.roles import Role, parse_role
from daemon.scheduler.working_set import WorkingSet

# Standards whose agents have a provider (ocf:provider:type).
_HAS_PROVIDER = ("ocf",)
# OCF exit codes a masked probe failure reports in the status line.
_PROBE_FAILURE_TEXT = {5: "Not installed", 6: "Not configured"}


def _item(depth: int, text: str) -> str:
    return "  " * depth + "* " + text


def cluster_status_lines(ws: WorkingSet) -> list[str]:
    """The block under "Current cluster status:" (without that header)."""
    lines = [_item(1, "Node List:")]
    lines += [_item(2, text) for text in node_list(ws)]
    lines += ["", _item(1, "Full List of Resources:")]
    for rsc in ws.resources:
        if rsc.removed and not _active(rsc):
            continue        # inactive orphans are not shown
        lines += _resource(ws, rsc, 2)
    return lines


# ---- nodes --------------------------------------------------------------------------------

def node_mode(node: Node) -> str | None:
    """The individual state shown for a node, or None when it goes in the Online/OFFLINE
    lists."""
    if node.unclean:
        if node.online:
            return "UNCLEAN (online)"
        return "UNCLEAN (pending)" if node.pending else "UNCLEAN (offline)"
    if node.pending:
        return "pending"
    if node.fail_standby and node.online:
        return "standby (on-fail)"
    if node.standby:
        if not node.online:
            return "OFFLINE (standby)"
        return "standby (with active resources)" if node.running else "standby"
    if node.maintenance:
        return "maintenance" if node.online else "OFFLINE (maintenance)"
    return None


def node_list(ws: WorkingSet) -> list[str]:
    online: list[str] = []
    offline: list[str] = []
    out: list[str] = []
    for node in sorted(ws.nodes, key=lambda n: name_key(n.name)):
        mode = node_mode(node)
        if mode is not None:
            out.append(f"Node {node.name}: {mode}")
        elif node.online:
            online.append(node.name)
        else:
            offline.append(node.name)
    if online:
        out.append(f"Online: [ {' '.join(online)} ]")
    if offline:
        out.append(f"OFFLINE: [ {' '.join(offline)} ]")
    return out


# ---- resources ----------------------------------------------------------------------------

def _active(rsc: Resource) -> bool:
    if rsc.variant == m.PRIMITIVE:
        return any(node.unclean or node.online or not rsc.managed for node in rsc.running_on)
    return any(_active(child) for child in rsc.children)


def _resource(ws: WorkingSet, rsc: Resource, depth: int) -> list[str]:
    if rsc.variant == m.PRIMITIVE:
        return [_item(depth, primitive_text(ws, rsc))]
    if rsc.variant == m.GROUP:
        return _group(ws, rsc, depth)
    return _clone(ws, rsc, depth)


def _target_role(rsc: Resource) -> str | None:
    return rsc.meta.get("target-role")


def is_disabled(rsc: Resource) -> bool:
    role = parse_role(_target_role(rsc)) if _target_role(rsc) else Role.UNKNOWN
    return role == Role.STOPPED or (role == Role.UNPROMOTED and rsc.top().promotable)


def _managed_flag(rsc: Resource) -> str | None:
    if rsc.maintenance:
        return "maintenance"
    if not rsc.managed:
        return "unmanaged"
    return None


def _displayable_role(rsc: Resource) -> Role:
    if rsc.role == Role.STARTED and rsc.top().promotable:
        return Role.UNPROMOTED
    return rsc.role


def _agent(rsc: Resource) -> str:
    standard = rsc.standard or "unknown"
    provider = f"{rsc.provider}:" if standard.lower() in _HAS_PROVIDER and rsc.provider else ""
    return f"{standard}:{provider}{rsc.agent or 'unknown'}"


def printable_id(rsc: Resource) -> str:
    """Anonymous clone instances show their configured id, everything else its own."""
    return rsc.id if rsc.unique else rsc.xml_id


def _failed_probe_text(ws: WorkingSet, rsc: Resource, node: Node | None) -> str | None:
    wanted = clone_strip(rsc.id) if rsc.top().variant == m.CLONE else rsc.id
    for node_name, _, entry in ws.failed_ops:
        if entry.task != "monitor" or entry.interval_ms != 0:
            continue
        text = _PROBE_FAILURE_TEXT.get(_recorded_rc(entry.xml))
        if text is None or (node is not None and node_name != node.name):
            continue
        if clone_strip(entry.rsc.id) == wanted or entry.rsc.id == wanted:
            return text
    return None


def _recorded_rc(xml_op) -> int:
    try:
        return int(xml_op.get("rc-code", "0"))
    except ValueError:
        return 0


def primitive_text(ws: WorkingSet, rsc: Resource, name: str | None = None) -> str:
    """One resource line: id, agent, state, node and flags, as crm_mon prints it."""
    node = current_node(rsc) or rsc.pending_node
    multiple = len(rsc.running_on) > 1
    if multiple:
        node = None
    words = []
    if rsc.removed:
        words.append("ORPHANED")
    role = _displayable_role(rsc)
    if rsc.failed:
        words.append("FAILED")
        if role > Role.UNPROMOTED:
            words.append(role.text)
    else:
        words.append(role.text)
    if node is not None:
        words.append(node.name)
    text = f"{name or printable_id(rsc)}\t({_agent(rsc)}):\t " + " ".join(words)
    if role == Role.STOPPED:
        probe = _failed_probe_text(ws, rsc, node)
        if probe is not None:
            text += f" ({probe}) "
    flags = []
    if node is not None and not node.online and node.unclean:
        flags.append("UNCLEAN")
    target = _target_role(rsc)
    if target is not None:
        wanted = parse_role(target)
        if wanted == Role.STOPPED:
            flags.append("disabled")
        elif wanted == Role.UNPROMOTED and rsc.top().promotable:
            flags.append(f"target-role:{target}")
    if rsc.blocked:
        flags.append("blocked")
    elif rsc.maintenance:
        flags.append("maintenance")
    elif not rsc.managed:
        flags.append("unmanaged")
    if rsc.failure_ignored:
        flags.append("failure ignored")
    if flags:
        text += f" ({', '.join(flags)})"
    if multiple:
        text += f" [ {' '.join(n.name for n in rsc.running_on)} ]"
    return text


def _group(ws: WorkingSet, rsc: Resource, depth: int) -> list[str]:
    attrs = []
    if is_disabled(rsc):
        attrs.append("disabled")
    flag = _managed_flag(rsc)
    if flag:
        attrs.append(flag)
    suffix = f" ({', '.join(attrs)})" if attrs else ""
    lines = [_item(depth, f"Resource Group: {rsc.id}{suffix}:")]
    for child in rsc.children:
        lines += _resource(ws, child, depth + 1)
    return lines


def _clone_header(rsc: Resource) -> str:
    attrs = []
    if rsc.promotable:
        attrs.append("promotable")
    if rsc.unique:
        attrs.append("unique")
    if is_disabled(rsc):
        attrs.append("disabled")
    flag = _managed_flag(rsc)
    if flag:
        attrs.append(flag)
    child = rsc.children[0].xml_id if rsc.children else ""
    suffix = f" ({', '.join(attrs)})" if attrs else ""
    return f"Clone Set: {rsc.id} [{child}]{suffix}:"


def _any_recursive(rsc: Resource, attr: str) -> bool:
    return getattr(rsc, attr) or any(_any_recursive(c, attr) for c in rsc.children)


def _all_managed(rsc: Resource) -> bool:
    return rsc.managed and all(_all_managed(c) for c in rsc.children)


def _fully_active(rsc: Resource) -> bool:
    if rsc.variant == m.PRIMITIVE:
        return _active(rsc)
    return all(_fully_active(child) for child in rsc.children)


def _single_location(rsc: Resource) -> Node | None:
    nodes: list[Node] = []
    for prim in rsc.primitives():
        for node in prim.running_on:
            if node not in nodes:
                nodes.append(node)
    return nodes[0] if len(nodes) == 1 else None


def _clone(ws: WorkingSet, rsc: Resource, depth: int) -> list[str]:
    body: list[str] = []
    promoted: list[Node] = []
    started: list[Node] = []
    for child in rsc.children:
        partially = _active(child)
        full = False
        if rsc.unique:
            full = partially or not rsc.removed
        elif not partially:
            pass
        elif (_any_recursive(child, "removed") or not _all_managed(child)
              or _any_recursive(child, "failed")):
            full = True
        elif _fully_active(child):
            where = _single_location(child)
            if where is None or (not where.online and where.unclean):
                full = True
            elif child.state(True) > Role.UNPROMOTED:
                promoted.append(where)
            else:
                started.append(where)
        else:
            full = True
        if full:
            body += _resource(ws, child, depth + 1)
    active_instances = 0
    for label, nodes in (("Promoted", promoted), ("Started", started)):
        if not nodes:
            continue
        names = sorted((n.name for n in nodes), key=name_key)
        active_instances += len(names)
        if label == "Started" and rsc.promotable:
            target = parse_role(_target_role(rsc)) if _target_role(rsc) else Role.UNKNOWN
            label = "Unpromoted (target-role)" if target == Role.UNPROMOTED else "Unpromoted"
        body.append(_item(depth + 1, f"{label}: [ {' '.join(names)} ]"))
    if not rsc.unique and rsc.clone_max > active_instances:
        body += _stopped_lists(ws, rsc, depth + 1)
    return [_item(depth, _clone_header(rsc))] + body


def _stopped_lists(ws: WorkingSet, rsc: Resource, depth: int) -> list[str]:
    candidates = list(rsc.allowed) or list(rsc.probed)
    disabled = parse_role(_target_role(rsc)) == Role.STOPPED if _target_role(rsc) else False
    by_state: dict[str, list[str]] = {}
    for node in candidates:
        if node in rsc.running_on:
            continue
        probe = _failed_probe_text(ws, rsc.children[0], node) if rsc.children else None
        state = f"Stopped ({probe})" if probe else ("Stopped (disabled)" if disabled
                                                    else "Stopped")
        by_state.setdefault(state, []).append(node.name)
    return [_item(depth, f"{state}: [ {' '.join(sorted(names, key=name_key))} ]")
            for state, names in sorted(by_state.items())]


# ---- lines before the status ----------------------------------------------------------------

def _instance_counts(rsc: Resource, counts: list[int]) -> None:
    """pe__count_common(): [instances, disabled, blocked] over primitives (not stopped
    orphans)."""
    if rsc.children:
        for child in rsc.children:
            _instance_counts(child, counts)
    elif not rsc.removed or rsc.role > Role.STOPPED:
        counts[0] += 1
        if is_disabled(rsc):
            counts[1] += 1
        if rsc.blocked:
            counts[2] += 1


def status_preamble(ws: WorkingSet) -> list[str]:
    """The maintenance-mode banner and the disabled/blocked count crm_simulate prints before
    "Current cluster status" (empty when neither applies)."""
    out: list[str] = []
    if ws.options.maintenance_mode:
        out += ["", "              *** Resource management is DISABLED ***",
                "  The cluster will not attempt to start, stop or recover services"]
    counts = [0, 0, 0]
    for rsc in ws.resources:
        _instance_counts(rsc, counts)
    total, disabled, blocked = counts
    if disabled or blocked:
        if out:
            out.append("")
        out.append(f"{disabled} of {total} resource instances DISABLED and {blocked} "
                   "BLOCKED from further action due to failure")
    return out
