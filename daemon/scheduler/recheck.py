"""When the scheduler's answer may change with nothing but time passing.

Pacemaker's controller re-runs the scheduler at the earliest moment a rule's date boundary
is crossed or a failure expires (its `recheck-by`), and at the latest after
`cluster-recheck-interval`. This computes the first of those moments from an unpacked
working set; the controller turns it into a timer. Dates are Unix seconds, like `ws.now`.
"""

from __future__ import annotations

from daemon.scheduler import dates, failcounts
from daemon.scheduler.shutdown_lock import lock_expiries
from daemon.scheduler.working_set import WorkingSet


def _date_boundaries(expr) -> list[int]:
    """The moments at which a date_expression changes its value (date_spec has none that
    is cheap to compute: the recheck interval covers it)."""
    op = (expr.get("operation") or "in_range").lower()
    try:
        start = dates.parse_date(expr.get("start")) if expr.get("start") else None
        end = dates.parse_date(expr.get("end")) if expr.get("end") else None
        if op == "in_range" and end is None and start is not None:
            duration = expr.find("duration")
            if duration is not None:
                end = dates.add_duration(start, dict(duration.attrib))
    except (dates.DateError, ValueError):
        return []
    out = []
    if op == "gt" and start is not None:
        out.append(start + 1)               # 'now > start' turns true one second after
    elif op == "lt" and end is not None:
        out.append(end)                     # 'now < end' turns false at end
    elif op == "in_range":
        if start is not None:
            out.append(start)
        if end is not None:
            out.append(end + 1)
    return out


def _failure_expiries(ws: WorkingSet) -> list[int]:
    out = []
    for rsc in ws.rsc_by_id.values():
        if not rsc.is_primitive() or rsc.failure_expiration_ms <= 0:
            continue
        timeout_s = failcounts.ms_to_s(rsc.failure_expiration_ms)
        for node in ws.nodes:
            count, last = failcounts.raw_failcount(ws, node, rsc)
            if count > 0 and last > 0:
                out.append(last + timeout_s + 1)   # expired once now > last + timeout
    return out


def next_recheck(ws: WorkingSet) -> int | None:
    """The earliest future moment (after ws.now) at which the result may differ, or None."""
    candidates: list[int] = []
    config = ws.cib.find("configuration")
    if config is not None:
        for expr in config.iter("date_expression"):
            candidates.extend(_date_boundaries(expr))
    candidates.extend(_failure_expiries(ws))
    candidates.extend(lock_expiries(ws))
    future = [t for t in candidates if t > ws.now]
    return min(future) if future else None
