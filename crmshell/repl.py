"""A minimal line-by-line interactive loop (the full prompt_toolkit REPL is its own issue)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crmshell.errors import ShellError, reportable
from crmshell.ui.walker import QuitSession

if TYPE_CHECKING:
    from crmshell.session import Session


def _ask(question: str, choices: list[str]) -> str:
    while True:
        answer = input(f"{question} [{'/'.join(choices)}] ").strip().lower()
        for choice in choices:
            if choice.startswith(answer) and answer:
                return choice


def _pending(ctx) -> None:
    from crmshell.levels.configure import commit

    answer = _ask("There are uncommitted changes. Commit them?", ["commit", "discard", "cancel"])
    if answer == "commit":
        commit(ctx)
    elif answer == "discard":
        ctx.drop_staged()
    else:
        raise ShellError("staying in configure")


def run_repl(session: "Session") -> int:
    ctx, walker = session.ctx, session.walker
    ctx.ask = _ask
    ctx.on_pending_changes = _pending
    ctx.location.source = "<stdin>"
    while True:
        label = ctx.source.label if _source_ok(ctx) else "live"
        prompt = f"crmshell({label}){'/'.join(walker.path())}# "
        try:
            line = input(prompt)
            while line.endswith("\\"):
                line = line + "\n" + input("> ")
        except EOFError:
            try:
                if len(walker.stack) > 1:
                    walker._leave()
                    continue
            except ShellError as err:
                ctx.error(str(err))
                continue
            print()
            return 0
        except KeyboardInterrupt:
            print()
            continue
        try:
            walker.execute(line)
        except QuitSession:
            try:
                walker.leave_all()
                return 0
            except ShellError as err:
                ctx.error(str(err))
        except reportable() as err:
            ctx.error(str(err))
        ctx.transaction.failed = False


def _source_ok(ctx) -> bool:
    try:
        ctx.source
        return True
    except ShellError:
        return False
