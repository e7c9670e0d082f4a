"""Which bridge each node's link hangs on: the sandbox's partitions as plain data.

A partition is made by moving the bridge ports of some nodes to another bridge: nodes on
different bridges cannot reach each other, as if a switch had been split, while every node
and its processes keep running. Pure: the supervisor turns the answer into `ip` commands.
"""

from __future__ import annotations

from crmshell.sandbox.layout import BRIDGE, LayoutError


def bridges_for(groups: list[list[str]], nodes: list[str]) -> dict[str, str]:
    """The bridge of every node when `groups` are cut off from the rest (and from each
    other); the nodes in no group stay together on the main bridge. LayoutError names an
    unknown node, one named twice, or a cut that leaves everyone together."""
    if not groups or not any(groups):
        raise LayoutError("name the nodes to cut off (partition NODE... [-- NODE...])")
    placed: dict[str, str] = dict.fromkeys(nodes, BRIDGE)
    seen: set[str] = set()
    for number, group in enumerate(groups, start=1):
        for name in group:
            if name not in placed:
                raise LayoutError(f"no node {name!r} in this sandbox "
                                  f"(its nodes: {', '.join(nodes)})")
            if name in seen:
                raise LayoutError(f"{name} is named twice")
            seen.add(name)
            placed[name] = f"{BRIDGE}p{number}"
    if len(set(placed.values())) < 2:
        raise LayoutError("that leaves every node on one side; name fewer nodes")
    return placed


def ip_batch(old: dict[str, str], new: dict[str, str], veth: dict[str, str]) -> str:
    """`ip -batch` lines that move the ports from `old` to `new` bridges, making the new
    bridges first and removing the ones no port uses any more (never the main bridge).
    `veth` has the ports of the running nodes; a node that is down joins its bridge when it
    starts again."""
    lines = [f"link add {b} type bridge\nlink set {b} up\n"
             for b in sorted(set(new.values()) - set(old.values()) - {BRIDGE})]
    lines += [f"link set {veth[name]} master {bridge}\n"
              for name, bridge in new.items() if old.get(name) != bridge and name in veth]
    lines += [f"link del {b}\n" for b in sorted(set(old.values()) - set(new.values()) - {BRIDGE})]
    return "".join(lines)
