"""The root level: where the shell starts, holding every other level."""

from __future__ import annotations

from crmshell.completion import kinds as k
from crmshell.errors import ShellError, UsageError
from crmshell.levels.cib import CibLevel
from crmshell.levels.cibstatus import CibStatusLevel
from crmshell.levels.configure import ConfigureLevel
from crmshell.levels.corosync import CorosyncLevel
from crmshell.levels.cluster import ClusterLevel
from crmshell.levels.node import NodeLevel
from crmshell.levels.resource import ResourceLevel
from crmshell.levels.options import OptionsLevel
from crmshell.levels.status import StatusLevel
from crmshell.levels.ra import RaLevel
from crmshell.levels.site import SiteLevel
from crmshell.ui.command import command
from crmshell.ui.level import Level

ConfigureLevel.sublevels = {"cib": CibLevel, "ra": RaLevel, "cibstatus": CibStatusLevel}


class RootLevel(Level):
    name = ""
    summary = "crmshell"
    sublevels = {
        "configure": ConfigureLevel,
        "cib": CibLevel,
        "cibstatus": CibStatusLevel,  # crmsh has it here too, and under configure
        "ra": RaLevel,
        "resource": ResourceLevel,
        "node": NodeLevel,
        "cluster": ClusterLevel,
        "corosync": CorosyncLevel,
        "site": SiteLevel,
        "status": StatusLevel,
        "options": OptionsLevel,
    }

    @command(usage="simulate -x <file>|-p|-L [-R|-S|-X] [-s] [-Q] [<what-if> ...] [<save> ...]",
             repeating=k.FilePaths())
    def do_simulate(self, ctx, *args: str) -> None:
        """What the cluster would do, with crm_simulate's options and what-if events."""
        from daemon.cib.errors import CibError
        from daemon.scheduler.errors import SchedulerError

        from crmshell.simulate_cli import SimulateUsage, parse_args, run

        try:
            opts = parse_args(list(args))
        except SimulateUsage as err:
            raise UsageError(f"simulate: {err}") from None
        if opts.help:
            from crmshell.simulate_cli import usage_text
            ctx.write(usage_text())
            return
        try:
            lines = run(opts, cib=ctx.source.load().root if opts.live else None)
        except (SchedulerError, CibError, OSError) as err:
            raise ShellError(f"simulate: {err}") from None
        ctx.write_lines(lines)
