"""Pacemaker Remote nodes and guest nodes: what they are and how the CIB defines them.

A Pacemaker Remote node is a node that runs no cluster stack of its own: a cluster node
reaches it through a connection resource, an `ocf:pacemaker:remote` primitive whose id is
the node's name. A guest node is a Pacemaker Remote node that lives inside a resource (a
VM, a container), named by that resource's `remote-node` meta-attribute; its connection is
implicit, created here as Pacemaker does, and "launched" by the guest's resource (the
launcher), so the guest lives on the launcher's host. Bundles' replicas are guest nodes too.

This module holds the model (the predicates every stage asks, and the small API on a node:
its connection, its launcher, its host) and the unpacking of those nodes from the resources
and status sections. The orderings of actions on these nodes against their connections and
the "fencing" of guests live in remote_orderings.py.
"""

from __future__ import annotations

from lxml import etree

from daemon.scheduler.model import Node, Resource
from daemon.scheduler.node_names import name_key
from daemon.scheduler.roles import Role
from daemon.scheduler.working_set import WorkingSet

REMOTE = "remote"        # Node.kind of every Pacemaker Remote node, guests included


# ---- what a node or resource is ------------------------------------------------------

def is_connection_xml(el) -> bool:
    """xml_contains_remote_node(): an ocf:pacemaker:remote primitive (or history entry)."""
    if el is None:
        return False
    return ((el.get("type") or "").lower() == "remote"
            and (el.get("class") or "").lower() == "ocf"
            and (el.get("provider") or "").lower() == "pacemaker")


def is_pacemaker_remote(node: Node | None) -> bool:
    """A remote or guest node (anything but a full cluster member)."""
    return node is not None and node.kind == REMOTE


def is_guest(node: Node | None) -> bool:
    """A guest (or bundle) node: its connection is launched by another resource."""
    return (node is not None and node.kind == REMOTE and node.remote_rsc is not None
            and node.remote_rsc.launcher is not None)


def is_remote(node: Node | None) -> bool:
    """A Pacemaker Remote node proper (not a guest), with or without a connection."""
    return (node is not None and node.kind == REMOTE
            and (node.remote_rsc is None or node.remote_rsc.launcher is None))


def connection(node: Node | None) -> Resource | None:
    """The connection resource of a remote or guest node (None for cluster nodes)."""
    return node.remote_rsc if node is not None else None


def launcher(node: Node | None) -> Resource | None:
    """The resource a guest node lives in (None unless a guest)."""
    rsc = connection(node)
    return rsc.launcher if rsc is not None else None


def host(node: Node | None) -> Node | None:
    """The cluster node a guest's launcher runs on now, when it runs on exactly one."""
    rsc = connection(node)
    if rsc is None or rsc.launcher is None or len(rsc.running_on) != 1:
        return None
    return rsc.running_on[0]


def connection_node(ws: WorkingSet, rsc: Resource) -> Node | None:
    """The node a connection resource connects to (pcmk_find_node(rsc->id))."""
    if not rsc.is_remote_connection:
        return None
    return ws.node_by_name.get(rsc.id)


def contains_guest(ws: WorkingSet, rsc: Resource | None) -> Resource | None:
    """pe__resource_contains_guest_node(): the guest connection `rsc` launches, if any."""
    if rsc is None or not ws.have_remote_nodes:
        return None
    for launched in rsc.launched:
        if launched.is_remote_connection:
            return launched
    return None


def guest_node_available(node: Node) -> bool:
    """A guest node can run resources only once its launcher has a node
    (pcmk__node_available()'s guest check); other nodes always pass."""
    if not is_guest(node):
        return True
    return node.remote_rsc.launcher.assigned_to is not None


# ---- creating the nodes ------------------------------------------------------------------

def add_remote_node(ws: WorkingSet, name: str) -> Node:
    """pe_create_node() for a remote node named by a resource: kept in name order."""
    node = Node(name, name, REMOTE, 0, 0)
    node.attrs["#kind"] = "remote"
    ws.have_remote_nodes = True
    keys = [name_key(n.name) for n in ws.nodes]
    key = name_key(name)
    pos = len(keys)
    for i, k in enumerate(keys):
        if key < k:
            pos = i
            break
    ws.nodes.insert(pos, node)
    for index, n in enumerate(ws.nodes):
        n.index = index
    ws.node_by_id.setdefault(node.id, node)
    ws.node_by_name.setdefault(node.name, node)
    return node


def create_remote_nodes(ws: WorkingSet, section) -> None:
    """unpack_remote_nodes(): a node for every connection primitive and every primitive
    (top-level or in a group) with a remote-node meta-attribute, before resources are
    unpacked (clone sizes count them). Guests' implicit connections are kept in
    ws.guest_connection_xml, unpacked after the configured resources."""
    if section is None:
        return
    for el in list(section):
        if not isinstance(el.tag, str):
            continue
        if is_connection_xml(el):
            name = el.get("id")
            if name and name not in ws.node_by_name:
                add_remote_node(ws, name)
            continue
        candidates = [el] if el.tag == "primitive" else \
            [c for c in el if isinstance(c.tag, str)] if el.tag == "group" else []
        for prim in candidates:
            name = _expand_guest_meta(ws, prim)
            if name and name not in ws.node_by_name:
                add_remote_node(ws, name)


def _expand_guest_meta(ws: WorkingSet, el) -> str | None:
    """expand_remote_rsc_meta(): the guest connection a remote-node meta-attribute implies
    (raw nvpairs, no rules, as Pacemaker reads them)."""
    found: dict[str, str | None] = {}
    for attr_set in el:
        if attr_set.tag != "meta_attributes":
            continue
        for nv in attr_set:
            if not isinstance(nv.tag, str) or nv.get("name") is None:
                continue
            found[nv.get("name")] = nv.get("value")
    name = found.get("remote-node")
    if name is None:
        return None
    if any(x.get("id") == name for x in ws.guest_connection_xml):
        return None
    ws.guest_connection_xml.append(
        guest_connection_xml(name, el.get("id"), found.get("remote-allow-migrate"),
                             found.get("is-managed"),
                             found.get("remote-connect-timeout", "60s"),
                             found.get("remote-addr"), found.get("remote-port")))
    return name


def guest_connection_xml(name: str, launcher_id: str | None, allow_migrate: str | None,
                         is_managed: str | None, start_timeout: str | None,
                         server: str | None, port: str | None):
    """pe_create_remote_xml(): the connection primitive of a guest (or bundle) node."""
    prim = etree.Element("primitive", id=name)
    prim.set("class", "ocf")
    prim.set("provider", "pacemaker")
    prim.set("type", "remote")
    meta = etree.SubElement(prim, "meta_attributes", id=f"{name}-meta_attributes")
    pairs = [("internal_rsc", "true"), ("container", launcher_id),
             ("allow-migrate", allow_migrate), ("is-managed", is_managed)]
    for key, value in pairs:
        if value is not None:
            etree.SubElement(meta, "nvpair", id=f"{name}-meta_attributes-{key}", name=key,
                             value=value)
    if server is not None or port is not None:
        inst = etree.SubElement(prim, "instance_attributes",
                                id=f"{name}-instance_attributes")
        for key, value in (("addr", server), ("port", port)):
            if value is not None:
                etree.SubElement(inst, "nvpair", id=f"{name}-instance_attributes-{key}",
                                 name=key, value=value)
    ops = etree.SubElement(prim, "operations")
    etree.SubElement(ops, "op", id=f"{name}-monitor-interval-30s", name="monitor",
                     interval="30s", timeout="30s")
    if start_timeout is not None:
        etree.SubElement(ops, "op", id=f"{name}-start-interval-0", name="start",
                         interval="0", timeout=start_timeout)
    return prim


def link_resources(ws: WorkingSet) -> None:
    """After unpacking resources: each resource's launcher (container meta-attribute),
    and each remote/guest node's connection (link_rsc2remotenode())."""
    for rsc in ws.resources:
        _unpack_launcher(ws, rsc)
    for rsc in ws.resources:
        link_connection(ws, rsc)


def _unpack_launcher(ws: WorkingSet, rsc: Resource) -> None:
    if rsc.children:
        for child in rsc.children:
            _unpack_launcher(ws, child)
        return
    launcher_id = rsc.meta.get("container")
    if launcher_id is None or launcher_id == rsc.id:
        return
    found = ws.rsc_by_id.get(launcher_id)
    if found is None:
        ws.warn(f"resource {rsc.id}: unknown container {launcher_id}")
        return
    rsc.launcher = found
    found.launched.append(rsc)


def link_connection(ws: WorkingSet, rsc: Resource) -> None:
    """Tie a connection resource to its node; a remote node proper is unclean until seen
    when startup fencing is on, and a guest's #kind attribute says container."""
    if not ws.have_remote_nodes or not rsc.is_remote_connection:
        return
    node = ws.node_by_name.get(rsc.id)
    if node is None:
        return
    node.remote_rsc = rsc
    if rsc.launcher is None:
        node.unclean = ws.options.startup_fencing
    else:
        node.attrs["#kind"] = "container"


# ---- status -------------------------------------------------------------------------------

def determine_online_status(node: Node) -> None:
    """determine_remote_online_status(): a remote or guest node is online when its
    connection is started, and down (or in need of a reset) when its connection, its
    launcher or its host failed."""
    rsc = node.remote_rsc
    if rsc is None:
        node.online = False
        return
    launcher_rsc = rsc.launcher
    host_node = rsc.running_on[0] if launcher_rsc is not None and len(rsc.running_on) == 1 \
        else None
    if rsc.role == Role.STARTED:
        node.online = True
        if rsc.next_role == Role.STOPPED:
            node.shutdown = True
    if launcher_rsc is not None and launcher_rsc.failed:
        node.online = False
        node.remote_reset = True
    elif rsc.failed:
        node.online = False
    elif rsc.role == Role.STOPPED or (launcher_rsc is not None
                                      and launcher_rsc.role == Role.STOPPED):
        node.online = False
        node.remote_reset = False
    elif host_node is not None and not host_node.online and host_node.unclean:
        node.online = False
        node.remote_reset = True


def history_ready(ws: WorkingSet, node: Node) -> bool:
    """Whether a remote/guest node's history can be unpacked yet: its connection (and a
    guest's launcher) must be known to be started (remote nodes: unless shutdown locks)."""
    rsc = node.remote_rsc
    if rsc is None:
        return False
    if rsc.launcher is not None:
        return rsc.role == Role.STARTED and rsc.launcher.role == Role.STARTED
    return ws.options.shutdown_lock or rsc.role == Role.STARTED
