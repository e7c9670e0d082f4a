"""The `corosync` level: corosync's status on this node, as its tools and pcs print it.

`status` asks the corosync running here directly (not crmshelld, not a CIB), so it works on
any cluster node, with or without the node daemon. Showing and editing corosync.conf come
with bootstrap; until then those commands say so.
"""

from __future__ import annotations

from crmshell.completion import kinds as k
from crmshell.errors import UsageError
from crmshell.levels.daemon_levels import needs_daemon_command
from crmshell.ui.command import command
from crmshell.ui.level import Level

# What `status` can show: the word, the tool whose text it prints.
STATUS_VIEWS = {"ring": "corosync-cfgtool -s", "quorum": "corosync-quorumtool -s",
                "pcs": "pcs status corosync"}


class CorosyncLevel(Level):
    name = "corosync"
    summary = "corosync on this node: ring and quorum status, its configuration"

    do_show = needs_daemon_command("showing the ring configuration")
    do_edit = needs_daemon_command("editing the ring configuration")

    @command(usage="status [ring|quorum|pcs]",
             completers=(k.Choice(tuple(STATUS_VIEWS.items())),))
    def do_status(self, ctx, view: str = "ring") -> None:
        """Corosync's status on this node, as its tools print it (ring, quorum, pcs)."""
        if view not in STATUS_VIEWS:
            raise UsageError(f"status: unknown view '{view}': use ring (as "
                             "corosync-cfgtool -s), quorum (as corosync-quorumtool -s) or "
                             "pcs (as pcs status corosync)")
        from crmshell.corosync_status import read, render

        def warn(text: str) -> None:
            ctx.err.write(f"{text}\n")

        if view == "ring":
            lines = render.cfgtool_status(read.read_ring(warn))
        else:
            import time

            facts = read.read_quorum(warn)
            lines = (render.quorumtool_status(facts, time.time()) if view == "quorum"
                     else render.pcs_status(facts))
        ctx.write("\n".join(lines))
