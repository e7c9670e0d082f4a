"""The `cluster` level. `status` works now: the cluster services on this node and the
cluster's summary, the first thing an administrator asks of a node (`pcs cluster status`,
`crm cluster status`). Setting a cluster up and taking it down (init, join, add, remove,
start, stop) come with bootstrap; until then those commands say so.

Corosync is asked directly (its IPC is this host's, or this sandbox node's), crmshelld
through the session's daemon source; each is reported whether or not the other answers,
and the command fails when crmshelld does not, as `pcs cluster status` does when the
cluster is not running here.
"""

from __future__ import annotations

from crmshell.errors import ShellError
from crmshell.levels.daemon_levels import daemon_level
from crmshell.ui.command import command


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


class ClusterLevel(daemon_level("cluster", "set up and run the cluster", {
        "init": "cluster init", "join": "cluster join", "add": "cluster add",
        "remove": "cluster remove", "start": "starting the cluster",
        "stop": "stopping the cluster"})):

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
