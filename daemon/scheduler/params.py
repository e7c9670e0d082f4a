"""A resource's instance parameters as evaluated for a node (cached per node)."""

from __future__ import annotations

from daemon.scheduler import rules
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.working_set import WorkingSet


def rsc_params(ws: WorkingSet, rsc: Resource, node: Node | None) -> dict[str, str]:
    """Instance attributes of `rsc`, then of its ancestors for names it does not set."""
    key = node.name if node is not None else ""
    cached = rsc.params_cache.get(key)
    if cached is not None:
        return cached
    params: dict[str, str] = {}
    inp = rules.RuleInput(now=ws.now, node_attrs=node.attrs if node is not None else None)
    r: Resource | None = rsc
    while r is not None:
        rules.unpack_nvpair_sets(r.xml, "instance_attributes", inp, params,
                                 lookup=ws.lookup_id)
        r = r.parent
    rsc.params_cache[key] = params
    return params


def action_params(ws: WorkingSet, config, node: Node | None) -> dict[str, str]:
    """An operation's own instance attributes (e.g. OCF_CHECK_LEVEL)."""
    params: dict[str, str] = {}
    if config is None:
        return params
    inp = rules.RuleInput(now=ws.now, node_attrs=node.attrs if node is not None else None)
    rules.unpack_nvpair_sets(config, "instance_attributes", inp, params, lookup=ws.lookup_id)
    return params
