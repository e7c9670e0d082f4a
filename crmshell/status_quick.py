"""`crmshell status` on the live cluster without the shell around it.

The daemon renders the status, so the client only turns crm status's words into options and
prints the answer. Loading the levels, the walker and lxml would triple the time of a command
people run in loops (watch, monitoring scripts); the front end therefore tries this first
and falls back to the full shell for everything else, errors included.
"""

from __future__ import annotations

from typing import Mapping


def status_text(source, words) -> str:
    """What `status WORD...` prints, asked of crmshelld through a daemon source."""
    from daemon.status.options import crm_status_options

    from crmshell.errors import UsageError

    try:
        options = crm_status_options(["xml" if w == "--xml" else w for w in words])
    except ValueError as err:
        raise UsageError(str(err)) from None
    reply = source.call("status", {"format": "xml" if options.output == "xml" else "text",
                                   "options": options.changed()})
    return reply.body.decode("utf-8", "replace")


def try_quick_status(words: list[str], where, env: Mapping[str, str], out) -> bool:
    """Print the live status and return True; False when the full shell must answer (not
    the live cluster, or anything went wrong: it reports that properly)."""
    from crmshell.cib.choose import is_live, socket_path
    from crmshell.cib.live import DaemonSource
    from crmshell.errors import ShellError

    if not is_live(where, env):
        return False
    try:
        text = status_text(DaemonSource(socket_path(where, env)), words)
    except ShellError:
        return False
    out.write(text if text.endswith("\n") else text + "\n")
    return True
