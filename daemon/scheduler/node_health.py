"""Node health as placement: the `#health-*` node attributes turned into location scores.

Pacemaker sums a node's health attributes (a colour or a score each) into one number and gives
every resource a location of that score on the node, before the configured constraints are
read (so, like its list, ours applies them last). What a colour is worth depends on the
strategy: migrate-on-red bans red nodes, only-green bans all but green ones, progressive and
custom take the node-health-red/yellow/green options (progressive adds node-health-base).
A resource with allow-unhealthy-nodes=true is exempt from negative sums only: a healthy node
still attracts it.
"""

from __future__ import annotations

from daemon.scheduler import scores
from daemon.scheduler.cluster_options import is_true
from daemon.scheduler.constraints import new_location
from daemon.scheduler.model import Node
from daemon.scheduler.roles import Role
from daemon.scheduler.working_set import WorkingSet

STRATEGIES = ("none", "migrate-on-red", "only-green", "progressive", "custom")
_FIXED = {
    "none": {"red": 0, "yellow": 0, "green": 0},
    "migrate-on-red": {"red": -scores.INFINITY, "yellow": 0, "green": 0},
    "only-green": {"red": -scores.INFINITY, "yellow": -scores.INFINITY, "green": 0},
}


def strategy(ws: WorkingSet) -> str:
    """The node-health-strategy in force; an unknown value counts as none, as Pacemaker's."""
    value = (ws.options.raw.get("node-health-strategy") or "none").strip().lower()
    return value if value in STRATEGIES else "none"


def colour_scores(ws: WorkingSet, chosen: str) -> dict[str, int]:
    fixed = _FIXED.get(chosen)
    if fixed is not None:
        return fixed
    raw = ws.options.raw
    return {colour: scores.parse(raw.get(f"node-health-{colour}"), default)
            for colour, default in (("red", -scores.INFINITY), ("yellow", 0), ("green", 0))}


def node_health_sum(node: Node, colours: dict[str, int], base: int = 0) -> int:
    """pe__sum_node_health_scores(): `base` plus every #health attribute's worth."""
    total = base
    for name, value in node.attrs.items():
        if not name.startswith("#health") or value is None:
            continue
        if value.strip().lower() in colours or scores.is_valid(value):   # others are ignored
            total = scores.add(total, scores.parse(value, health=colours))
    return total


def apply_node_health(ws: WorkingSet) -> None:
    chosen = strategy(ws)
    if chosen == "none":
        return
    colours = colour_scores(ws, chosen)
    base = scores.parse(ws.options.raw.get("node-health-base"), 0) if chosen == "progressive" else 0
    for node in ws.nodes:
        health = node_health_sum(node, colours, base)
        if health == 0:
            continue
        for rsc in list(ws.resources):
            if health < 0 and is_true(rsc.meta.get("allow-unhealthy-nodes")):
                continue
            loc = new_location(ws, chosen, rsc, Role.UNKNOWN, None)
            loc.nodes.append((node, health))
