"""A shell session: one context and one walker, driven by argv, a batch, or a person.

The three front ends differ only in where statements come from and in what happens to pending
changes and errors; the commands they run are the same.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from crmshell.errors import reportable
from crmshell.ui.context import Options, ShellContext
from crmshell.ui.walker import QuitSession, Walker


def _needs_quotes(text: str) -> bool:
    return any(ch.isspace() or ch in "\"'\\" for ch in text)


def _double_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def quote_word(word: str) -> str:
    """Re-quote an argv word so the statement parser sees what the user's shell passed
    (`name=value` keeps its name bare, as one would type it)."""
    if word and not _needs_quotes(word):
        return word
    name, eq, value = word.partition("=")
    if eq and name and not _needs_quotes(name):
        return f"{name}={_double_quoted(value)}"
    return _double_quoted(word)


@dataclass
class Session:
    ctx: ShellContext
    walker: Walker

    @classmethod
    def create(cls, *, cib_file: str | None = None, force: bool = False,
               interactive: bool = False, socket: str | None = None, wait: bool = False,
               env=None, out=None, err=None) -> "Session":
        from crmshell.levels.root import RootLevel

        options = Options(cib_file=cib_file, force=force, interactive=interactive,
                          batch=not interactive, colour=sys.stdout.isatty(), socket=socket,
                          wait=wait)
        ctx = ShellContext(options=options, env=dict(os.environ if env is None else env),
                           out=out or sys.stdout, err=err or sys.stderr)
        return cls(ctx, Walker(ctx, RootLevel))

    def batch(self, text: str, source: str) -> int:
        from crmshell.batch import run_batch

        return run_batch(self.ctx, self.walker, text, source)

    def batch_in(self, level: list[str], text: str, source: str) -> int:
        """`crmshell configure < FILE`: the batch runs in that level, as crmsh runs it."""
        from crmshell.batch import run_batch

        self.walker.execute(" ".join(level))
        return run_batch(self.ctx, self.walker, text, source)

    def names_a_level(self, words: list[str]) -> bool:
        """Do `words` name a level (that does not run a command of its own when bare)?"""
        from crmshell.levels.root import RootLevel

        level = RootLevel
        for word in words:
            level = level.sublevels.get(word)
            if level is None:
                return False
        return bool(words) and getattr(level, "bare_command", None) is None

    def one_shot(self, words: list[str]) -> int:
        """`crmshell configure show`: one statement from argv, committed if it changed anything."""
        from crmshell.batch import report

        ctx = self.ctx
        ctx.location.source = "<command line>"
        text = " ".join(quote_word(w) for w in words)
        status = 0
        try:
            self.walker.execute(text)
        except QuitSession:
            pass
        except reportable() as err:
            ctx.transaction.fail()
            report(ctx, err, text)
            status = 1
        try:
            self.walker.leave_all()
        except reportable() as err:
            report(ctx, err, text)
            status = 1
        return status
