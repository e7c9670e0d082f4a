"""The `corosync` level: corosync's status on this node, as its tools and pcs print it.

`status` asks the corosync running here directly (not crmshelld, not a CIB), so it works on
any cluster node, with or without the node daemon. The configuration commands work on this
host's /etc/corosync/corosync.conf and, for push, pull, diff, add-node and remove-node,
on the other nodes' through bootstrap's connections (SSH, or the remote API after auth).
"""

from __future__ import annotations

from crmshell.completion import kinds as k
from crmshell.errors import UsageError
from crmshell.ui.command import command
from crmshell.ui.level import Level

# What `status` can show: the word, the tool whose text it prints.
STATUS_VIEWS = {"ring": "corosync-cfgtool -s", "quorum": "corosync-quorumtool -s",
                "pcs": "pcs status corosync"}


class CorosyncLevel(Level):
    name = "corosync"
    summary = "corosync on this node: ring and quorum status, its configuration"

    @command(usage="show")
    def do_show(self, ctx) -> None:
        """This host's corosync.conf."""
        from crmshell.levels import corosync_run

        corosync_run.show(ctx)

    @command(usage="edit")
    def do_edit(self, ctx) -> None:
        """Edit this host's corosync.conf in $EDITOR; checked before it is written."""
        from crmshell.levels import corosync_run

        corosync_run.edit(ctx)

    @command(usage="diff [--all | NODE...]", repeating=k.NodeNames())
    def do_diff(self, ctx, *words: str) -> None:
        """Compare this host's corosync.conf with other nodes'."""
        from crmshell.levels import corosync_run

        corosync_run.diff(ctx, words)

    @command(usage="push [--all | NODE...] [--no-reload]", repeating=k.NodeNames())
    def do_push(self, ctx, *words: str) -> None:
        """Copy this host's corosync.conf to other nodes and reload corosync there."""
        from crmshell.levels import corosync_run

        corosync_run.push(ctx, words)

    @command(usage="pull NODE", completers=(k.NodeNames(),))
    def do_pull(self, ctx, node: str) -> None:
        """Copy NODE's corosync.conf here."""
        from crmshell.levels import corosync_run

        corosync_run.pull(ctx, node)

    @command(usage="reload")
    def do_reload(self, ctx) -> None:
        """Make corosync here re-read its file (corosync-cfgtool -R)."""
        from crmshell.levels import corosync_run

        corosync_run.reload(ctx)

    @command(name="add-node", usage="add-node NAME [ADDRESS...]")
    def do_add_node(self, ctx, name: str, *addresses: str) -> None:
        """Add a node to the nodelist of every node (corosync reloaded)."""
        from crmshell.levels import corosync_run

        corosync_run.add_node(ctx, name, addresses)

    @command(name="remove-node", usage="remove-node NAME", completers=(k.NodeNames(),))
    def do_remove_node(self, ctx, name: str) -> None:
        """Remove a node from every nodelist and from the CIB."""
        from crmshell.levels import corosync_run

        corosync_run.remove_node(ctx, name)

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
