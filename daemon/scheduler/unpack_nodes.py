"""Unpacking nodes: configured nodes, their attributes, and node_state membership."""

from __future__ import annotations

from daemon.scheduler import rules, scores
from daemon.scheduler.cluster_options import is_false, is_true
from daemon.scheduler.fencing import fence_node
from daemon.scheduler.model import Node
from daemon.scheduler.node_names import name_key
from daemon.scheduler.working_set import WorkingSet


def unpack_nodes(ws: WorkingSet, section) -> None:
    created: list[Node] = []
    if section is not None:
        for el in section:
            if el.tag != "node":
                continue
            node_id = el.get("id")
            if node_id is None:
                ws.warn("ignoring <node> without id")
                continue
            kind = (el.get("type") or "member").lower()
            if kind in ("normal", "ping"):
                kind = "member"
            if kind not in ("member", "remote"):
                ws.warn(f"ignoring node {el.get('uname')} with unrecognised type '{kind}'")
                continue
            name = el.get("uname") or node_id
            weight = scores.parse(el.get("score"), 0)
            node = Node(node_id, name, kind, 0, weight)
            node.attrs["#kind"] = "remote" if kind == "remote" else "cluster"
            if kind == "remote":
                # no connection yet: unclean (startup fencing) only once one is linked
                ws.have_remote_nodes = True
            else:
                node.unclean = ws.options.startup_fencing
            created.append((node, el))
    created.sort(key=lambda pair: name_key(pair[0].name))
    for index, (node, el) in enumerate(created):
        node.index = index
        ws.nodes.append(node)
        ws.node_by_id.setdefault(node.id, node)
        ws.node_by_name.setdefault(node.name, node)
        add_node_attrs(ws, el, node, overwrite=False)


def add_node_attrs(ws: WorkingSet, xml, node: Node, overwrite: bool) -> None:
    attrs = node.attrs
    attrs["#uname"] = node.name
    attrs["#id"] = node.id
    dc_id = ws.cib.get("dc-uuid")
    if ws.dc_node is None and dc_id is not None and node.id.lower() == dc_id.lower():
        ws.dc_node = node
        node.is_dc = True
        attrs["#is_dc"] = "true"
    elif ws.dc_node is not node:
        attrs["#is_dc"] = "false"
    cluster_name = ws.options.cluster_name
    if cluster_name:
        attrs["#cluster-name"] = cluster_name
    inp = rules.RuleInput(now=ws.now)
    if xml is not None:
        if overwrite:
            fresh: dict[str, str] = {}
            rules.unpack_nvpair_sets(xml, "instance_attributes", inp, fresh, lookup=ws.lookup_id)
            attrs.update(fresh)
        else:
            rules.unpack_nvpair_sets(xml, "instance_attributes", inp, attrs, lookup=ws.lookup_id)
        rules.unpack_nvpair_sets(xml, "utilization", inp, node.utilization, lookup=ws.lookup_id)
    if "#site-name" not in attrs:
        site = attrs.get("site-name") or cluster_name
        if site:
            attrs["#site-name"] = site


def unpack_node_state(ws: WorkingSet, state) -> None:
    """First pass over one node_state: attributes and online status (not history)."""
    node_id = state.get("id")
    if node_id is None:
        ws.warn("ignoring node_state without id")
        return
    uname = state.get("uname")
    node = ws.node_by_id.get(node_id) or (ws.node_by_name.get(uname) if uname else None)
    if node is None:
        return
    node.state_xml = state
    if node.kind == "remote":
        # online status waits for the connection's history; only note a past fencing
        try:
            node.remote_was_fenced = int(state.get("node_fenced") or 0) > 0
        except ValueError:
            node.remote_was_fenced = False
        return
    attrs_el = state.find("transient_attributes")
    add_node_attrs(ws, attrs_el, node, overwrite=True)
    if is_true(node.attrs.get("standby")):
        node.standby = True
    if is_true(node.attrs.get("maintenance")):
        node.maintenance = True
    node.unclean = False
    node.seen = True
    _determine_online_status(ws, state, node)
    if not ws.quorate and node.online and ws.options.no_quorum_policy == "fence":
        fence_node(ws, node, "cluster does not have quorum", False)


def _member_time(ws: WorkingSet, state) -> int:
    value = state.get("in_ccm")
    if value is None:
        return -1
    if is_true(value):
        return ws.now
    if is_false(value):
        return 0
    try:
        when = int(value)
    except ValueError:
        return -1
    return when if when >= 0 else -1


def _online_time(state) -> int:
    value = state.get("crmd")
    if value is None or value.lower() == "offline":
        return 0
    if value.lower() == "online":
        return 1
    try:
        when = int(value)
    except ValueError:
        return 0
    return when if when >= 0 else 0


def shutdown_requested(node: Node) -> bool:
    value = node.attrs.get("shutdown")
    return value is not None and value != "0"


def _terminate_requested(node: Node) -> bool:
    value = node.attrs.get("terminate")
    if value is None:
        return False
    if is_true(value):
        return True
    if is_false(value):
        return False
    try:
        return int(value) > 0
    except ValueError:
        return False


def _determine_online_status(ws: WorkingSet, state, node: Node) -> None:
    expected = state.get("expected")
    node.shutdown = False
    if shutdown_requested(node):
        node.shutdown = True
    elif expected is not None and expected.lower() == "member":
        node.expected_up = True
    if not ws.options.fencing_enabled:
        online = _online_no_fencing(ws, state, node)
    else:
        online = _online_fencing(ws, state, node)
    if online:
        node.online = True
    else:
        node.weight = -scores.INFINITY
    if online and node.shutdown:
        node.weight = -scores.INFINITY


def _online_no_fencing(ws: WorkingSet, state, node: Node) -> bool:
    join = state.get("join")
    when_member = _member_time(ws, state)
    when_online = _online_time(state)
    if when_member <= 0:
        return False
    if when_online > 0:
        return join is not None and join.lower() == "member"
    if not node.expected_up:
        return False
    fence_node(ws, node, "peer is unexpectedly down", False)
    return False


def _online_fencing(ws: WorkingSet, state, node: Node) -> bool:
    terminate = _terminate_requested(node)
    join = state.get("join")
    expected = state.get("expected")
    when_member = _member_time(ws, state)
    when_online = _online_time(state)
    if node.shutdown:
        return when_online > 0
    if when_member < 0:
        fence_node(ws, node, "peer has not been seen by the cluster", False)
        return False
    if join == "banned":
        fence_node(ws, node, "peer failed Pacemaker membership criteria", False)
    elif terminate:
        if when_member <= 0 and when_online <= 0 and join == "down":
            return False
        fence_node(ws, node, "fencing was requested", False)
    elif expected is None or expected == "down":
        if when_member > 0 or when_online > 0:
            node.standby = True
            node.pending = True
    elif when_member <= 0:
        fence_node(ws, node, "peer is no longer part of the cluster", True)
    elif when_online <= 0:
        fence_node(ws, node, "peer process is no longer available", False)
    elif join == "member":
        pass
    elif join in ("pending", "down"):
        node.standby = True
        node.pending = True
    else:
        fence_node(ws, node, "peer was in an unknown state", False)
    return when_member > 0


def unpack_remote_attrs(ws: WorkingSet, node: Node, state) -> None:
    """unpack_handle_remote_attrs(): a remote or guest node's state entry, read once its
    connection's state is known: maintenance, seen, attributes, shutdown, standby."""
    try:
        node.remote_maint = int(state.get("node_in_maintenance") or 0) > 0
    except ValueError:
        node.remote_maint = False
    rsc = node.remote_rsc
    if not node.remote_reset:
        node.unclean = False
        node.seen = True
    add_node_attrs(ws, state.find("transient_attributes"), node, overwrite=True)
    if shutdown_requested(node):
        node.shutdown = True
    if is_true(node.attrs.get("standby")):
        node.standby = True
    if is_true(node.attrs.get("maintenance")) or (rsc is not None and not rsc.managed):
        node.maintenance = True
    discovery = node.attrs.get("resource-discovery-enabled")
    if discovery is not None and not is_true(discovery):
        guest = rsc is not None and rsc.launcher is not None
        if guest or ws.options.fencing_enabled:
            node.probes_allowed = False
