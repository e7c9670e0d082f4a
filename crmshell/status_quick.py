"""`crmshell status` on the live cluster without the shell around it.

The daemon renders the status, so the client only turns crm status's words into options and
prints the answer. Loading the levels, the walker and lxml would triple the time of a command
people run in loops (watch, monitoring scripts); the front end therefore tries this first
and falls back to the full shell for everything else, errors included.
"""

from __future__ import annotations


def _options(words):
    from daemon.status.options import crm_status_options

    return crm_status_options(["xml" if w == "--xml" else w for w in words])


def _request(options) -> tuple[str, dict]:
    return "status", {"format": "xml" if options.output == "xml" else "text",
                      "options": options.changed()}


def status_text(source, words) -> str:
    """What `status WORD...` prints, asked of crmshelld through a daemon source."""
    from crmshell.errors import UsageError

    try:
        options = _options(words)
    except ValueError as err:
        raise UsageError(str(err)) from None
    reply = source.call(*_request(options))
    return reply.body.decode("utf-8", "replace")


def try_quick_status(words: list[str], where, env, out) -> bool:
    """Print the live status and return True; False when the full shell must answer (not
    the live cluster, or anything went wrong: it reports that properly, with the same
    request through its daemon source)."""
    from crmshell.cib.where import is_live, socket_path

    if not is_live(where, env):
        return False
    from daemon.api.client import ApiClient
    from daemon.api.errors import ApiError

    try:
        options = _options(words)
        with ApiClient(socket_path(where, env)) as client:
            reply = client.call(*_request(options))
    except (ValueError, ApiError, OSError):
        return False
    text = reply.body.decode("utf-8", "replace")
    out.write(text if text.endswith("\n") else text + "\n")
    return True
