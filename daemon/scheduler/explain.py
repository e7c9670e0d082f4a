"""Why a resource goes where it goes: the contributions to its node scores, and the outcome.

Built from what the scheduler records when asked to explain (schedule(..., explain=True)):
every location score it receives (constraints, the symmetric default, stickiness, failure
bans, discovery), every colocation's effect on its scores, then the final scores it was
assigned with. Pure data out; the command line renders it as a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from daemon.scheduler import model as m
from daemon.scheduler import scores
from daemon.scheduler.errors import SchedulerError
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.node_names import name_key
from daemon.scheduler.status_view import node_mode
from daemon.scheduler.transition import Transition

# How the scheduler's own location tags read in an explanation.
_TAG_LABELS = {
    "symmetric_default": "symmetric cluster (default 0)",
    "stickiness": "resource-stickiness",
    "__fail_limit__": "migration-threshold reached",
    "not_managed_default": "unmanaged: stays where it is",
    "target-role": "target-role=Stopped",
    "__removed_do_not_run__": "removed from the configuration",
    "masked-probe-failure": "probe found it not installed",
    "fatal-error": "fatal failure",
    "hard-error": "hard failure",
}


class UnknownResource(SchedulerError):
    """--explain named a resource that is not in the configuration."""


@dataclass
class Contribution:
    """One source of score: a label and what it added on each node (absent: nothing)."""

    label: str
    per_node: dict[str, int] = field(default_factory=dict)


@dataclass
class Explanation:
    resource: str
    nodes: list[str]
    node_states: dict[str, str]
    contributions: list[Contribution]
    final: dict[str, int]
    active_on: list[str]
    assigned_to: str | None
    role: str
    next_role: str
    decision: list[str]
    actions: list[str]


def explain(transition: Transition, rsc_id: str) -> list[Explanation]:
    """One explanation per primitive of `rsc_id` (a primitive, group or clone)."""
    ws = transition.working_set
    rsc = ws.rsc_by_id.get(rsc_id)
    if rsc is None:
        for candidate in ws.rsc_by_id.values():
            if candidate.xml_id == rsc_id and candidate.parent is not None:
                rsc = candidate.parent if candidate.parent.variant == m.CLONE else candidate
                break
    if rsc is None:
        raise UnknownResource(f"no resource named '{rsc_id}' in the configuration")
    if rsc.explanation is None:
        raise SchedulerError("the transition was computed without explain=True")
    lines_by_rsc: dict[str, list[str]] = {}
    for item, line in zip(transition.summary, transition.summary_lines):
        lines_by_rsc.setdefault(item.resource, []).append(" ".join(line.split()))
    return [_explain_primitive(ws, prim, lines_by_rsc.get(prim.id, []))
            for prim in rsc.primitives()]


def _node_state(node: Node) -> str:
    mode = node_mode(node)
    if mode is not None:
        return mode
    return "online" if node.online else "OFFLINE"


def _label(tag: str) -> str:
    if tag in _TAG_LABELS:
        return _TAG_LABELS[tag]
    return f"location {tag}"


def _delta(before: dict[Node, int], after: dict[Node, int], node: Node) -> int | None:
    old, new = before.get(node), after.get(node)
    if new is None or old == new:
        return None
    if old is None or new in (scores.INFINITY, -scores.INFINITY):
        return new
    return new - old


@dataclass
class _Recorded:
    contributions: list[Contribution]
    final: dict[Node, int]
    bans: list[str]
    placed_before: dict[Node, int]      # resources already on each node at assignment


def _contributions(rsc: Resource, nodes: list[Node]) -> _Recorded:
    by_label: dict[str, Contribution] = {}
    order: list[Contribution] = []
    final: dict[Node, int] = {}
    bans: list[str] = []
    placed: dict[Node, int] = {}

    def add(label: str, node: Node, value: int) -> None:
        contribution = by_label.get(label)
        if contribution is None:
            contribution = by_label[label] = Contribution(label)
            order.append(contribution)
        old = contribution.per_node.get(node.name, 0)
        contribution.per_node[node.name] = scores.add(old, value)

    for entry in rsc.explanation:
        kind = entry[0]
        if kind == "location":
            _, tag, node, score = entry
            add(_label(tag), node, score)
        elif kind == "ban":
            bans.append(entry[1])
        elif kind in ("colocation", "dependent"):
            _, coloc, before, after = entry
            if kind == "colocation":
                label = f"colocation {coloc.id} (with {coloc.primary.id})"
            else:
                label = f"colocation {coloc.id} ({coloc.dependent.id} with it)"
            for node in nodes:
                value = _delta(before, after, node)
                if value is not None:
                    add(label, node, value)
        elif kind == "final":
            final = entry[1]
        elif kind == "candidates":
            placed = entry[2]
    return _Recorded(order, final, bans, placed)


def _explain_primitive(ws, rsc: Resource, actions: list[str]) -> Explanation:
    nodes = sorted(ws.nodes, key=lambda n: name_key(n.name))
    recorded = _contributions(rsc, nodes)
    contributions, final, bans = recorded.contributions, recorded.final, recorded.bans
    final_scores = {n.name: final[n] for n in nodes if n in final}
    known = {n.name: 0 for n in nodes}
    for contribution in contributions:
        for name, value in contribution.per_node.items():
            known[name] = scores.add(known[name], value)
    other = Contribution("other (instance placement, group and clone internals)")
    for name, value in final_scores.items():
        if abs(value) < scores.INFINITY and abs(known[name]) < scores.INFINITY \
                and value != known[name]:
            other.per_node[name] = value - known[name]
    if other.per_node:
        contributions.append(other)
    for why in bans:
        contributions.append(Contribution(f"banned everywhere: {why}",
                                          {n.name: -scores.INFINITY for n in nodes}))
    assigned = rsc.assigned_to.name if rsc.assigned_to is not None else None
    return Explanation(
        resource=rsc.id,
        nodes=[n.name for n in nodes],
        node_states={n.name: _node_state(n) for n in nodes},
        contributions=contributions,
        final=final_scores,
        active_on=[n.name for n in rsc.running_on],
        assigned_to=assigned,
        role=rsc.role.text,
        next_role=rsc.next_role.text,
        decision=_decision(rsc, nodes, final, recorded.placed_before),
        actions=actions,
    )


def _decision(rsc: Resource, nodes: list[Node], final: dict[Node, int],
              placed: dict[Node, int]) -> list[str]:
    out = []
    where = ", ".join(n.name for n in rsc.running_on)
    out.append(f"{rsc.id} is {rsc.role.text.lower()} now"
               + (f" (active on {where})." if where else ", active nowhere."))
    if not rsc.managed:
        out.append("It is not managed: the cluster leaves it where it is.")
    chosen = rsc.assigned_to
    if chosen is not None:
        score = scores.text(final.get(chosen, rsc.assigned_score))
        out.append(f"It is assigned to {chosen.name} (score {score}), "
                   f"next role {rsc.next_role.text}.")
        ties = [n for n in nodes if n is not chosen and final.get(n) == final.get(chosen)
                and n.available()]
        if ties:
            counts = ", ".join(f"{n.name} {placed.get(n, 0)}" for n in [chosen] + ties)
            out.append(f"Tied with {', '.join(n.name for n in ties)}: a tie goes to the node "
                       f"with fewer resources already placed ({counts}), then to the "
                       "current node, then by name.")
        return out
    usable = [n for n in nodes if n.available() and final.get(n, -1) >= 0]
    if rsc.next_role == m.Role.STOPPED and rsc.meta.get("target-role", "").lower() == "stopped":
        out.append("It is not placed anywhere: target-role is Stopped.")
    elif not usable:
        out.append("It cannot run anywhere: no available node has a score of 0 or more.")
    else:
        out.append("It is not placed (a colocation or ordering it depends on cannot be met).")
    return out
