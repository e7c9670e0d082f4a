"""Commands the daemon does not answer yet (most of cluster): they say so plainly instead of
pretending, and so do single commands elsewhere (`needs_daemon_command`: corosync
show and edit). The resource, node and status levels work on a CIB file and on the live
cluster alike."""

from __future__ import annotations

from crmshell.completion import kinds as k
from crmshell.errors import NeedsDaemon
from crmshell.ui.command import command
from crmshell.ui.level import Level

# What the arguments of these commands name, for completion (level, command) -> kinds.
_ARGUMENTS: dict[tuple[str, str], dict] = {
    **{("cluster", c): {"repeating": k.NodeNames()} for c in ("add", "remove", "start", "stop")},
}


def needs_daemon_command(what: str, **completion):
    """A command the node daemon will answer; today it says so."""
    return command(needs_daemon=True, **completion)(_needs_daemon(what))


def _needs_daemon(what: str):
    def do(self, ctx, *args: str) -> None:
        raise NeedsDaemon(f"{what} needs the crmshell node daemon, which this version does not "
                          "run yet; the configuration can be edited offline with "
                          "'crmshell --cib-file FILE configure'")

    do.__doc__ = f"{what} (needs the node daemon)"
    return do


def _entered(self) -> None:
    self.ctx.info(f"note: most of the {self.name} level comes with bootstrap, which this "
                  "version does not have yet; those commands say so")


def daemon_level(name: str, summary: str, commands: dict[str, str]) -> type[Level]:
    """A level whose `commands` the node daemon will answer; today they say so."""
    attrs = {"name": name, "summary": summary, "on_enter": _entered}
    for cmd, what in commands.items():
        mark = command(needs_daemon=True, **_ARGUMENTS.get((name, cmd), {}))
        attrs[f"do_{cmd}"] = mark(_needs_daemon(what))
    return type(f"{name.capitalize()}Level", (Level,), attrs)


