"""The REPL loop: one PromptSession wired from the small modules beside this one.

Statements go to the same walker as argv and batch input; only what happens around them
differs: errors are printed and the prompt comes back, Ctrl-C cancels the line, Ctrl-D leaves
the level (the shell at the top), and leaving `configure` with changes asks first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crmshell.errors import ShellError, internal_error, reportable
from crmshell.repl.pending import pending_handler, pick
from crmshell.repl.prompt import cib_label, continuation, prompt_text
from crmshell.ui.walker import QuitSession

if TYPE_CHECKING:
    from crmshell.session import Session


def build_session(session: "Session", env):
    """The PromptSession: completer, toolbar, lexer, history, bindings, style."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.lexers import PygmentsLexer
    from prompt_toolkit.output import ColorDepth

    from crmshell.highlight import CrmshellLexer
    from crmshell.repl.completer import ShellCompleter, toolbar
    from crmshell.repl.history import file_history
    from crmshell.repl.keys import shell_bindings
    from crmshell.repl.style import shell_style
    from crmshell.ui.preferences import colour_wanted, load_preferences

    ctx, walker = session.ctx, session.walker
    prefs = load_preferences(ctx.env)
    colour = colour_wanted(prefs, ctx.env, True)
    return PromptSession(
        completer=ShellCompleter(walker.path, env),
        complete_while_typing=False,
        bottom_toolbar=toolbar(walker.path, env),
        lexer=PygmentsLexer(CrmshellLexer) if colour else None,
        history=file_history(ctx.env),
        key_bindings=shell_bindings(),
        style=shell_style(prefs.color),
        color_depth=None if colour else ColorDepth.MONOCHROME,
        prompt_continuation=continuation,
        enable_history_search=True,
    )


def asker(prompt_session_factory):
    def ask(question: str, choices: list[str]) -> str:
        fallback = "cancel" if "cancel" in choices else choices[-1]
        while True:
            try:
                answer = prompt_session_factory().prompt(f"{question} [{'/'.join(choices)}] ")
            except (KeyboardInterrupt, EOFError):
                return fallback
            choice = pick(answer, choices)
            if choice is not None:
                return choice

    return ask


def run_repl(session: "Session") -> int:
    from prompt_toolkit import PromptSession

    ctx, walker = session.ctx, session.walker
    ctx.ask = asker(PromptSession)
    ctx.on_pending_changes = pending_handler(ctx.ask)
    ctx.location.source = "<stdin>"
    from crmshell.completion import ContextEnv

    env = ContextEnv(ctx, root=type(walker.stack[0]))
    prompt = build_session(session, env)
    if cib_label(ctx) != "live":  # a CIB file or shadow: have its ids ready for the first Tab
        env.refresh_in_background(load=True)
    while True:
        try:
            line = prompt.prompt(prompt_text(cib_label(ctx), walker.path()))
        except KeyboardInterrupt:
            continue  # the line is cancelled; the shell stays
        except EOFError:
            line = "quit" if len(walker.stack) == 1 else "up"
        with env.lock:  # the background refresh of completion waits for the command
            status = _run(ctx, walker, line)
        if status is not None:
            return status
        env.refresh_in_background()


def _run(ctx, walker, line: str) -> int | None:
    """Run one line; an exit status when the shell is to stop."""
    try:
        walker.execute(line)
    except QuitSession:
        return _quit(ctx, walker)
    except reportable() as err:
        ctx.error(str(err))
    except KeyboardInterrupt:
        ctx.error("interrupted")
    except Exception as err:  # noqa: BLE001 - a bug must not end the session and its changes
        ctx.err.write(internal_error(err, f"running '{line.strip()}'") + "\n")
    finally:
        ctx.transaction.failed = False
    return None


def _quit(ctx, walker) -> int | None:
    """Unwind the levels (asking about pending changes); None if the user chose to stay."""
    try:
        walker.leave_all()
    except ShellError as err:
        ctx.error(str(err))
        return None
    return 0
