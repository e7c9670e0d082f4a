"""The scheduler: a pure function from a CIB document and a time to a transition.

    schedule(cib_root, now) -> Transition

`cib_root` is the <cib> element (lxml); `now` is Unix seconds (a CIB's execution-date, if
present, takes precedence, as crm_simulate does). Nothing here reads files, clocks or
globals; `load_cib()` is the separate helper that parses a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from daemon.scheduler.transition import Transition

__all__ = ["schedule", "load_cib", "SchedulerError", "CibInputError"]

from daemon.scheduler.errors import CibInputError, SchedulerError  # noqa: E402


def schedule(cib_root, now: int, *, explain: bool = False, scores: bool = False,
             fixed_now: bool = False, sanitized: bool = False) -> "Transition":
    """Compute the transition for a CIB at time `now` (Unix seconds; the CIB's
    execution-date when it has one, unless `fixed_now`: crm_simulate's --set-datetime).

    `scores` also records the allocation scores of every assignment step (crm_simulate -s);
    `explain` records, per primitive, what contributed to its node scores (--explain).
    `sanitized`: simulating a saved CIB whose private parameters (passwords) are masked,
    so a digest differing only in those is no change (crm_simulate does the same).
    """
    import gc

    from daemon.scheduler.engine import effective_now, run_pipeline
    from daemon.scheduler.transition import build_transition

    # The working set is a few objects per action and ordering (hundreds of thousands on
    # a large cluster), all alive until the end: the cyclic collector would rescan them
    # again and again for nothing (a 10,000-resource cluster took 60% longer with it on).
    # It is paused for the call and put back as it was.
    collecting = gc.isenabled()
    gc.disable()
    try:
        at = now if fixed_now else effective_now(cib_root, now)
        ws = run_pipeline(cib_root, at, explain=explain, show_scores=scores,
                          sanitized=sanitized)
        return build_transition(ws)
    finally:
        if collecting:
            gc.enable()


def load_cib(path: str):
    """Parse a CIB file into the element `schedule()` takes."""
    from daemon.scheduler.cib_xml import load_cib as _load
    return _load(path)
