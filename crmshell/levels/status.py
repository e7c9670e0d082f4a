"""`status`: what `crm status` prints, from the session's CIB source.

On the live cluster the daemon renders it (the `status` op), so a `crmshell status` process
needs neither lxml nor the scheduler; on a CIB file or shadow the same renderer runs here,
printing what `CIB_file=X crm_mon -1` prints. `status` alone is crmsh's summary (`crm_mon
-1 -r`); the words add crm_mon's switches; `--xml` gives crm_mon's XML.
"""

from __future__ import annotations

from crmshell.completion import kinds as k
from crmshell.errors import ShellError, UsageError
from crmshell.ui.command import command
from crmshell.ui.level import Level
from daemon.status.options import CRM_STATUS_WORDS



class StatusLevel(Level):
    name = "status"
    summary = "cluster status, as crm status prints it"
    # `status` and `status bynode` run `show` at once, as crmsh's `status` command does.
    bare_command = "show"

    @command(usage="show [bynode|inactive|ops|timing|failcounts|detail|tickets|noheaders|full|"
                   "brief|quiet|xml|simple ...] [--xml] [--fence-history[=0-3]]",
             repeating=k.Choice(
                 tuple((w, "crm status option") for w in (*CRM_STATUS_WORDS, "--xml"))
                 + tuple((f"--fence-history={n}", "crm_mon's fencing history level")
                         for n in range(4))))
    def do_show(self, ctx, *words: str) -> None:
        """The cluster's status as crm_mon shows it: summary, nodes, resources, failures."""
        from daemon.status.options import crm_status_options

        from crmshell.status_quick import status_text

        source = ctx.source
        if source.live:
            ctx.write(status_text(source, words))
            return
        try:
            options = crm_status_options(["xml" if w == "--xml" else w for w in words])
        except ValueError as err:
            raise UsageError(str(err)) from None
        _require_cib(source)
        ctx.write(_offline(source.load().root, options, options.output == "xml"))


def _require_cib(source) -> None:
    """A missing CIB file reads as an empty CIB, which is right for `configure` (the first
    commit creates it) but would show a cluster of nothing; crm_mon refuses there, so say it."""
    path = getattr(source, "path", None)
    if path is not None and not path.exists():
        raise ShellError(f"{path}: there is no CIB file: no cluster status to show "
                         "(the first configure commit creates it)")


def _offline(root, options, xml: bool) -> str:
    import time

    from daemon.status import render_text, render_xml

    if xml:
        return render_xml(root, now=time.time(), options=options).decode("utf-8")
    return "\n".join(render_text(root, now=time.time(), options=options))
