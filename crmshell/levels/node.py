"""The `node` level: standby, online, maintenance, ready and show, as crm_attribute does them.

On a CIB file (or shadow) these set permanent node attributes, committed at once; an
attribute that lasts until the node reboots lives in the status section of a running cluster
and needs the node daemon, as does fencing.
"""

from __future__ import annotations

from crmshell.completion import kinds as k
from crmshell.errors import NeedsDaemon, ShellError, UsageError
from crmshell.levels.admin_common import apply_now, current_state
from crmshell.levels.daemon_levels import needs_daemon_command
from crmshell.ui.command import command
from crmshell.ui.level import Level

_NODE = {"completers": (k.NodeNames(),)}
_LIFETIMES = ("forever", "reboot")


class NodeLevel(Level):
    name = "node"
    summary = "manage nodes: standby, maintenance, attributes (on a CIB file or the cluster)"

    def _set(self, ctx, node: str | None, attr: str, value: str, lifetime: str = "forever") -> None:
        from crmshell.staging.admin import set_node_attribute

        if node is None:
            raise NeedsDaemon("without a node name this means the local node, which only the "
                              "node daemon knows; name the node")
        if lifetime not in _LIFETIMES:
            raise UsageError(f"unknown lifetime '{lifetime}': use forever or reboot")
        if lifetime == "reboot":
            raise NeedsDaemon("an attribute until the next reboot lives in the running cluster's "
                              "status and needs the node daemon; 'forever' works on a CIB file")
        apply_now(ctx, lambda staged: set_node_attribute(staged, node, attr, value))
        ctx.info(f"{node}: {attr}={value}")

    @command(usage="standby [<node>] [forever|reboot]", **_NODE)
    def do_standby(self, ctx, node: str | None = None, lifetime: str = "forever") -> None:
        """Put a node in standby: its resources move away (standby=on)."""
        self._set(ctx, node, "standby", "on", lifetime)

    @command(usage="online [<node>]", **_NODE)
    def do_online(self, ctx, node: str | None = None) -> None:
        """Bring a node back from standby (standby=off)."""
        self._set(ctx, node, "standby", "off")

    @command(usage="maintenance [<node>]", **_NODE)
    def do_maintenance(self, ctx, node: str | None = None) -> None:
        """Put a node in maintenance mode: its resources are left alone (maintenance=true)."""
        self._set(ctx, node, "maintenance", "true")

    @command(usage="ready [<node>]", **_NODE)
    def do_ready(self, ctx, node: str | None = None) -> None:
        """Take a node out of maintenance mode (maintenance=false)."""
        self._set(ctx, node, "maintenance", "false")

    @command(usage="show [<node>]", **_NODE)
    def do_show(self, ctx, node: str | None = None) -> None:
        """Nodes, their state (from the status section) and their attributes."""
        conf_nodes = list(ctx.source.load().root.iterfind("configuration/nodes/node"))
        if node is not None:
            conf_nodes = [n for n in conf_nodes if node in (n.get("uname"), n.get("id"))]
            if not conf_nodes:
                raise ShellError(f"node {node} does not exist")
        state = current_state(ctx)
        lines = []
        for elem in conf_nodes:
            uname = elem.get("uname") or elem.get("id")
            known = state.find_node(uname)
            status = _state_word(known)
            lines.append(f"{uname}({elem.get('id')}): {elem.get('type', 'member')} {status}".rstrip())
            for pair in elem.iterfind("instance_attributes/nvpair"):
                lines.append(f"\t{pair.get('name')}={pair.get('value')}")
            for pair in elem.iterfind("utilization/nvpair"):
                lines.append(f"\tutilization: {pair.get('name')}={pair.get('value')}")
        ctx.write_lines(lines)

    do_fence = needs_daemon_command("fencing a node", **_NODE)
    do_clearstate = needs_daemon_command("clearing a node's state", **_NODE)


def _state_word(node) -> str:
    if node is None:
        return ""
    for attr, word in (("unclean", "UNCLEAN"), ("standby", "standby"),
                       ("maintenance", "maintenance")):
        if getattr(node, attr, False):
            return word
    return "online" if getattr(node, "online", False) else "offline"
