"""The executor's request for a resource operation of a transition graph."""

from __future__ import annotations

from daemon.executor.model import AgentSpec, OpRequest
from daemon.scheduler.graph import RSC_OP, GraphAction
from daemon.scheduler.timespec import msec


def request_for(action: GraphAction) -> OpRequest:
    """The request that runs a graph's resource operation: its agent, its parameters and
    meta-attributes as the graph carries them, its timeout and transition key, and the
    operation's start delay (its `start-delay` attribute, a duration)."""
    if action.kind != RSC_OP or action.rsc is None:
        raise ValueError(f"{action.describe()} is not a resource operation")
    rsc = action.rsc
    delay = msec(action.meta.get("start_delay")) or 0
    return OpRequest(
        rsc_id=rsc.id, agent=AgentSpec(rsc.standard, rsc.provider, rsc.type),
        action=action.task, interval_ms=action.interval_ms, timeout_ms=action.timeout_ms,
        params=action.params, meta=action.meta, transition_key=action.transition_key,
        start_delay_ms=max(0, delay))
