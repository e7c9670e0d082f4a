"""The `cibstatus` level, at the top and under configure as in crmsh: crmsh's editing of the
status section to simulate with.

The status is taken from the session's CIB (or `load`ed from the live CIB, a shadow or a
file), changed as crm_simulate's what-if events change it (node states, operation results,
tickets, quorum), and run through the scheduler with the staged configuration (`run`,
`simulate`, and `configure simulate`). Nothing reaches a CIB but through `save`.
"""

from __future__ import annotations

from pathlib import Path

from crmshell.completion import kinds as k
from crmshell.errors import ShellError, UsageError
from crmshell.ui.command import command
from crmshell.ui.level import Level


def session_status(ctx):
    """The CibStatus of the session, loaded from the session's CIB on first use."""
    from crmshell.staging.cib_status import CibStatus

    if ctx.cib_status is None:
        ctx.cib_status = CibStatus(_origin_of(ctx), ctx.source.load().root)
    return ctx.cib_status


def _origin_of(ctx) -> str:
    from crmshell.cib.shadow import shadow_dir

    source = ctx.source
    if source.live:
        return "live"
    path = Path(source.path)
    if path.name.startswith("shadow.") and path.parent == shadow_dir(ctx.env):
        return f"shadow:{path.name[len('shadow.'):]}"
    return str(path)


def _path_of(ctx, origin: str) -> Path:
    from crmshell.cib.shadow import shadow_path

    if origin.startswith("shadow:"):
        return shadow_path(ctx.env, origin[len("shadow:"):])
    return Path(origin)


def _load(ctx, origin: str):
    from crmshell.cib.choose import real_source
    from daemon.cib.document import parse_cib
    from daemon.cib.errors import CibError

    if origin == "live":
        return real_source(ctx.options.where, ctx.env).load().root
    path = _path_of(ctx, origin)
    try:
        return parse_cib(path.read_bytes(), source=str(path))
    except OSError as err:
        raise ShellError(f"cannot read {path}: {err.strerror}") from None
    except CibError as err:
        raise ShellError(str(err)) from None


def load_status(ctx, origin: str) -> None:
    from crmshell.staging.cib_status import CibStatus

    ctx.cib_status = CibStatus(origin, _load(ctx, origin))


_RUN_USAGE = "run [nograph] [v...] [scores]"
_SIMULATE_USAGE = "simulate [nograph] [v...] [scores]"


def _simulate_words(words: tuple[str, ...], usage: str) -> bool:
    """crmsh's run/simulate words: nograph and v... change nothing here, scores shows the
    scores; utilization is not supported (the scheduler does not place by it yet)."""
    scores = False
    for word in words:
        if word == "scores":
            scores = True
        elif word == "utilization":
            raise ShellError("utilization: crmshell's scheduler does not show (or place by) "
                             "utilization yet")
        elif word != "nograph" and word.strip("v"):
            raise UsageError(f"unexpected '{word}'; usage: {usage}")
    return scores


class CibStatusLevel(Level):
    name = "cibstatus"
    summary = "the status section to simulate with: nodes, operation results, tickets"

    @command(usage="load {<file>|shadow:<cib>|live}", completers=(k.FilePaths(),))
    def do_load(self, ctx, origin: str) -> None:
        """Take the status section from a CIB file, a shadow CIB or the live CIB."""
        load_status(ctx, origin)

    @command(usage="save [<file>|shadow:<cib>]", completers=(k.FilePaths(),))
    def do_save(self, ctx, dest: str | None = None) -> None:
        """Write the changed status section into its origin, a file or a shadow CIB."""
        from daemon.cib.errors import CibError
        from daemon.cib.persist import write_cib_file

        status = session_status(ctx)
        if not status.modified:
            raise ShellError("apparently you didn't modify status: nothing to save")
        target = dest or status.origin
        if target == "live":
            raise ShellError("cannot save status to the cluster")
        path = _path_of(ctx, target)
        doc = status.cib
        if path.exists():
            doc = status.over(_load(ctx, target))
            doc.set("num_updates", str(int(doc.get("num_updates", "0") or 0) + 1))
        try:
            write_cib_file(path, doc)
        except CibError as err:
            raise ShellError(f"save: {err}") from None

    def do_origin(self, ctx) -> None:
        """Where the status section comes from, and whether it was changed."""
        status = session_status(ctx)
        ctx.write(status.origin + (" (modified)" if status.modified else ""))

    @command(usage="show [changed]", completers=(k.choice("changed"),))
    def do_show(self, ctx, changed: str | None = None) -> None:
        """Show the status section as XML, or with `changed` the changes made to it."""
        from lxml import etree

        if changed not in (None, "changed"):
            raise UsageError(f"show: expected 'changed', got '{changed}'")
        status = session_status(ctx)
        if changed:
            ctx.write_lines(status.change_lines())
            return
        ctx.write(etree.tostring(status.status, pretty_print=True, encoding="unicode"))

    @command(usage="quorum <bool>", completers=(k.choice("true", "false"),))
    def do_quorum(self, ctx, value: str) -> None:
        """Say whether the cluster has quorum."""
        from daemon.cib.options import parse_boolean

        try:
            have = parse_boolean(value)
        except ValueError:
            raise UsageError(f"quorum: '{value}' is not a boolean") from None
        session_status(ctx).set_quorum(have)

    @command(usage="node <node> {online|offline|unclean}",
             completers=(k.NodeNames(), k.choice("online", "offline", "unclean")))
    def do_node(self, ctx, node: str, state: str) -> None:
        """Bring a node online, take it offline, or make it unclean (failed: to be fenced)."""
        session_status(ctx).set_node(node, state)

    @command(usage="ticket <ticket> {grant|revoke|activate|standby}",
             completers=(None, k.choice("grant", "revoke", "activate", "standby")))
    def do_ticket(self, ctx, ticket: str, change: str) -> None:
        """Grant, revoke, activate a ticket or make it standby."""
        session_status(ctx).set_ticket(ticket, change)

    @command(usage="op <operation> <resource> <exit_code> [<op_status>] [<node>]",
             completers=(k.choice("probe", "monitor", "start", "stop", "promote", "demote",
                                  "notify", "migrate_to", "migrate_from"),
                         k.ObjectIds(k.PRIMITIVES),
                         k.choice("success", "generic", "args", "unimplemented", "perm",
                                  "installed", "configured", "not_running", "master",
                                  "failed_master"),
                         k.choice("pending", "done", "cancelled", "timeout", "notsupported",
                                  "error"), k.NodeNames()))
    def do_op(self, ctx, op: str, resource: str, exit_code: str, op_status: str | None = None,
              node: str | None = None) -> None:
        """Record the outcome of a resource operation (its exit code, and status)."""
        from crmshell.staging.cib_status import OP_STATUSES

        if node is None and op_status is not None and op_status not in OP_STATUSES \
                and not op_status.lstrip("-").isdigit():
            op_status, node = None, op_status        # `op start d1 0 node1`
        session_status(ctx).set_op(op, resource, exit_code, op_status, node)

    # crmsh's `utilization` word is recognised (and refused) but not offered
    @command(usage=_RUN_USAGE, repeating=k.choice("nograph", "scores"))
    def do_run(self, ctx, *words: str) -> None:
        """What the cluster would do with this status and the staged configuration."""
        self._simulate(ctx, words, _RUN_USAGE, simulate=False)

    @command(usage=_SIMULATE_USAGE, repeating=k.choice("nograph", "scores"))
    def do_simulate(self, ctx, *words: str) -> None:
        """As run, then execute the transition and show the status after it."""
        self._simulate(ctx, words, _SIMULATE_USAGE, simulate=True)

    @staticmethod
    def _simulate(ctx, words, usage: str, *, simulate: bool) -> None:
        import time

        from crmshell.simulate_report import SimulateOptions, report_lines
        from daemon.scheduler.errors import SchedulerError

        opts = SimulateOptions(run=True, simulate=simulate, scores=_simulate_words(words, usage))
        try:
            lines = report_lines(session_status(ctx).over(ctx.staged.doc), opts,
                                 int(time.time()))
        except SchedulerError as err:
            raise ShellError(str(err)) from None
        ctx.write_lines(lines)
