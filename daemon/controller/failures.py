"""What a failed operation does to the node's fail count and last-failure time.

The rules are Pacemaker's (its controller's update_failcount): a result equal to the
expected one is no failure; a recurring operation, a promote or a demote that failed adds
one to the count; a failed start sets it to INFINITY when `start-failure-is-fatal` is on
(else adds one); a failed stop sets INFINITY. A failed probe (interval 0 monitor) leaves the
count alone: the scheduler reads the failure from the history itself. `on-fail=ignore`
records the last failure but not the count, so it still shows.

Counts are written as `value++`, expanded by the store when it applies the update, so two
failures reported at once both count, on every node alike.
"""

from __future__ import annotations

from daemon.cib.status_ops import SetTransientAttr
from daemon.controller.messages import ActionResult

INFINITY = "INFINITY"
INCREMENT = "value++"
# Degraded results count as success of the kind they degrade (pcmk__effective_rc).
_EFFECTIVE = {190: 0, 191: 8}


def effective_rc(rc: int) -> int:
    return _EFFECTIVE.get(rc, rc)


def failcount_name(rsc_id: str, task: str, interval_ms: int) -> str:
    return f"fail-count-{rsc_id}#{task}_{interval_ms}"


def last_failure_name(rsc_id: str, task: str, interval_ms: int) -> str:
    return f"last-failure-{rsc_id}#{task}_{interval_ms}"


def failure_updates(result: ActionResult, expected_rc: int, *, start_failure_is_fatal: bool,
                    ignore: bool = False) -> tuple[SetTransientAttr, ...]:
    """The attribute updates a result calls for (none when it is not a counted failure)."""
    if effective_rc(result.rc) == expected_rc:
        return ()
    task, interval = result.task, result.interval_ms
    if interval > 0 or task in ("promote", "demote"):
        value = INCREMENT
    elif task == "start":
        value = INFINITY if start_failure_is_fatal else INCREMENT
    elif task == "stop":
        value = INFINITY
    else:
        return ()
    node = result.node
    out = []
    if not ignore:
        out.append(SetTransientAttr(node.id, node.name,
                                    failcount_name(result.rsc_id, task, interval), value))
    out.append(SetTransientAttr(node.id, node.name,
                                last_failure_name(result.rsc_id, task, interval),
                                str(result.when_s)))
    return tuple(out)
