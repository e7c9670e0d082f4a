"""The cluster status as crm_simulate prints it (crm_mon's text list format).

A pure rendering of an unpacked working set: the node list (who is online, standby,
unclean...) and every resource with its role and where it runs. Used for "Current cluster
status" and, after simulating a transition, "Revised Cluster Status". crm_mon prints the
same lines with more shown (`Show`: pending actions, node ids, clone instances...); its
other sections are daemon/status's.
"""

from __future__ import annotations

from typing import Callable

from daemon.records import record
from daemon.scheduler import model as m
from daemon.scheduler import scores
from daemon.scheduler.assign import current_node
from daemon.scheduler.history_entry import mask_probe_failure
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.node_names import name_key
from daemon.scheduler.remote_nodes import is_guest
from daemon.scheduler.roles import Role, parse_role
from daemon.scheduler.working_set import WorkingSet

# Standards whose agents have a provider (ocf:provider:type).
_HAS_PROVIDER = ("ocf",)
# OCF exit codes a masked probe failure reports in the status line.
_PROBE_FAILURE_TEXT = {5: "Not installed", 6: "Not configured"}
# Pending actions shown instead of the role, and those shown as a flag.
_PENDING_STATE = {"start": "Starting", "stop": "Stopping", "migrate_to": "Migrating",
                  "migrate_from": "Migrating", "promote": "Promoting", "demote": "Demoting"}
_PENDING_FLAG = {"monitor": "Monitoring"}


@record(frozen=True)
class Show:
    """What crm_mon shows beyond crm_simulate's list (Pacemaker's pcmk_show_* flags that
    change node and resource lines); the all-off default is crm_simulate's."""

    pending: bool = False        # "Starting node1", "(Monitoring)"
    node_id: bool = False        # "node1 (1)" where the id is not the name
    feature_set: bool = False    # each node on its own line, with its feature set
    clone_detail: bool = False   # every clone instance on its own line
    rsc_only: bool = False       # listed under its node: no node name, with description
    inactive: bool = True        # inactive group members and clone instances too
    # Pacemaker 2.1 crm_mon's words where 3.x changed them: "unmanaged" for resources in
    # maintenance, 2.1's order of group and clone header flags, and a failed probe in the
    # OCF exit code's words (given by `probe_words`, e.g. "not installed").
    pacemaker_2_1: bool = False
    probe_words: Callable[[int], str] | None = None
    brief: bool = False          # a group's members counted per agent (brief_lines)


PLAIN = Show()


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
        if rsc.is_remote_connection and rsc.launcher is not None \
                and rsc.meta.get("internal_rsc") == "true":
            continue        # nor are guests' implicit connections
        lines += resource_lines(ws, rsc, 2)
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


def display_name(node: Node, show: Show = PLAIN) -> str:
    """pe__node_display_name(): the name, with the id when asked for and different."""
    if show.node_id and node.id.lower() != node.name.lower():
        return f"{node.name} ({node.id})"
    return node.name


def node_health(ws: WorkingSet, node: Node) -> int:
    """pe__node_health(): -1 red, 0 yellow, 1 green, from the #health-* attributes (always
    green when node-health-strategy is none)."""
    strategy = (ws.options.raw.get("node-health-strategy") or "none").strip().lower()
    if strategy in ("none", ""):
        return 1
    health = 1
    for name, value in node.attrs.items():
        if not name.startswith("#health"):
            continue
        colour = (value or "").strip().lower()
        if colour == "red":
            return -1
        if colour == "yellow":
            health = 0
        elif colour != "green":
            score = scores.parse(value, 0)
            if score <= -scores.INFINITY:
                return -1
            if score < 0:
                health = 0
    return health


def node_feature_set(node: Node) -> str | None:
    """The feature set of an online cluster node ('<3.15.1' before nodes recorded it)."""
    if node.online and node.kind != "remote":
        return node.attrs.get("#feature-set") or "<3.15.1"
    return None


def node_line(ws: WorkingSet, node: Node, show: Show = PLAIN) -> str:
    """'Node NAME: STATE' for a node shown on its own."""
    kind = "Node" if node.kind != "remote" else "GuestNode" if is_guest(node) else "RemoteNode"
    mode = node_mode(node) or ("online" if node.online else "OFFLINE")
    text = f"{kind} {display_name(node, show)}: {mode}"
    health = node_health(ws, node)
    if health < 0:
        text += " (health is RED)"
    elif health == 0:
        text += " (health is YELLOW)"
    if show.feature_set:
        feature_set = node_feature_set(node)
        if feature_set is not None:
            text += f", feature set {feature_set}"
    return text


def node_list(ws: WorkingSet, show: Show = PLAIN) -> list[str]:
    online: list[str] = []
    offline: list[str] = []
    remote_online: list[str] = []
    remote_offline: list[str] = []
    guest_online: list[str] = []
    out: list[str] = []
    for node in sorted(ws.nodes, key=lambda n: name_key(n.name)):
        name = display_name(node, show)
        if node_mode(node) is not None or show.feature_set or node_health(ws, node) <= 0:
            out.append(node_line(ws, node, show))
        elif is_guest(node):
            if node.online:          # a guest whose launcher is down is not listed
                guest_online.append(name)
        elif node.online:
            (remote_online if node.kind == "remote" else online).append(name)
        else:
            (remote_offline if node.kind == "remote" else offline).append(name)
    for label, names in (("Online", online), ("OFFLINE", offline),
                         ("RemoteOnline", remote_online), ("RemoteOFFLINE", remote_offline),
                         ("GuestOnline", guest_online)):
        if names:
            out.append(f"{label}: [ {' '.join(names)} ]")
    return out


# ---- resources ----------------------------------------------------------------------------

def _active(rsc: Resource) -> bool:
    if rsc.variant == m.PRIMITIVE:
        return any(node.unclean or node.online or not rsc.managed for node in rsc.running_on)
    return any(_active(child) for child in rsc.children)


def is_active(rsc: Resource, every_member: bool = False) -> bool:
    """rsc->fns->active(rsc, all): active anywhere, or (every_member) all members are."""
    return _fully_active(rsc) if every_member else _active(rsc)


def resource_lines(ws: WorkingSet, rsc: Resource, depth: int, show: Show = PLAIN
                   ) -> list[str]:
    """A resource's lines as list items at `depth` (groups and clones with members)."""
    if rsc.variant == m.PRIMITIVE:
        return [_item(depth, primitive_text(ws, rsc, show=show))]
    if rsc.variant == m.GROUP:
        return _group(ws, rsc, depth, show)
    if rsc.variant == m.BUNDLE:
        return _bundle(ws, rsc, depth, show)
    return _clone(ws, rsc, depth, show)


def _bundle(ws: WorkingSet, rsc: Resource, depth: int, show: Show) -> list[str]:
    """pe__bundle_text(): a header, then one line per replica named by its connection (or
    container) and IP, showing the inner resource (or container) on the container's host."""
    data = rsc.bundle_data
    unique = " (unique)" if rsc.unique else ""
    description = rsc.xml.get("description")
    described = f" ({description})" if description else ""
    unmanaged = " (maintenance)" if rsc.maintenance else (
        "" if rsc.managed else " (unmanaged)")
    header = (f"Container bundle{' set' if data.replicas_count > 1 else ''}: {rsc.id} "
              f"[{data.image}]{unique}{described}{unmanaged}:")
    out = [_item(depth, header)]
    for replica in data.replicas:
        shown = replica.child or replica.container
        name = printable_id(replica.remote or replica.container)
        if replica.ipaddr:
            name += f" ({replica.ipaddr})"
        host = current_node(replica.container)
        out.append(_item(depth + 1, primitive_text(ws, shown, name, show, at=host)))
    return out


def _target_role(rsc: Resource) -> str | None:
    return rsc.meta.get("target-role")


def is_disabled(rsc: Resource) -> bool:
    role = parse_role(_target_role(rsc)) if _target_role(rsc) else Role.UNKNOWN
    return role == Role.STOPPED or (role == Role.UNPROMOTED and rsc.top().promotable)


def _managed_flag(rsc: Resource, show: Show = PLAIN) -> str | None:
    if rsc.maintenance and not show.pacemaker_2_1:
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


def _failed_probe_text(ws: WorkingSet, rsc: Resource, node: Node | None,
                       show: Show = PLAIN) -> str | None:
    """pe__failed_probe_for_rsc(): a masked probe failure (not installed...) of this
    resource (a clone's instances by the configured id) on `node` (None: anywhere), as
    the words shown after "Stopped"."""
    top = rsc.top()
    wanted = (top.children[0].xml_id if top.variant == m.CLONE and top.children
              else rsc.id)
    for _, key, entry in ws.failed_ops:
        xml_op = entry.xml
        if not mask_probe_failure(xml_op):
            continue
        on_node = xml_op.get("on_node")
        if on_node is None or (node is not None and on_node.lower() != node.name.lower()):
            continue
        if not key.endswith("_monitor_0") or key[:-len("_monitor_0")] != wanted:
            continue
        if show.probe_words is not None:
            return show.probe_words(_recorded_rc(xml_op))
        text = _PROBE_FAILURE_TEXT.get(_recorded_rc(xml_op))
        if text is not None:
            return text
    return None


def _recorded_rc(xml_op) -> int:
    try:
        return int(xml_op.get("rc-code", "0"))
    except ValueError:
        return 0


def _state_text(rsc: Resource, role: Role, show: Show) -> str:
    if show.pending and rsc.pending_task in _PENDING_STATE:
        return _PENDING_STATE[rsc.pending_task]
    return role.text


_OWN_NODE = object()


def primitive_text(ws: WorkingSet, rsc: Resource, name: str | None = None,
                   show: Show = PLAIN, at=_OWN_NODE) -> str:
    """One resource line: id, agent, state, node and flags, as crm_mon prints it (`at`: the
    node to show instead of the resource's own, as a bundle replica shows its host)."""
    node = (current_node(rsc) or rsc.pending_node) if at is _OWN_NODE else at
    if node is None and rsc.lock_node is not None:
        node = rsc.lock_node
    multiple = len(rsc.running_on) > 1
    if multiple or show.rsc_only:
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
        words.append(_state_text(rsc, role, show))
    if node is not None:
        words.append(node.name)
    text = f"{name or printable_id(rsc)}\t({_agent(rsc)}):\t " + " ".join(words)
    if role == Role.STOPPED:
        probe = _failed_probe_text(ws, rsc, node, show)
        if probe is not None:
            text += f" ({probe}) "
    flags = []
    if node is not None and not node.online and node.unclean:
        flags.append("UNCLEAN")
    if node is not None and node is rsc.lock_node:
        flags.append("LOCKED")
    if show.pending and rsc.pending_task in _PENDING_FLAG:
        flags.append(_PENDING_FLAG[rsc.pending_task])
    target = _target_role(rsc)
    if target is not None:
        wanted = parse_role(target)
        if wanted == Role.STOPPED:
            flags.append("disabled")
        elif wanted == Role.UNPROMOTED and rsc.top().promotable:
            flags.append(f"target-role:{target}")
    if rsc.blocked:
        flags.append("blocked")
    elif rsc.maintenance and not show.pacemaker_2_1:
        flags.append("maintenance")
    elif not rsc.managed:
        flags.append("unmanaged")
    if rsc.failure_ignored:
        flags.append("failure ignored")
    if flags:
        text += f" ({', '.join(flags)})"
    description = rsc.xml.get("description") if rsc.xml is not None else None
    if description and (show.rsc_only or multiple):
        text += f" {description}"
    if multiple and not show.rsc_only:
        text += f" [ {' '.join(n.name for n in rsc.running_on)} ]"
    return text


def _group(ws: WorkingSet, rsc: Resource, depth: int, show: Show) -> list[str]:
    attrs = []
    shown = [c for c in rsc.children if show.inactive or _active(c)]
    if not shown:
        return []
    if not show.inactive and _active(rsc) and not _fully_active(rsc):
        inactive = sum(1 for c in rsc.children if not _fully_active(c))
        attrs.append(f"{inactive} member{'' if inactive == 1 else 's'} inactive")
    flags = ["disabled"] if is_disabled(rsc) else []
    flag = _managed_flag(rsc, show)
    if flag:
        flags = [flag] + flags if show.pacemaker_2_1 else flags + [flag]
    attrs += flags
    suffix = f" ({', '.join(attrs)})" if attrs else ""
    lines = [_item(depth, f"Resource Group: {rsc.id}{suffix}:")]
    if show.brief:      # every member counted, active or not
        return lines + brief_lines(rsc.children, depth + 1, inactive=True)
    for child in shown:
        lines += resource_lines(ws, child, depth + 1, show)
    return lines


def brief_lines(resources: list[Resource], depth: int, *, inactive: bool,
                rsc_only: bool = False) -> list[str]:
    """pe__rscs_brief_output(): the primitives among `resources` counted by agent, then
    per node by how many run there ("2/3\t(ocf:heartbeat:IPaddr2):\tActive node1").

    As in Pacemaker, a node counts every listed primitive running on it, so a node's own
    list (`rsc_only`, names left out) also counts what those primitives run elsewhere;
    stopped agents appear only with `inactive`, as "0/N".
    """
    totals: dict[str, int] = {}
    by_node: dict[str, dict[str, int]] = {}
    for rsc in resources:
        if rsc.variant != m.PRIMITIVE:
            continue
        agent = _agent(rsc)
        totals[agent] = totals.get(agent, 0) + 1
        for node in rsc.running_on:
            if not node.unclean and not node.online and rsc.managed:
                continue
            counts = by_node.setdefault(node.name, {})
            counts[agent] = counts.get(agent, 0) + 1
    lines = []
    for agent in sorted(totals):
        active = 0
        for name in sorted(by_node, key=name_key):
            count = by_node[name].get(agent, 0)
            if not count:
                continue
            active += count
            number = f"{count}/{totals[agent]}" if inactive else str(count)
            lines.append(_item(depth, f"{number}\t({agent}):\tActive "
                                      f"{'' if rsc_only else name}"))
        if inactive and active == 0:
            lines.append(_item(depth, f"0/{totals[agent]}\t({agent}):\tActive"))
    return lines


def _clone_header(rsc: Resource, show: Show) -> str:
    attrs = []
    if rsc.promotable:
        attrs.append("promotable")
    if rsc.unique:
        attrs.append("unique")
    flags = ["disabled"] if is_disabled(rsc) else []
    flag = _managed_flag(rsc, show)
    if flag:
        flags = [flag] + flags if show.pacemaker_2_1 else flags + [flag]
    attrs += flags
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


def _clone(ws: WorkingSet, rsc: Resource, depth: int, show: Show) -> list[str]:
    body: list[str] = []
    promoted: list[Node] = []
    started: list[Node] = []
    for child in rsc.children:
        partially = _active(child)
        full = False
        if rsc.unique:
            full = partially or not rsc.removed
        elif show.clone_detail:
            full = True
        elif show.pending and child.pending_task not in (None, "probe"):
            full = True
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
            body += resource_lines(ws, child, depth + 1, show)
    active_instances = 0
    for label, nodes in (("Promoted", promoted), ("Started", started)):
        if not nodes:
            continue
        names = sorted((n.name for n in nodes), key=name_key)
        active_instances += len(names)
        if label == "Started" and rsc.promotable:
            label = ("Unpromoted (target-role)" if configured_role(rsc) == Role.UNPROMOTED
                     else "Unpromoted")
        body.append(_item(depth + 1, f"{label}: [ {' '.join(names)} ]"))
    if (show.inactive and not rsc.unique and not show.clone_detail
            and rsc.clone_max > active_instances):
        body += _stopped_lists(ws, rsc, depth + 1, show)
    if not body and not show.inactive:
        return []
    return [_item(depth, _clone_header(rsc, show))] + body


def configured_role(rsc: Resource) -> Role:
    """A clone's target-role, or its first instance's when it has none."""
    target = _target_role(rsc)
    if target is None and rsc.children:
        target = _target_role(rsc.children[0])
    return parse_role(target) if target else Role.UNKNOWN


def _stopped_lists(ws: WorkingSet, rsc: Resource, depth: int, show: Show) -> list[str]:
    candidates = list(rsc.allowed) or list(rsc.probed)
    disabled = configured_role(rsc) == Role.STOPPED
    by_state: dict[str, list[str]] = {}
    for node in candidates:
        if node in rsc.running_on:
            continue
        probe = _failed_probe_text(ws, rsc.children[0], node, show) if rsc.children else None
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


def instance_counts(ws: WorkingSet) -> tuple[int, int, int]:
    """(resource instances, disabled, blocked): the counts crm_mon's summary prints."""
    counts = [0, 0, 0]
    for rsc in ws.resources:
        _instance_counts(rsc, counts)
    return counts[0], counts[1], counts[2]


def status_preamble(ws: WorkingSet) -> list[str]:
    """The maintenance-mode banner and the disabled/blocked count crm_simulate prints before
    "Current cluster status" (empty when neither applies)."""
    out: list[str] = []
    if ws.options.maintenance_mode:
        out += ["", "              *** Resource management is DISABLED ***",
                "  The cluster will not attempt to start, stop or recover services"]
    total, disabled, blocked = instance_counts(ws)
    if disabled or blocked:
        if out:
            out.append("")
        out.append(f"{disabled} of {total} resource instances DISABLED and {blocked} "
                   "BLOCKED from further action due to failure")
    return out
