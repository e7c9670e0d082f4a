"""Leaving `configure` with staged changes: show what would be committed, then ask.

`ask` is any function (question, choices) -> choice; the REPL passes one on prompt_toolkit,
tests pass a scripted one. A batch never comes here: it applies the batch rules.
"""

from __future__ import annotations

import difflib
from typing import Callable

from crmshell.errors import ShellError

QUESTION = "There are uncommitted changes. Commit them?"
CHOICES = ["commit", "discard", "cancel"]


def pending_diff(staged) -> list[str]:
    """The staged changes as a unified diff of the configuration language."""
    from crmshell.lang.render import render_configuration

    old = render_configuration(staged.base_configuration).splitlines()
    new = render_configuration(staged.configuration).splitlines()
    return list(difflib.unified_diff(old, new, "committed", "staged", lineterm="", n=1))


def pending_handler(ask: Callable[[str, list[str]], str]):
    def on_pending(ctx) -> None:
        from crmshell.levels.configure import commit

        ctx.write_lines(pending_diff(ctx.staged))
        answer = ask(QUESTION, CHOICES)
        if answer == "commit":
            commit(ctx)
        elif answer == "discard":
            ctx.drop_staged()
            ctx.info("changes discarded")
        else:
            raise ShellError("staying in configure; the changes are still staged")

    return on_pending


def pick(answer: str, choices: list[str]) -> str | None:
    """The choice an answer names (a unique prefix, any case), or None."""
    answer = answer.strip().lower()
    if not answer:
        return None
    hits = [c for c in choices if c.startswith(answer)]
    return hits[0] if len(hits) == 1 else None
