"""The `resource` level: start, stop, move, ban, cleanup... as crm_resource does them.

Configuration edits (target-role, is-managed, move and ban constraints, parameters) are
committed at once through the session's CIB source, the same code on a CIB file and on the
live cluster; what acts on running resources (cleanup, refresh, fail counts) asks crmshelld.
Every write says what it did; with -w/--wait it returns once the cluster has done it.
"""

from __future__ import annotations

from crmshell.completion import kinds as k
from crmshell.errors import ShellError, UsageError
from crmshell.levels.admin_common import apply_now, current_state, live_source, settle
from crmshell.ui.command import command
from crmshell.ui.level import Level

_RESOURCES = {"completers": (k.ObjectIds(k.RESOURCES),), "repeating": k.ObjectIds(k.RESOURCES)}
_RSC_NODE = {"completers": (k.ObjectIds(k.RESOURCES), k.NodeNames())}
_ATTR_ACTIONS = ("set", "delete", "show")
_ATTR = {"completers": (k.ObjectIds(k.RESOURCES), k.choice(*_ATTR_ACTIONS))}
# (set tag, id suffix of a new set) for param, meta, utilization
_SETS = {"param": ("instance_attributes", "instance_attributes"),
         "meta": ("meta_attributes", "meta_attributes"),
         "utilization": ("utilization", "utilization")}


class ResourceLevel(Level):
    name = "resource"
    summary = "manage resources: start, stop, move, ban, cleanup (on a CIB file or the cluster)"

    def _set_meta(self, ctx, names: tuple[str, ...], attr: str, value: str) -> None:
        from crmshell.staging.admin import resources_named, set_meta

        if not names:
            raise ShellError("name at least one resource")

        def edit(staged):
            return [set_meta(staged, elem, attr, value)
                    for elem in resources_named(staged, list(names))]

        for target in apply_now(ctx, edit):
            ctx.report(f"{target}: {attr}={value}")

    @command(usage="start <rsc> [<rsc> ...]", **_RESOURCES)
    def do_start(self, ctx, *resources: str) -> None:
        """Let resources run (target-role=Started)."""
        self._set_meta(ctx, resources, "target-role", "Started")

    @command(usage="stop <rsc> [<rsc> ...]", **_RESOURCES)
    def do_stop(self, ctx, *resources: str) -> None:
        """Stop resources (target-role=Stopped)."""
        self._set_meta(ctx, resources, "target-role", "Stopped")

    @command(usage="restart <rsc> [<rsc> ...]", **_RESOURCES)
    def do_restart(self, ctx, *resources: str) -> None:
        """Stop resources, wait until they are stopped, start them again."""
        live_source(ctx, "restarting a resource")
        self._set_meta(ctx, resources, "target-role", "Stopped")
        settle(ctx, always=True)
        self._set_meta(ctx, resources, "target-role", "Started")

    @command(usage="promote <rsc>", completers=(k.ObjectIds(k.RESOURCES),))
    def do_promote(self, ctx, rsc: str) -> None:
        """Let a promotable clone's instances be promoted (target-role=Promoted)."""
        self._promotable(ctx, rsc)
        self._set_meta(ctx, (rsc,), "target-role", "Promoted")

    @command(usage="demote <rsc>", completers=(k.ObjectIds(k.RESOURCES),))
    def do_demote(self, ctx, rsc: str) -> None:
        """Keep a promotable clone's instances unpromoted (target-role=Unpromoted)."""
        self._promotable(ctx, rsc)
        self._set_meta(ctx, (rsc,), "target-role", "Unpromoted")

    @staticmethod
    def _promotable(ctx, rsc: str) -> None:
        from crmshell.staging import objects as obj
        from crmshell.staging.attributes import get_value
        from crmshell.staging.staged import StagedCib

        elem = StagedCib(ctx.source).find(rsc)
        if elem is None:
            raise ShellError(f"resource {rsc} does not exist")
        holder = elem
        while holder is not None:
            if holder.tag == "master" or (holder.tag == "clone" and str(
                    get_value(holder, "meta_attributes", "promotable")).lower() in ("true", "1", "yes")):
                return
            holder = obj.container_of(holder)
        raise ShellError(f"{rsc} is not a promotable clone (nor in one)")

    @command(usage="manage <rsc> [<rsc> ...]", **_RESOURCES)
    def do_manage(self, ctx, *resources: str) -> None:
        """Let the cluster start and stop resources again (is-managed=true)."""
        self._set_meta(ctx, resources, "is-managed", "true")

    @command(usage="unmanage <rsc> [<rsc> ...]", **_RESOURCES)
    def do_unmanage(self, ctx, *resources: str) -> None:
        """Leave resources alone: the cluster neither starts nor stops them (is-managed=false)."""
        self._set_meta(ctx, resources, "is-managed", "false")

    @command(usage="maintenance <rsc> [on|off]",
             completers=(k.ObjectIds(k.RESOURCES), k.choice("on", "off")))
    def do_maintenance(self, ctx, rsc: str, mode: str = "on") -> None:
        """Put a resource in maintenance mode (maintenance=true) or take it out (off)."""
        values = {"on": "true", "true": "true", "off": "false", "false": "false"}
        if mode not in values:
            raise UsageError(f"maintenance: '{mode}' is neither on nor off")
        self._set_meta(ctx, (rsc,), "maintenance", values[mode])

    # -- placement -------------------------------------------------------------------------
    @command(aliases=("migrate",), usage="move <rsc> [<node>] [<lifetime>]", **_RSC_NODE)
    def do_move(self, ctx, rsc: str, node: str | None = None,
                lifetime: str | None = None) -> None:
        """Move a resource to a node, or away from where it runs now (with no node)."""
        from crmshell.staging.admin import move

        if node is not None and lifetime is None and _is_lifetime(node):
            raise ShellError(f"move: '{node}' is a lifetime; name the node before it")
        if node is None:
            self._ban(ctx, rsc, None, None)
            return
        cid = apply_now(ctx, lambda staged: move(staged, rsc, node, lifetime=lifetime))
        ctx.report(f"Move constraint created for {rsc} to {node}")
        ctx.report(_clear_hint(rsc, cid, lifetime))

    @command(usage="ban <rsc> [<node>] [<lifetime>]", **_RSC_NODE)
    def do_ban(self, ctx, rsc: str, node: str | None = None,
               lifetime: str | None = None) -> None:
        """Keep a resource off a node (by default, off where it runs now)."""
        if node is not None and lifetime is None and _is_lifetime(node):
            node, lifetime = None, node
        self._ban(ctx, rsc, node, lifetime)

    def _ban(self, ctx, rsc: str, node: str | None, lifetime: str | None) -> None:
        from crmshell.staging.admin import ban

        nodes = [node] if node else self._running_on(ctx, rsc)
        if not nodes:
            raise ShellError(f"{rsc} is not running anywhere; name the node")
        made = apply_now(ctx, lambda staged: [ban(staged, rsc, n, lifetime=lifetime)
                                              for n in nodes])
        for where, cid in zip(nodes, made):
            ctx.report(f"Ban constraint created for {rsc} on {where}")
        ctx.report(_clear_hint(rsc, ", ".join(made), lifetime))

    @command(aliases=("unmove", "unmigrate"), usage="clear <rsc>",
             completers=(k.ObjectIds(k.RESOURCES),))
    def do_clear(self, ctx, rsc: str) -> None:
        """Remove the constraints move and ban left for a resource."""
        from crmshell.staging.admin import clear

        gone = apply_now(ctx, lambda staged: clear(staged, rsc))
        ctx.report(f"Removed migration constraints for {rsc}: {', '.join(gone)}" if gone
                   else f"{rsc} had no move or ban constraints")

    @command(aliases=("locate",), usage="status [<rsc> ...]", repeating=k.ObjectIds(k.RESOURCES))
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

        from crmshell.simulate_report import SimulateOptions, report_lines

        opts = SimulateOptions(run=True, scores=True)     # crmsh runs crm_simulate -s -L
        ctx.write_lines(report_lines(ctx.source.load().root, opts, int(time.time())))

    def _running_on(self, ctx, rsc: str) -> list[str]:
        located = _locate(current_state(ctx))
        if rsc not in located:
            raise ShellError(f"resource {rsc} does not exist")
        return located[rsc][0]

    # -- on the running cluster ------------------------------------------------------------
    @command(usage="cleanup [<rsc>] [<node>]", **_RSC_NODE)
    def do_cleanup(self, ctx, rsc: str | None = None, node: str | None = None) -> None:
        """Forget a resource's failures (and fail counts) so the cluster tries it again."""
        self._clean(ctx, "cleanup", rsc, node)

    @command(usage="refresh [<rsc>] [<node>]", **_RSC_NODE)
    def do_refresh(self, ctx, rsc: str | None = None, node: str | None = None) -> None:
        """Forget a resource's whole history so the cluster probes it again."""
        self._clean(ctx, "refresh", rsc, node)

    def _clean(self, ctx, action: str, rsc: str | None, node: str | None) -> None:
        source = live_source(ctx, f"{action} of a resource")
        args = {"action": action, **({"rsc": rsc} if rsc else {}), **({"node": node} if node else {})}
        done = source.call("resource", args).result
        names = done.get("resources") or ([rsc] if rsc else [])
        where = f" on {node}" if node else ""
        ctx.report(f"Cleaned up {', '.join(names)}{where}" if names and done.get("changes")
                   else f"nothing to clean up for {rsc or 'any resource'}{where}")
        settle(ctx)

    @command(usage="failcount <rsc> set|delete|show <node> [<value>]",
             completers=(k.ObjectIds(k.RESOURCES), k.choice(*_ATTR_ACTIONS), k.NodeNames()))
    def do_failcount(self, ctx, rsc: str, action: str, node: str, value: str | None = None) -> None:
        """Show, reset or set a resource's fail count on a node."""
        if action not in _ATTR_ACTIONS:
            raise UsageError(f"failcount: '{action}' is not one of {', '.join(_ATTR_ACTIONS)}")
        if action == "show":
            ctx.write(f"scope=status  name=fail-count-{rsc} value={self._failcount(ctx, rsc, node)}")
            return
        source = live_source(ctx, "changing a fail count")
        if action == "delete" or value == "0":
            source.call("resource", {"action": "failcount-delete", "rsc": rsc, "node": node})
            ctx.report(f"fail count of {rsc} on {node} cleared")
        elif value is None:
            raise UsageError("failcount: set needs a value; usage: failcount <rsc> set <node> <value>")
        else:
            source.call("node", {"action": "attribute-set", "node": node,
                                 "name": f"fail-count-{rsc}", "value": value})
            ctx.report(f"fail count of {rsc} on {node} set to {value}")
        settle(ctx)

    @staticmethod
    def _failcount(ctx, rsc: str, node: str) -> str:
        """The sum over operations, as crm_failcount shows it; from the CIB's status section."""
        from daemon.admin_ops import AdminError, failcounts
        from daemon.scheduler import scores

        source = ctx.source
        try:
            counts = source.call("resource", {"action": "failcount", "rsc": rsc, "node": node}) \
                .result.get("failcounts", []) if source.live \
                else failcounts(source.load().root, rsc, node)
        except AdminError as err:
            raise ShellError(str(err)) from None
        total = 0
        for entry in counts:
            total = scores.add(total, scores.parse(str(entry.get("value") or 0)))
        return scores.text(total)

    # -- attributes ------------------------------------------------------------------------
    @command(usage="param <rsc> set|delete|show <name> [<value>]", **_ATTR)
    def do_param(self, ctx, rsc: str, action: str, name: str, value: str | None = None) -> None:
        """Set, delete or show an instance attribute (parameter) of a resource."""
        self._attribute(ctx, "param", rsc, action, name, value)

    @command(usage="meta <rsc> set|delete|show <name> [<value>]", **_ATTR)
    def do_meta(self, ctx, rsc: str, action: str, name: str, value: str | None = None) -> None:
        """Set, delete or show a meta attribute of a resource."""
        self._attribute(ctx, "meta", rsc, action, name, value)

    @command(usage="utilization <rsc> set|delete|show <name> [<value>]", **_ATTR)
    def do_utilization(self, ctx, rsc: str, action: str, name: str,
                       value: str | None = None) -> None:
        """Set, delete or show a utilization attribute of a resource."""
        self._attribute(ctx, "utilization", rsc, action, name, value)

    def _attribute(self, ctx, kind: str, rsc: str, action: str, name: str,
                   value: str | None) -> None:
        from crmshell.staging.admin import resources_named
        from crmshell.staging.attributes import delete_value, get_value, set_value

        set_tag, suffix = _SETS[kind]
        check_attribute_action(kind, action, value)

        def edit(staged):
            elem = resources_named(staged, [rsc])[0]
            if action == "show":
                return get_value(elem, set_tag, name)
            if action == "set":
                set_value(staged, elem, set_tag, f"{rsc}-{suffix}", name, value)
                staged.mark_changed([rsc])
                return value
            if not delete_value(staged, elem, set_tag, name):
                raise ShellError(f"{rsc} has no {kind} attribute {name}")
            staged.mark_changed([rsc])
            return None

        result = apply_now(ctx, edit)
        if action == "show":
            if result is None:
                raise ShellError(f"{rsc} has no {kind} attribute {name}")
            ctx.write(result)
        else:
            ctx.report(f"{rsc}: {kind} {name}" + (f"={value}" if action == "set" else " deleted"))

    # -- views -----------------------------------------------------------------------------
    @command(usage="operations [<rsc>] [<node>]", **_RSC_NODE)
    def do_operations(self, ctx, rsc: str | None = None, node: str | None = None) -> None:
        """The operations recorded for resources (crm_resource -O), from the status section."""
        from crmshell.levels.resource_views import operation_lines

        ctx.write_lines(operation_lines(ctx.source.load().root, rsc, node))

    @command(usage="constraints <rsc>", completers=(k.ObjectIds(k.RESOURCES),))
    def do_constraints(self, ctx, rsc: str) -> None:
        """The constraints that name a resource, as `configure show` prints them."""
        from crmshell.levels.resource_views import constraint_lines

        ctx.write_lines(constraint_lines(ctx.source.load().root, rsc))


def check_attribute_action(kind: str, action: str, value: str | None) -> None:
    """crmsh's `<kind> <target> set|delete|show <name> [<value>]` rules."""
    if action not in _ATTR_ACTIONS:
        raise UsageError(f"{kind}: '{action}' is not one of {', '.join(_ATTR_ACTIONS)}")
    if action == "set" and value is None:
        raise UsageError(f"{kind}: set needs a value")
    if action != "set" and value is not None:
        raise UsageError(f"{kind}: {action} takes no value")


def _clear_hint(rsc: str, cid: str, lifetime: str | None) -> str:
    until = f" (or it expires after {lifetime})" if lifetime else ""
    return f"Use 'crmshell resource clear {rsc}' to remove {cid}{until}"


def _is_lifetime(text: str) -> bool:
    from crmshell.staging.admin import parse_lifetime

    if not text.startswith("P"):
        return False
    try:
        parse_lifetime(text)
        return True
    except ShellError:
        return False


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
