"""Online status of guest nodes (a bundle replica's node), from their connection's history.

A guest node has no membership of its own: it is up when its connection resource (and
the container that launches it) is known to be started, which is only known once the
cluster nodes' histories are unpacked. So its history waits for that (Pacemaker's
unpack_node_history() and determine_remote_online_status()).
"""

from __future__ import annotations

from daemon.scheduler.cluster_options import is_true
from daemon.scheduler import model as m
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.roles import Role
from daemon.scheduler.working_set import WorkingSet


def is_guest(node: Node) -> bool:
    return node.remote_rsc is not None and node.remote_rsc.launcher is not None


def history_ready(node: Node) -> bool:
    """A guest's history is read only once its connection and launcher are up."""
    remote = node.remote_rsc
    return remote.role == Role.STARTED and remote.launcher.role == Role.STARTED


def determine_online(ws: WorkingSet, node: Node) -> None:
    """determine_remote_online_status() for a guest node."""
    rsc = node.remote_rsc
    if rsc is None:
        node.online = False
        return
    launcher = rsc.launcher
    host = rsc.running_on[0] if launcher is not None and len(rsc.running_on) == 1 else None
    if rsc.role == Role.STARTED:
        node.online = True
        if rsc.next_role == Role.STOPPED:
            node.shutdown = True
    if launcher is not None and launcher.failed:
        node.online = False
        node.remote_requires_reset = True
    elif rsc.failed:
        node.online = False
    elif rsc.role == Role.STOPPED or (launcher is not None and launcher.role == Role.STOPPED):
        node.online = False
        node.remote_requires_reset = False
    elif host is not None and not host.online and host.unclean:
        node.online = False
        node.remote_requires_reset = True


def unpack_attrs(ws: WorkingSet, node: Node, state) -> None:
    """unpack_handle_remote_attrs(): a guest's transient attributes, standby, maintenance."""
    from daemon.scheduler.unpack_nodes import add_node_attrs, shutdown_requested
    attrs_el = state.find("transient_attributes")
    add_node_attrs(ws, attrs_el, node, overwrite=True)
    node.attrs["#kind"] = "container"
    if not node.remote_requires_reset:
        node.unclean = False
        node.seen = True
    if shutdown_requested(node):
        node.shutdown = True
    if is_true(node.attrs.get("standby")):
        node.standby = True
    if is_true(node.attrs.get("maintenance")) or not node.remote_rsc.managed:
        node.maintenance = True


def after_histories(ws: WorkingSet) -> None:
    """Once every history is read: a shutting-down guest stops its connection, and guests
    without a history of their own get their online status."""
    for node in ws.nodes:
        if not is_guest(node):
            continue
        if node.shutdown:
            node.remote_rsc.next_role = Role.STOPPED
        if not node.unpacked:
            determine_online(ws, node)


def node_attr(node: Node, name: str, target: str | None, assigned: bool) -> str | None:
    """pcmk__node_attr(): a node attribute, read from a guest's host where the resource
    asks for that (container-attribute-target=host): the host its container is assigned
    to, or where it is active."""
    if (target or "").lower() != "host" or not is_guest(node):
        return node.attrs.get(name)
    container = node.remote_rsc.launcher
    if assigned:
        host = container.assigned_to
    else:
        host = container.running_on[0] if container.running_on else None
    return host.attrs.get(name) if host is not None else None


def colocation_attr_target(node: Node, rsc: Resource | None) -> str | None:
    """A resource colocated with a bundle's primitive compares its containers' hosts,
    never the guest nodes themselves."""
    if rsc is None:
        return None
    top = rsc.top()
    if node.guest_never_probed and top.parent is not None \
            and top.parent.variant == m.BUNDLE and top.parent.bundle_data.child is top:
        return "host"
    return rsc.meta.get("container-attribute-target")


def connection_assigned(ws: WorkingSet, rsc: Resource) -> None:
    """remote_connection_assigned(): a guest whose connection is placed will be online
    (and need no fencing to connect); one whose connection stops shuts down."""
    node = ws.node_by_id.get(rsc.id)
    if node is None or node.remote_rsc is not rsc:
        return
    if rsc.assigned_to is not None and rsc.next_role != Role.STOPPED:
        node.online = True
        if not node.seen:
            node.unclean = False
    else:
        node.shutdown = True
