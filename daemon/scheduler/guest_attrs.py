"""Node attributes as a resource on a guest node sees them: for a bundle's resources (with
container-attribute-target=host, or colocations of the bundled primitive) they are its
container host's attributes, as Pacemaker's pcmk__node_attr() reads them."""

from __future__ import annotations

from daemon.scheduler import model as m
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.remote_nodes import is_guest


def node_attr(node: Node, name: str, target: str | None, assigned: bool) -> str | None:
    """A node attribute, read from a guest's host where the resource asks for that
    (target "host"): the host its container is assigned to, or where it is active."""
    if (target or "").lower() != "host" or not is_guest(node):
        return node.attrs.get(name)
    container = node.remote_rsc.launcher
    if assigned:
        host = container.assigned_to
    else:
        host = container.running_on[0] if container.running_on else None
    return host.attrs.get(name) if host is not None else None


def colocation_attr_target(node: Node, rsc: Resource | None) -> str | None:
    """pcmk__colocation_node_attr()'s target: a bundle's primitive colocated with anything
    compares its containers' hosts, never the guest nodes themselves."""
    if rsc is None:
        return None
    top = rsc.top()
    if node.guest_never_probed and top.parent is not None \
            and top.parent.variant == m.BUNDLE and top.parent.bundle_data.child is top:
        return "host"
    return rsc.meta.get("container-attribute-target")
