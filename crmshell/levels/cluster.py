"""The `cluster` level: making a cluster from plain hosts and running it, crmsh's way (init,
join, add, remove over SSH) and pcs's (auth, setup, start --all through the remote API),
and `status`: the cluster services on this node and the cluster's summary.

Corosync is asked directly (its IPC is this host's, or this sandbox node's), crmshelld
through the session's daemon source; each is reported whether or not the other answers,
and the command fails when crmshelld does not, as `pcs cluster status` does when the
cluster is not running here. What the bootstrap commands do is cluster_run.py's.
"""

from __future__ import annotations

from crmshell.completion import kinds as k
from crmshell.errors import ShellError
from crmshell.levels import cluster_run as run
from crmshell.levels import cluster_words as w
from crmshell.ui.command import command
from crmshell.ui.level import Level


def _corosync_line() -> str:
    from crmshell.corosync_status import read

    try:
        facts = read.read_quorum(lambda text: None)
    except ShellError as err:
        return f"corosync: not reachable here ({err})"
    members = len(facts.members)
    return (f"corosync: running (node id {facts.local_nodeid or '?'}, {members} "
            f"member{'s' if members != 1 else ''}, "
            f"{'quorate' if facts.quorate else 'not quorate'})")


def service_lines(source) -> tuple[list[str], str | None]:
    """The services' lines and crmshelld's status text (None when it does not answer)."""
    from crmshell.status_quick import status_text

    lines = ["Cluster services on this node:", f"  * {_corosync_line()}"]
    try:
        text = status_text(source, ())
    except ShellError as err:
        lines.append(f"  * crmshelld: not reachable ({err})")
        return lines, None
    lines.append(f"  * crmshelld: running (API on {source.socket})")
    return lines, text


_NODES = dict(repeating=k.NodeNames())


class ClusterLevel(Level):
    name = "cluster"
    summary = "set up and run the cluster"

    @command(usage=w.INIT.usage)
    def do_init(self, ctx, *words: str) -> None:
        """Make this host the first node of a new cluster (crmsh's init)."""
        run.init(ctx, words)

    @command(usage=w.JOIN.usage)
    def do_join(self, ctx, *words: str) -> None:
        """Join this host to the cluster of SEED, over SSH (crmsh's join)."""
        run.join(ctx, words)

    @command(usage=w.ADD.usage)
    def do_add(self, ctx, *words: str) -> None:
        """Add hosts to this node's cluster, over SSH (crmsh's add)."""
        run.add(ctx, words)

    @command(usage=w.REMOVE.usage, **_NODES)
    def do_remove(self, ctx, *words: str) -> None:
        """Remove nodes from the cluster (crmsh's remove)."""
        run.remove(ctx, words)

    @command(usage=w.AUTH.usage)
    def do_auth(self, ctx, *words: str) -> None:
        """Authenticate this host to nodes' remote APIs (pcs host auth)."""
        run.auth(ctx, words)

    @command(usage=w.DEAUTH.usage)
    def do_deauth(self, ctx, *words: str) -> None:
        """Revoke this host's tokens for nodes (pcs host deauth)."""
        run.deauth(ctx, words)

    @command(usage=w.SETUP.usage)
    def do_setup(self, ctx, *words: str) -> None:
        """Make a cluster of authenticated nodes from here (pcs cluster setup)."""
        run.setup(ctx, words)

    @command(usage=w.SERVICE["start"].usage, **_NODES)
    def do_start(self, ctx, *words: str) -> None:
        """Start corosync and crmshelld here, on the nodes named, or on all."""
        run.services(ctx, "start", words)

    @command(usage=w.SERVICE["stop"].usage, **_NODES)
    def do_stop(self, ctx, *words: str) -> None:
        """Stop crmshelld and corosync here, on the nodes named, or on all."""
        run.services(ctx, "stop", words)

    @command(usage=w.SERVICE["restart"].usage, **_NODES)
    def do_restart(self, ctx, *words: str) -> None:
        """Stop and start the cluster's services."""
        run.services(ctx, "restart", words)

    @command(usage=w.SERVICE["enable"].usage, **_NODES)
    def do_enable(self, ctx, *words: str) -> None:
        """Start the cluster's services at boot."""
        run.services(ctx, "enable", words)

    @command(usage=w.SERVICE["disable"].usage, **_NODES)
    def do_disable(self, ctx, *words: str) -> None:
        """Do not start the cluster's services at boot."""
        run.services(ctx, "disable", words)

    @command(usage=w.DESTROY.usage, **_NODES)
    def do_destroy(self, ctx, *words: str) -> None:
        """Stop the cluster and remove its configuration (asks first)."""
        run.destroy(ctx, words)

    @command(usage=w.RENAME.usage)
    def do_rename(self, ctx, *words: str) -> None:
        """Give the cluster a new name, on every node."""
        run.rename(ctx, words)

    @command(usage="status")
    def do_status(self, ctx) -> None:
        """The cluster services on this node (corosync, crmshelld) and the cluster's summary
        as `status` prints it; fails when crmshelld does not answer here."""
        source = ctx.source
        if not source.live:
            raise ShellError("cluster status: the session works on a CIB file, not on a "
                             "running cluster; drop --cib-file/CIB_file to ask this node")
        lines, text = service_lines(source)
        ctx.write("\n".join(lines))
        if text is None:
            raise ShellError("cluster status: the cluster is not running on this node "
                             "(crmshelld does not answer)")
        ctx.write("")
        ctx.write(text.rstrip("\n"))
