"""The `resource` level: start, stop, move, ban, manage... as crm_resource does them.

On a CIB file (or shadow) these are configuration edits committed at once (see
admin_common); restart and cleanup act on running resources and need the node daemon.
"""

from __future__ import annotations

from crmshell.completion import kinds as k
from crmshell.errors import ShellError
from crmshell.levels.admin_common import apply_now, current_state
from crmshell.levels.daemon_levels import needs_daemon_command
from crmshell.ui.command import command
from crmshell.ui.level import Level

_RESOURCES = {"completers": (k.ObjectIds(k.RESOURCES),), "repeating": k.ObjectIds(k.RESOURCES)}


class ResourceLevel(Level):
    name = "resource"
    summary = "manage resources: start, stop, move, ban, manage (on a CIB file or the cluster)"

    def _set_meta(self, ctx, names: tuple[str, ...], attr: str, value: str) -> None:
        from crmshell.staging.admin import resources_named, set_meta

        if not names:
            raise ShellError("name at least one resource")

        def edit(staged):
            return [set_meta(staged, elem, attr, value)
                    for elem in resources_named(staged, list(names))]

        for target in apply_now(ctx, edit):
            ctx.info(f"{target}: {attr}={value}")

    @command(usage="start <rsc> [<rsc> ...]", **_RESOURCES)
    def do_start(self, ctx, *resources: str) -> None:
        """Let resources run (target-role=Started)."""
        self._set_meta(ctx, resources, "target-role", "Started")

    @command(usage="stop <rsc> [<rsc> ...]", **_RESOURCES)
    def do_stop(self, ctx, *resources: str) -> None:
        """Stop resources (target-role=Stopped)."""
        self._set_meta(ctx, resources, "target-role", "Stopped")

    @command(usage="manage <rsc> [<rsc> ...]", **_RESOURCES)
    def do_manage(self, ctx, *resources: str) -> None:
        """Let the cluster start and stop resources again (is-managed=true)."""
        self._set_meta(ctx, resources, "is-managed", "true")

    @command(usage="unmanage <rsc> [<rsc> ...]", **_RESOURCES)
    def do_unmanage(self, ctx, *resources: str) -> None:
        """Leave resources alone: the cluster neither starts nor stops them (is-managed=false)."""
        self._set_meta(ctx, resources, "is-managed", "false")

    @command(aliases=("migrate",), usage="move <rsc> [<node>] [<lifetime>]",
             completers=(k.ObjectIds(k.RESOURCES), k.NodeNames()))
    def do_move(self, ctx, rsc: str, node: str | None = None,
                lifetime: str | None = None) -> None:
        """Move a resource to a node, or away from where it runs now (with no node)."""
        from crmshell.staging.admin import ban, move

        if node is None:
            where = self._running_on(ctx, rsc)
            if not where:
                raise ShellError(f"{rsc} is not running anywhere; name the node to move it to")
            apply_now(ctx, lambda staged: [ban(staged, rsc, n) for n in where])
            ctx.info(f"{rsc}: kept off {', '.join(where)} until 'resource clear {rsc}'")
            return
        if lifetime is None and node.startswith("P") and self._is_lifetime(node):
            raise ShellError(f"move: '{node}' is a lifetime; name the node before it")
        apply_now(ctx, lambda staged: move(staged, rsc, node, lifetime=lifetime))
        ctx.info(f"{rsc}: prefers {node} until 'resource clear {rsc}'"
                 + (f" or {lifetime} passes" if lifetime else ""))

    @command(usage="ban <rsc> [<node>]", completers=(k.ObjectIds(k.RESOURCES), k.NodeNames()))
    def do_ban(self, ctx, rsc: str, node: str | None = None) -> None:
        """Keep a resource off a node (by default, off where it runs now)."""
        from crmshell.staging.admin import ban

        nodes = [node] if node else self._running_on(ctx, rsc)
        if not nodes:
            raise ShellError(f"{rsc} is not running anywhere; name the node to ban it from")
        apply_now(ctx, lambda staged: [ban(staged, rsc, n) for n in nodes])

    @command(aliases=("unmove", "unmigrate"), usage="clear <rsc>",
             completers=(k.ObjectIds(k.RESOURCES),))
    def do_clear(self, ctx, rsc: str) -> None:
        """Remove the constraints move and ban left for a resource."""
        from crmshell.staging.admin import clear

        gone = apply_now(ctx, lambda staged: clear(staged, rsc))
        ctx.info(f"removed {', '.join(gone)}" if gone else f"{rsc} had no move or ban constraints")

    @command(usage="status [<rsc> ...]", repeating=k.ObjectIds(k.RESOURCES))
    def do_status(self, ctx, *resources: str) -> None:
        """Where resources run (from the CIB's status section), as crm_resource --locate says."""
        located = _locate(current_state(ctx))
        wanted = list(resources) or [name for name in located if located[name][1]]
        missing = [name for name in wanted if name not in located]
        if missing:
            raise ShellError(f"resource {', '.join(missing)} does not exist")
        lines = []
        for name in wanted:
            nodes, _primitive = located[name]
            lines.append(f"resource {name} is " + (f"running on: {', '.join(nodes)}" if nodes
                                                   else "NOT running"))
        ctx.write_lines(lines)

    @command()
    def do_scores(self, ctx) -> None:
        """Placement scores for every resource on every node, and what the scheduler would do."""
        import time

        from crmshell.simulate_cli import SimulateOptions, report_lines

        opts = SimulateOptions(run=True, scores=True, quiet=True)
        ctx.write_lines(report_lines(ctx.source.load().root, opts, int(time.time())))

    @staticmethod
    def _is_lifetime(text: str) -> bool:
        from crmshell.staging.admin import parse_lifetime

        try:
            parse_lifetime(text)
            return True
        except ShellError:
            return False

    def _running_on(self, ctx, rsc: str) -> list[str]:
        located = _locate(current_state(ctx))
        if rsc not in located:
            raise ShellError(f"resource {rsc} does not exist")
        return located[rsc][0]

    do_restart = needs_daemon_command("restarting a resource", **_RESOURCES)
    do_cleanup = needs_daemon_command("cleaning up a resource",
                                      completers=(k.ObjectIds(k.RESOURCES), k.NodeNames()))


def _locate(state) -> dict[str, tuple[list[str], bool]]:
    """Every configured resource -> (nodes its primitives run on, is it a primitive)."""
    from daemon.scheduler.model import PRIMITIVE

    out: dict[str, tuple[list[str], bool]] = {}
    for rsc in state.rsc_by_id.values():
        if rsc.variant != PRIMITIVE:
            out.setdefault(rsc.xml_id, ([], False))
            continue
        names = [n.name for n in rsc.running_on]
        holder = rsc
        while holder is not None:
            nodes, _ = out.setdefault(holder.xml_id, ([], holder is rsc))
            nodes.extend(n for n in names if n not in nodes)
            holder = holder.parent
    return out
