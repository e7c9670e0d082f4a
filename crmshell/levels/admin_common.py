"""How the resource and node levels change a CIB: at once, as crm_resource and crm_attribute do.

Each command works on a fresh view of the session's CIB source (a file, a shadow, or the live
cluster through crmshelld: the same code for all three) and commits its own small change;
like Pacemaker's tools it does not wait for a `commit` or run verify. With -w/--wait the
command returns once the cluster has carried the change out. What only a running cluster
has (cleanup, transient attributes, fail counts) goes to crmshelld through `live_source`.
"""

from __future__ import annotations

from typing import Callable

from crmshell.errors import NeedsDaemon


def apply_now(ctx, edit: Callable[[object], object]) -> object:
    """Run `edit(staged)` on the CIB as it is now and commit it; returns what `edit` returned."""
    from crmshell.staging.staged import StagedCib

    staged = StagedCib(ctx.source, providers=None)
    result = edit(staged)
    if staged.has_changes():
        staged.commit()
        settle(ctx)
    return result


def settle(ctx, *, always: bool = False) -> None:
    """Wait for the transition a change started: with -w/--wait, or when the command itself
    needs it (restart stops before it starts)."""
    if always or ctx.options.wait:
        ctx.source.wait()


def live_source(ctx, doing: str):
    """The daemon source, for what only a running cluster can do."""
    source = ctx.source
    if not source.live:
        where = getattr(source, "path", source.label)
        raise NeedsDaemon(f"{doing} needs the crmshell node daemon: it acts on the running "
                          f"cluster, and this session works on the CIB file {where} (reach "
                          "crmshelld with --socket PATH or CRMSHELL_SOCKET)")
    return source


def current_state(ctx):
    """The scheduler's view of the session's CIB now: where resources run, node states."""
    import time

    from daemon.scheduler.engine import build_working_set, effective_now

    cib = ctx.source.load().root
    return build_working_set(cib, effective_now(cib, int(time.time())))
