"""One run of the scheduler for the controller: CIB and time in, graph and timers out.

Pure (the scheduler reads nothing but its arguments); the daemon calls it when the core
asks for a plan, and hands the answer back as a `Planned` event.
"""

from __future__ import annotations

import gc

from daemon.cib.options import OptionValueError, parse_duration_ms, parse_score
from daemon.controller.messages import Planned
from daemon.scheduler.engine import run_pipeline
from daemon.scheduler.errors import SchedulerError
from daemon.scheduler.graph import Graph, build_graph
from daemon.scheduler.recheck import next_recheck
from daemon.scheduler.summary import format_items, summary_items

DEFAULT_RECHECK_MS = 15 * 60 * 1000
DEFAULT_FENCE_ATTEMPTS = 10


def plan(cib, *, now_ms: int, seq: int, transition_id: int, dc_uuid: str) -> Planned:
    """The scheduler's answer for `cib` at `now_ms` as the core's event."""
    collecting = gc.isenabled()
    gc.disable()        # the working set is large and short-lived: see scheduler.schedule()
    try:
        ws = run_pipeline(cib, now_ms // 1000)
        graph = build_graph(ws, transition_id, dc_uuid)
        summary = tuple(format_items(summary_items(ws)))
        graph = Graph(graph.transition_id, graph.actions,
                      start_failure_is_fatal=graph.start_failure_is_fatal,
                      batch_limit=graph.batch_limit, node_action_limit=graph.node_action_limit,
                      migration_limit=graph.migration_limit, summary=summary)
        recheck_by = next_recheck(ws)
        interval = recheck_interval_ms(ws.options.raw.get("cluster-recheck-interval"))
        attempts = max_attempts(ws.options.get("fencing-max-attempts"))
    except (SchedulerError, ValueError, KeyError, AttributeError, TypeError) as err:
        # A CIB the scheduler cannot read must not stop the daemon: say why and wait.
        return Planned(now_ms, seq, None, error=f"{type(err).__name__}: {err}")
    finally:
        if collecting:
            gc.enable()
    return Planned(now_ms, seq, graph, recheck_by_s=recheck_by, recheck_interval_ms=interval,
                   fence_max_attempts=attempts)


def max_attempts(text: str | None) -> int:
    """stonith-max-attempts as Pacemaker reads it: a positive score, 10 when unset or bad."""
    try:
        value = parse_score(text) if text is not None else 0
    except OptionValueError:
        value = 0
    return value if value > 0 else DEFAULT_FENCE_ATTEMPTS


def recheck_interval_ms(text: str | None) -> int:
    if not text:
        return DEFAULT_RECHECK_MS
    try:
        return max(0, parse_duration_ms(text))
    except ValueError:
        return DEFAULT_RECHECK_MS
