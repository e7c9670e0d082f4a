"""Running one transition graph: which actions may start, and when the graph is done.

An action may start once every action it waits for is confirmed; a failed action aborts
the transition: nothing more starts, what runs is waited for, and the controller plans
again (Pacemaker's transition engine does the same). Limits bound how many resource
operations run at once per node (`node-action-limit`) and in the whole cluster
(`batch-limit`), and how many live migrations (migrate_to, migrate_from) run at once per
node (`migration-limit`). Pseudo and cluster actions are not counted: they cost nothing to run.

Readiness is kept incrementally (a count of unconfirmed inputs per action and a queue of
actions whose count reached zero, in graph order), so a graph of thousands of actions costs
a few operations per confirmation, not a scan.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

from daemon.scheduler.graph import RSC_OP, Graph, GraphAction

WAITING, RUNNING, CONFIRMED, FAILED = "waiting", "running", "confirmed", "failed"
_MIGRATIONS = frozenset({"migrate_to", "migrate_from"})


class TransitionRun:
    def __init__(self, graph: Graph, *, node_limit: Callable[[str | None], int],
                 batch_limit: int = 0) -> None:
        self.graph = graph
        self.actions = graph.by_id()
        self.position = {a.id: i for i, a in enumerate(graph.actions)}
        self.state = {a.id: WAITING for a in graph.actions}
        self.node_limit = node_limit
        self.batch_limit = batch_limit
        self.aborted: str | None = None
        self.failed: list[int] = []
        self._missing = {a.id: len(a.inputs) for a in graph.actions}
        self._dependents: dict[int, list[int]] = {}
        for action in graph.actions:
            for first in action.inputs:
                self._dependents.setdefault(first, []).append(action.id)
        self._eligible: list[tuple[int, int]] = [
            (self.position[a.id], a.id) for a in graph.actions if not a.inputs]
        heapq.heapify(self._eligible)
        self._running_on: dict[str | None, int] = {}
        self._migrating_on: dict[str | None, int] = {}
        self._running = 0       # resource operations running (what the limits count)
        self._in_flight = 0     # every action started and not finished

    @property
    def id(self) -> int:
        return self.graph.transition_id

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def is_running(self, action_id: int) -> bool:
        return self.state.get(action_id) == RUNNING

    def abort(self, reason: str) -> None:
        if self.aborted is None:
            self.aborted = reason

    def _counts(self, action: GraphAction) -> bool:
        return action.kind == RSC_OP

    def take_ready(self) -> list[GraphAction]:
        """The actions that may start now, marked running; [] once aborted."""
        if self.aborted is not None:
            return []
        out: list[GraphAction] = []
        deferred: list[tuple[int, int]] = []
        while self._eligible:
            item = heapq.heappop(self._eligible)
            action = self.actions[item[1]]
            if self._counts(action):
                if self.batch_limit and self._running >= self.batch_limit:
                    deferred.append(item)
                    break
                if self._running_on.get(action.node, 0) >= self.node_limit(action.node):
                    deferred.append(item)
                    continue
                migration = action.task in _MIGRATIONS
                if migration and self.graph.migration_limit > 0 and \
                        self._migrating_on.get(action.node, 0) >= self.graph.migration_limit:
                    deferred.append(item)
                    continue
                self._running += 1
                self._running_on[action.node] = self._running_on.get(action.node, 0) + 1
                if migration:
                    self._migrating_on[action.node] = self._migrating_on.get(action.node, 0) + 1
            self.state[action.id] = RUNNING
            self._in_flight += 1
            out.append(action)
        for item in deferred:
            heapq.heappush(self._eligible, item)
        return out

    def finish(self, action_id: int, ok: bool) -> bool:
        """Record an action's outcome; False if it was not running (a late or doubled
        report, which changes nothing)."""
        if self.state.get(action_id) != RUNNING:
            return False
        action = self.actions[action_id]
        self._in_flight -= 1
        if self._counts(action):
            self._running -= 1
            self._running_on[action.node] -= 1
            if action.task in _MIGRATIONS:
                self._migrating_on[action.node] -= 1
        if not ok:
            self.state[action_id] = FAILED
            self.failed.append(action_id)
            self.abort(f"{action.describe()} failed")
            return True
        self.state[action_id] = CONFIRMED
        for then in self._dependents.get(action_id, ()):
            self._missing[then] -= 1
            if self._missing[then] == 0 and self.state[then] == WAITING:
                heapq.heappush(self._eligible, (self.position[then], then))
        return True

    @property
    def complete(self) -> bool:
        """Nothing runs and nothing more will start."""
        if self._in_flight:
            return False
        return self.aborted is not None or not self._eligible

    @property
    def succeeded(self) -> bool:
        return self.complete and self.aborted is None and all(
            s == CONFIRMED for s in self.state.values())
