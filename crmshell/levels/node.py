"""The `node` level: standby, online, maintenance, attributes, clearstate, as crm_attribute
and crm_node do them; fence (node_fence.py).

Permanent node attributes (standby, maintenance, `attribute`, `utilization`) are
configuration edits committed at once through the session's CIB source, the same on a CIB
file and on the live cluster. Attributes that last until the node reboots live in the
status section of a running cluster, as does the node's state: those go to crmshelld.
"""

from __future__ import annotations

from crmshell.completion import kinds as k
from crmshell.errors import NeedsDaemon, ShellError, UsageError
from crmshell.levels.admin_common import apply_now, current_state, live_source, settle
from crmshell.levels.resource import check_attribute_action
from crmshell.ui.command import command
from crmshell.ui.level import Level

_NODE = {"completers": (k.NodeNames(),)}
_NODE_ATTR = {"completers": (k.NodeNames(), k.choice("set", "delete", "show"))}
_LIFETIMES = ("forever", "reboot")


class NodeLevel(Level):
    name = "node"
    summary = "manage nodes: standby, maintenance, attributes (on a CIB file or the cluster)"

    def _set(self, ctx, node: str | None, attr: str, value: str, lifetime: str = "forever") -> None:
        from crmshell.staging.admin import set_node_attribute

        if lifetime not in _LIFETIMES:
            raise UsageError(f"unknown lifetime '{lifetime}': use forever or reboot")
        node = self._node(ctx, node)
        if lifetime == "reboot":
            if not ctx.source.live:
                raise NeedsDaemon("an attribute until the next reboot lives in the running "
                                  "cluster's status and needs the node daemon; 'forever' works "
                                  "on a CIB file")
            source = ctx.source
            source.call("node", {"action": "attribute-set", "node": node, "name": attr,
                                 "value": value})
            settle(ctx)
        else:
            apply_now(ctx, lambda staged: set_node_attribute(staged, node, attr, value))
        ctx.report(f"{node}: {attr}={value}" + (" until it reboots" if lifetime == "reboot" else ""))

    @staticmethod
    def _node(ctx, node: str | None) -> str:
        """The node named, or on the live cluster the one crmshelld runs on (crmsh's default)."""
        if node is not None:
            return node
        if not ctx.source.live:
            raise NeedsDaemon("without a node name this means the local node, which only the "
                              "node daemon knows; name the node")
        name = ctx.source.hello().get("node")
        if not name:
            raise ShellError("crmshelld does not know its node name yet; name the node")
        return name

    @command(usage="standby [<node>] [forever|reboot]", **_NODE)
    def do_standby(self, ctx, node: str | None = None, lifetime: str = "forever") -> None:
        """Put a node in standby: its resources move away (standby=on)."""
        if node in _LIFETIMES:
            node, lifetime = None, node
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

    @command(usage="attribute <node> set|delete|show <name> [<value>]", **_NODE_ATTR)
    def do_attribute(self, ctx, node: str, action: str, name: str, value: str | None = None) -> None:
        """Set, delete or show a permanent node attribute."""
        self._config_attribute(ctx, "attribute", "instance_attributes", "", node, action,
                               name, value)

    @command(usage="utilization <node> set|delete|show <name> [<value>]", **_NODE_ATTR)
    def do_utilization(self, ctx, node: str, action: str, name: str,
                       value: str | None = None) -> None:
        """Set, delete or show a node's utilization attribute (capacity)."""
        self._config_attribute(ctx, "utilization", "utilization", "-utilization", node, action,
                               name, value)

    def _config_attribute(self, ctx, kind: str, set_tag: str, suffix: str, node: str,
                          action: str, name: str, value: str | None) -> None:
        from crmshell.staging.admin import require_node
        from crmshell.staging.attributes import delete_value, get_value, set_value

        check_attribute_action(kind, action, value)

        def edit(staged):
            elem = require_node(staged, node)
            if action == "show":
                return get_value(elem, set_tag, name)
            if action == "set":
                set_value(staged, elem, set_tag, f"nodes-{elem.get('id')}{suffix}", name, value)
            elif not delete_value(staged, elem, set_tag, name):
                raise ShellError(f"node {node} has no {kind} {name}")
            staged.mark_changed([node])
            return value

        result = apply_now(ctx, edit)
        self._said(ctx, kind, node, action, name, value, result)

    @command(name="status-attr", usage="status-attr <node> set|delete|show <name> [<value>]",
             **_NODE_ATTR)
    def do_status_attr(self, ctx, node: str, action: str, name: str,
                       value: str | None = None) -> None:
        """Set, delete or show a node attribute that lasts until the node reboots."""
        check_attribute_action("status-attr", action, value)
        source = live_source(ctx, "a node's status attribute")
        verb = {"set": "attribute-set", "delete": "attribute-delete", "show": "attribute-get"}
        args = {"action": verb[action], "node": node, "name": name,
                **({"value": value} if action == "set" else {})}
        result = source.call("node", args).result.get("value")
        self._said(ctx, "status-attr", node, action, name, value, result)
        if action != "show":
            settle(ctx)

    @staticmethod
    def _said(ctx, kind: str, node: str, action: str, name: str, value, result) -> None:
        if action == "show":
            if result is None:
                raise ShellError(f"node {node} has no {kind} {name}")
            ctx.write(f"scope={'status' if kind == 'status-attr' else 'nodes'}  name={name} "
                      f"value={result}")
        else:
            ctx.report(f"{node}: {kind} {name}" + (f"={value}" if action == "set" else " deleted"))

    @command(usage="clearstate <node>", **_NODE)
    def do_clearstate(self, ctx, node: str) -> None:
        """Forget a node's state (its resource history and transient attributes)."""
        live_source(ctx, "clearing a node's state").call("node", {"action": "clearstate",
                                                                   "node": node})
        ctx.report(f"state of {node} cleared")
        settle(ctx)

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

    @command(usage="fence <node> [reboot|off] [-y|--yes]",
             completers=(k.NodeNames(), k.choice("reboot", "off", "--yes")),
             repeating=k.choice("reboot", "off", "--yes"))
    def do_fence(self, ctx, node: str, *words: str) -> None:
        """Fence a node (reboot, or power it off) and say how it ended."""
        from crmshell.levels.node_fence import fence

        fence(ctx, node, words)


def _state_word(node) -> str:
    if node is None:
        return ""
    for attr, word in (("unclean", "UNCLEAN"), ("standby", "standby"),
                       ("maintenance", "maintenance")):
        if getattr(node, attr, False):
            return word
    return "online" if getattr(node, "online", False) else "offline"
