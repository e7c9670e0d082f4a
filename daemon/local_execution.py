"""This node's side of a transition: graph actions in, recorded results out.

The DC hands an action to the node it is for; here it becomes an executor request, and what
the agent did becomes status changes (the `lrm_rsc_op` records Pacemaker's controller would
write) plus an `ActionResult` that confirms the action, submitted together as one
replicated update. Recurring monitors report their first result and every change. Nothing
here decides anything: that is the controller's and the history module's work.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from daemon.cib.status_ops import DeleteOp
from daemon.controller.messages import ActionResult, NodeRef
from daemon.executor import codes, history
from daemon.executor.executor import Executor, ExecutorClosed
from daemon.executor.model import OpRequest, OpResult
from daemon.executor.requests import request_for
from daemon.scheduler.graph import GraphAction

log = logging.getLogger("crmshelld.execution")

Submit = Callable[[tuple, tuple], None]     # (status ops, results) -> replicated update


class LocalExecution:
    def __init__(self, executor: Executor, me: NodeRef, submit: Submit) -> None:
        self.executor = executor
        self.me = me
        self.submit = submit
        self._tasks: set[asyncio.Task] = set()

    def execute(self, action: GraphAction) -> None:
        """Start an action of the graph; its result is submitted when it is known."""
        if action.task == "cancel":
            self._cancel(action)
            return
        req = request_for(action)
        if req.interval_ms > 0 and req.action not in ("notify",):
            log.info("%s: starting recurring %s", self.me.name, req.op_key)
            self.executor.start_recurring(req, self._recurring_result)
            return
        log.info("%s: running %s", self.me.name, req.op_key)
        task = asyncio.get_running_loop().create_task(self._run(req))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, req: OpRequest) -> None:
        try:
            result = await self.executor.execute(req)
        except ExecutorClosed:
            return
        except Exception as err:  # noqa: BLE001 - report as a failed operation, not a crash
            log.exception("%s: %s could not run", self.me.name, req.op_key)
            result = OpResult(req, 0, codes.OCF_ERR_GENERIC, codes.EXEC_ERROR,
                              f"crmshelld could not run the agent: {err}")
        await self._report(result)

    def _recurring_result(self, result: OpResult) -> None:
        task = asyncio.get_running_loop().create_task(self._report(result))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _report(self, result: OpResult) -> None:
        req = result.request
        if result.op_status == codes.EXEC_CANCELLED:
            return
        meta = None
        try:
            meta = await self.executor.metadata(req.agent)
        except Exception:  # noqa: BLE001 - the record is still right without the digests
            log.debug("no meta-data for %s", req.agent, exc_info=True)
        ops = history.record(result, self.me.id, self.me.name, meta=meta)
        level = logging.INFO if result.rc == req.expected_rc else logging.WARNING
        log.log(level, "%s: %s returned %s%s (%d ms)", self.me.name, req.op_key,
                codes.ocf_text(result.rc),
                f": {result.exit_reason}" if result.exit_reason else "", result.exec_ms)
        self.submit(ops, (self._action_result(result),))

    def _action_result(self, result: OpResult) -> ActionResult:
        req = result.request
        ended_s = (result.started_ms + result.exec_ms) // 1000
        return ActionResult(self.me, req.rsc_id, req.op_key, req.action, req.interval_ms,
                            req.transition_key, result.rc, result.op_status,
                            result.exit_reason, ended_s)

    def _cancel(self, action: GraphAction) -> None:
        rsc = action.rsc.id
        interval = action.interval_ms
        task = _cancelled_task(action.key, rsc, interval)
        self.executor.cancel(rsc, task, interval)
        log.info("%s: cancelled %s", self.me.name, action.key)
        ops = (DeleteOp(self.me.id, rsc, action.key),)
        result = ActionResult(self.me, rsc, action.key, "cancel", interval, action.transition_key,
                              0, codes.EXEC_DONE)
        self.submit(ops, (result,))

    def forget_all(self) -> None:
        """Stop every recurring monitor (the node rejoins and will be probed afresh)."""
        for req in self.executor.recurring():
            self.executor.cancel(req.rsc_id, req.action, req.interval_ms)

    async def close(self) -> None:
        await self.executor.close()
        for task in list(self._tasks):
            task.cancel()


def _cancelled_task(key: str, rsc: str, interval: int) -> str:
    """The task of the operation a cancel action stops: its key is '<rsc>_<task>_<interval>'."""
    suffix = f"_{interval}"
    middle = key[len(rsc) + 1:]
    return middle[: -len(suffix)] if middle.endswith(suffix) else "monitor"
