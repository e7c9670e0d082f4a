"""Levels that talk to the running cluster. The node daemon is not built yet, so their
commands say so plainly instead of pretending; the configuration is still reachable offline
through `configure` with --cib-file."""

from __future__ import annotations

from crmshell.completion import kinds as k
from crmshell.errors import NeedsDaemon
from crmshell.ui.command import command
from crmshell.ui.level import Level

# What the arguments of these commands name, for completion (level, command) -> kinds.
_RESOURCE_ARGS = {"completers": (k.ObjectIds(k.RESOURCES),), "repeating": k.ObjectIds(k.RESOURCES)}
_NODE_ARG = {"completers": (k.NodeNames(),)}
_ARGUMENTS: dict[tuple[str, str], dict] = {
    **{("resource", c): _RESOURCE_ARGS for c in ("status", "start", "stop", "restart", "clear",
                                                 "manage", "unmanage")},
    ("resource", "move"): {"completers": (k.ObjectIds(k.RESOURCES), k.NodeNames())},
    ("resource", "cleanup"): {"completers": (k.ObjectIds(k.RESOURCES), k.NodeNames())},
    **{("node", c): _NODE_ARG for c in ("show", "standby", "online", "maintenance", "ready",
                                        "fence")},
    **{("cluster", c): {"repeating": k.NodeNames()} for c in ("add", "remove", "start", "stop")},
}


def _needs_daemon(what: str):
    def do(self, ctx, *args: str) -> None:
        raise NeedsDaemon(f"{what} needs the crmshell node daemon, which this version does not "
                          "run yet; the configuration can be edited offline with "
                          "'crmshell --cib-file FILE configure'")

    do.__doc__ = f"{what} (needs the node daemon)"
    return do


def _entered(self) -> None:
    self.ctx.info(f"note: the {self.name} level needs the crmshell node daemon, which this "
                  "version does not run yet; its commands will say so")


def _level(name: str, summary: str, commands: dict[str, str]) -> type[Level]:
    attrs = {"name": name, "summary": summary + " (needs the node daemon)", "on_enter": _entered}
    for cmd, what in commands.items():
        mark = command(needs_daemon=True, **_ARGUMENTS.get((name, cmd), {}))
        attrs[f"do_{cmd}"] = mark(_needs_daemon(what))
    return type(f"{name.capitalize()}Level", (Level,), attrs)


_ResourceCommands = _level("resource", "manage resources", {
    "status": "resource status", "start": "starting a resource", "stop": "stopping a resource",
    "restart": "restarting a resource", "move": "moving a resource", "clear": "clearing a move",
    "cleanup": "cleaning up a resource", "manage": "managing a resource",
    "unmanage": "unmanaging a resource", "scores": "showing live placement scores",
})


class ResourceLevel(_ResourceCommands):
    @command()
    def do_scores(self, ctx) -> None:
        """Placement scores for every resource on every node, and what the scheduler would do."""
        from crmshell.simulate_cli import _Options, report_lines

        opts = _Options(run=True, scores=True, quiet=True)
        ctx.write_lines(report_lines(ctx.source.load(), opts, _now()))


def _now() -> int:
    import time

    return int(time.time())


NodeLevel = _level("node", "manage nodes", {
    "show": "showing nodes", "standby": "putting a node in standby",
    "online": "bringing a node online", "maintenance": "node maintenance mode",
    "ready": "leaving node maintenance mode", "fence": "fencing a node",
})
ClusterLevel = _level("cluster", "set up and run the cluster", {
    "init": "cluster init", "join": "cluster join", "add": "cluster add",
    "remove": "cluster remove", "start": "starting the cluster", "stop": "stopping the cluster",
    "status": "cluster status",
})
CorosyncLevel = _level("corosync", "membership layer configuration", {
    "show": "showing the ring configuration", "status": "ring status", "edit": "editing the ring configuration",
})
_StatusCommands = _level("status", "cluster status", {
    "show": "cluster status", "nodes": "node status", "resources": "resource status",
})


class StatusLevel(_StatusCommands):
    @command()
    def do_show(self, ctx) -> None:
        """The cluster's status as crm_mon shows it: nodes, resources, failures."""
        from crmshell.simulate_cli import _Options, report_lines

        lines = report_lines(ctx.source.load(), _Options(), _now())
        ctx.write_lines([line for line in lines if line != "Current cluster status:"])
