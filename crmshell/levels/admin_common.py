"""How the resource and node levels change a CIB: at once, as crm_resource and crm_attribute do.

Each command works on a fresh view of the session's CIB (a file or a shadow now, the live
cluster through the node daemon later) and commits its own small change; like Pacemaker's
tools it does not wait for a `commit` or run verify. A batch still applies nothing after a
failed transaction.
"""

from __future__ import annotations

from typing import Callable


def apply_now(ctx, edit: Callable[[object], object]) -> object:
    """Run `edit(staged)` on the CIB as it is now and commit it; returns what `edit` returned."""
    from crmshell.staging.staged import StagedCib

    staged = StagedCib(ctx.source, providers=None)
    result = edit(staged)
    if staged.has_changes():
        staged.commit()
    return result


def current_state(ctx):
    """The scheduler's view of the session's CIB now: where resources run, node states."""
    import time

    from daemon.scheduler.engine import build_working_set, effective_now

    cib = ctx.source.load().root
    return build_working_set(cib, effective_now(cib, int(time.time())))
