"""The transition graph as plain values: what the controller executes.

Pacemaker's scheduler hands its controller a graph of synapses (an action and the actions
it waits for), each action carrying the parameters and meta-attributes its agent will be
given. This is the same thing as frozen records, built from a scheduled working set: only
the actions that enter the graph (`simulate.in_graph`), their inputs restricted to graph
members, and for resource operations everything the executor needs (agent, instance
parameters as evaluated for the node, the operation's meta-attributes, the result the
scheduler expects, the transition key the executor records).

The controller never reads the working set: the graph is the contract between deciding
and doing, and it is what travels to another node's executor.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from daemon.records import field, record
from daemon.scheduler import model as m
from daemon.scheduler import actions as act
from daemon.scheduler.params import action_params, rsc_params
from daemon.scheduler.simulate import (executor_names, expected_result, graph_actions, graph_inputs,
                                       graph_key)
from daemon.scheduler.working_set import WorkingSet

RSC_OP = "rsc_op"        # an agent operation on a node
PSEUDO = "pseudo"        # a synchronisation point: confirmed as soon as it may run
CLUSTER = "cluster"      # done by the cluster itself: fencing, shutdown, clearing a fail count

_EMPTY: Mapping[str, str] = MappingProxyType({})
# The resource element's own attributes, which the scheduler keeps among its meta.
_XML_ATTRIBUTES = frozenset({"id", "class", "provider", "type", "description"})


@record(frozen=True)
class GraphResource:
    """The resource an operation is for, as the executor knows it.

    `id` is the name its history is kept under on the node (an anonymous clone's instances
    share the configured id); `long_id` the scheduler's instance name ('db:1').
    """

    id: str
    long_id: str
    standard: str
    provider: str | None
    type: str

    @property
    def agent(self) -> str:
        if self.provider:
            return f"{self.standard}:{self.provider}:{self.type}"
        return f"{self.standard}:{self.type}"


@record(frozen=True)
class GraphAction:
    id: int
    kind: str
    task: str
    key: str                        # the operation key, as the history records it
    node: str | None
    node_id: str | None
    rsc: GraphResource | None
    interval_ms: int
    timeout_ms: int
    expected_rc: int
    transition_key: str
    inputs: tuple[int, ...]
    params: Mapping[str, str] = field(default_factory=dict, hash=False)
    meta: Mapping[str, str] = field(default_factory=dict, hash=False)

    def describe(self) -> str:
        where = f" on {self.node}" if self.node else ""
        return f"{self.key}{where}"


@record(frozen=True)
class Graph:
    """One transition: its actions in graph order, and the options that govern running it."""

    transition_id: int
    actions: tuple[GraphAction, ...]
    start_failure_is_fatal: bool = True
    batch_limit: int = 0            # 0: no cluster-wide limit
    node_action_limit: int = 0      # 0: twice the executing node's cores
    migration_limit: int = 0        # live migrations at once per node; 0: no limit
    summary: tuple[str, ...] = ()

    def by_id(self) -> dict[int, GraphAction]:
        return {a.id: a for a in self.actions}

    @property
    def empty(self) -> bool:
        return not self.actions


def transition_key(action_id: int, transition_id: int, expected_rc: int, uuid: str) -> str:
    """Pacemaker's key, recorded with the result: 'action:transition:expected-rc:uuid'."""
    return f"{action_id}:{transition_id}:{expected_rc}:{uuid}"


def parse_transition_key(key: str | None) -> tuple[int, int, int, str] | None:
    """(action id, transition id, expected rc, uuid), or None for a key we cannot read."""
    if not key:
        return None
    parts = key.split(":", 3)
    if len(parts) != 4:
        return None
    try:
        return int(parts[0]), int(parts[1]), int(parts[2]), parts[3]
    except ValueError:
        return None


def _kind(action: m.Action) -> str:
    if action.flags & m.PSEUDO:
        return PSEUDO
    if action.rsc is None or action.task in ("stonith", "do_shutdown", "clear_failcount",
                                             "lrm_delete"):
        return CLUSTER
    return RSC_OP


def _resource(rsc: m.Resource, names: dict[int, str]) -> GraphResource:
    return GraphResource(names.get(id(rsc), rsc.id), rsc.id, rsc.standard or "",
                         rsc.provider, rsc.agent or "")


def _rsc_meta(rsc: m.Resource) -> dict[str, str]:
    """The resource's meta-attributes as the agent sees them (Pacemaker passes them all),
    with the instance number of a clone instance."""
    meta = {name.replace("-", "_"): value for name, value in rsc.meta.items()
            if name not in _XML_ATTRIBUTES}
    parent = rsc.parent
    while parent is not None:
        if parent.variant == m.CLONE:
            for name in ("clone-max", "clone-node-max", "globally-unique", "notify",
                         "promoted-max", "promoted-node-max", "promotable"):
                value = parent.meta.get(name)
                if value is not None:
                    meta.setdefault(name.replace("-", "_"), value)
            number = rsc.id.rpartition(":")[2]
            if number.isdigit():
                meta["clone"] = number
        parent = parent.parent
    return meta


def _params(ws: WorkingSet, action: m.Action) -> dict[str, str]:
    rsc, node = action.rsc, action.node
    params = dict(rsc_params(ws, rsc, node))
    task = action.cancel_task or action.task
    config = act.find_action_config(ws, rsc, task, action.interval_ms, True)
    params.update(action_params(ws, config, node))
    return params


def build_graph(ws: WorkingSet, transition_id: int, dc_uuid: str) -> Graph:
    """The graph of a scheduled working set, numbered `transition_id` by the controller."""
    members_list = graph_actions(ws)
    members = {a.id for a in members_list}
    names = executor_names(ws)
    out = []
    for action in members_list:
        kind = _kind(action)
        expected = expected_result(action) if kind == RSC_OP else 0
        rsc = _resource(action.rsc, names) if action.rsc is not None else None
        meta = dict(action.meta)
        params: Mapping[str, str] = _EMPTY
        if kind == RSC_OP:
            meta = {**_rsc_meta(action.rsc), **{k.replace("-", "_"): v for k, v in meta.items()}}
            params = MappingProxyType(_params(ws, action))
            if action.rsc.lock_node is not None and action.rsc.lock_time:
                # the executor keeps it on the resource's history (see shutdown_lock.py)
                meta["shutdown_lock"] = str(action.rsc.lock_time)
        timeout = meta.get("timeout", "")
        node = action.node
        out.append(GraphAction(
            id=action.id, kind=kind, task=action.task, key=graph_key(action),
            node=node.name if node is not None else None,
            node_id=node.id if node is not None else None, rsc=rsc,
            interval_ms=action.interval_ms,
            timeout_ms=int(timeout) if timeout.isdigit() else act.DEFAULT_TIMEOUT_MS,
            expected_rc=expected,
            transition_key=transition_key(action.id, transition_id, expected, dc_uuid),
            inputs=tuple(sorted({first.id for first in graph_inputs(action, members)})),
            params=params, meta=MappingProxyType(meta)))
    raw = ws.options.raw
    return Graph(transition_id, tuple(out),
                 start_failure_is_fatal=ws.options.start_failure_is_fatal,
                 batch_limit=_int(raw.get("batch-limit")),
                 node_action_limit=_int(raw.get("node-action-limit")),
                 migration_limit=_int(raw.get("migration-limit")))


def _int(text: str | None) -> int:
    try:
        return max(0, int(text)) if text is not None else 0
    except ValueError:
        return 0
