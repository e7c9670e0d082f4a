"""Errors the shell reports to the user: each says what went wrong and, where known, where.

Commands raise these instead of printing, so the front end (REPL, one-shot, batch) decides
how to show them: a batch prefixes `FILE:LINE:COLUMN:`, the REPL just the message.
"""

from __future__ import annotations


class ShellError(Exception):
    """A refusal the user can act on; `column` (1-based, within the statement) when known."""

    def __init__(self, message: str, *, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return self.message


class Consequence(ShellError):
    """A refusal that follows from errors already reported (a commit after a failure): shown,
    but not counted again."""


class UsageError(ShellError):
    """A command was called with the wrong arguments; the message carries the usage line."""


class NeedsDaemon(ShellError):
    """The command needs the node daemon, which this build does not run yet."""


def reportable() -> tuple[type[BaseException], ...]:
    """Every error a command may raise for the user to read (not a bug): report, don't crash."""
    from crmshell.lang.errors import ParseError
    from daemon.cib.errors import CibError

    return (ShellError, ParseError, CibError)


def internal_error(err: BaseException, doing: str) -> str:
    """What to tell the user about a bug: what failed, and how to get the details.

    `CRMSHELL_DEBUG=1` shows the traceback for a report; otherwise it stays out of the way.
    """
    import os
    import traceback

    if os.environ.get("CRMSHELL_DEBUG"):
        return "".join(traceback.format_exception(err)).rstrip()
    return (f"internal error while {doing}: {type(err).__name__}: {err} -- this is a bug in "
            "crmshell; set CRMSHELL_DEBUG=1 to see where, and please report it")


def swallowed(err: BaseException, doing: str) -> None:
    """Note an error that is kept from the user so that typing goes on (completion, the
    toolbar): nothing in normal use; with `CRMSHELL_DEBUG` set, its traceback on stderr."""
    import os
    import sys
    import traceback

    if os.environ.get("CRMSHELL_DEBUG"):
        sys.stderr.write(f"crmshell: while {doing} (shown because CRMSHELL_DEBUG is set):\n"
                         + "".join(traceback.format_exception(err)))
        sys.stderr.flush()
