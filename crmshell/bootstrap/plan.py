"""The corosync.conf of a cluster being made or changed: pure functions of configurations.

Node ids are given once and never reused while the node is in the cluster (the CIB's node
entries are keyed by them); a new node takes the lowest free id. Two-node clusters get
votequorum's two_node (which also means wait_for_all at start), any other size loses it,
as pcs does when nodes are added or removed. The timing is a LAN's: token 1000 ms
(corosync's own default is 3000 on Debian), the coefficient and consensus left to corosync,
so a lost node is seen in about 2.5 s on three nodes; --token changes it.
"""

from __future__ import annotations

import dataclasses
import re

from daemon.corosync.conf import ClusterConfig, ConfError, NodeEntry

DEFAULT_TOKEN_MS = 1000
DEFAULT_KEYFILE = "/etc/corosync/authkey"
DEFAULT_LOGFILE = "/var/log/corosync/corosync.log"
_CLUSTER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}\Z")


class PlanError(ValueError):
    """A cluster that cannot be made so (a name, a duplicate node, the last node)."""


def check_cluster_name(name: str) -> str:
    if not _CLUSTER_NAME.match(name):
        raise PlanError(f"cluster name {name!r}: 1 to 32 letters, digits, '.', '_' or '-', "
                        "starting with a letter or digit")
    return name


def new_cluster(name: str, nodes: list[tuple[str, tuple[str, ...]]],
                token: int | None = DEFAULT_TOKEN_MS) -> ClusterConfig:
    """A new cluster of `nodes` (name, ring addresses), ids 1..N in the order given."""
    check_cluster_name(name)
    if not nodes:
        raise PlanError("a cluster needs at least one node")
    entries = []
    for index, (node, addrs) in enumerate(nodes, start=1):
        entries.append(NodeEntry(node, index, tuple(addrs) or (node,)))
    config = ClusterConfig(cluster_name=name, nodes=tuple(entries), keyfile=DEFAULT_KEYFILE,
                           token=token, logfile=DEFAULT_LOGFILE)
    return _with_quorum(config)


def add_node(config: ClusterConfig, name: str, addrs: tuple[str, ...]) -> ClusterConfig:
    """`config` with node `name` added (the lowest free id); PlanError if it is there."""
    for node in config.nodes:
        if node.name == name:
            raise PlanError(f"{name} is already a node of cluster '{config.cluster_name}'")
        clash = set(node.addrs) & set(addrs)
        if clash:
            raise PlanError(f"{name}: address {sorted(clash)[0]} is already node {node.name}'s")
    used = {node.nodeid for node in config.nodes}
    nodeid = next(i for i in range(1, len(used) + 2) if i not in used)
    entry = NodeEntry(name, nodeid, tuple(addrs) or (name,))
    return _with_quorum(dataclasses.replace(config, nodes=(*config.nodes, entry)))


def remove_node(config: ClusterConfig, name: str) -> ClusterConfig:
    kept = tuple(node for node in config.nodes if node.name != name)
    if len(kept) == len(config.nodes):
        raise PlanError(f"{name} is not a node of cluster '{config.cluster_name}' (its "
                        f"nodes: {', '.join(n.name for n in config.nodes)})")
    if not kept:
        raise PlanError(f"{name} is the last node of cluster '{config.cluster_name}': "
                        "'cluster destroy' removes a whole cluster")
    return _with_quorum(dataclasses.replace(config, nodes=kept))


def rename(config: ClusterConfig, name: str) -> ClusterConfig:
    return dataclasses.replace(config, cluster_name=check_cluster_name(name))


def node_names(config: ClusterConfig) -> list[str]:
    return [node.name for node in config.nodes]


def find_node(config: ClusterConfig, name: str) -> NodeEntry | None:
    for node in config.nodes:
        if node.name == name or name in node.addrs:
            return node
    return None


def _with_quorum(config: ClusterConfig) -> ClusterConfig:
    """two_node for exactly two nodes; without it otherwise (None: corosync's default)."""
    two = len(config.nodes) == 2
    if config.two_node == two or (config.two_node is None and not two):
        return config
    return dataclasses.replace(config, two_node=True if two else None)


__all__ = ["PlanError", "ConfError", "new_cluster", "add_node", "remove_node", "rename",
           "node_names", "find_node", "check_cluster_name", "DEFAULT_TOKEN_MS"]
