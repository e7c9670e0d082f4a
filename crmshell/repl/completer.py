"""The prompt_toolkit adapter around the pure completion engine, and the toolbar text."""

from __future__ import annotations

from typing import Callable, Iterable

from prompt_toolkit.completion import Completer, Completion

from crmshell.completion import CompletionEnv, complete, describe
from crmshell.errors import swallowed


MENU_LIMIT = 1000


class ShellCompleter(Completer):
    """Completes at the walker's current level; `path` is read on every Tab. At most
    MENU_LIMIT candidates are offered: past that, typing a few more letters is the way."""

    def __init__(self, path: Callable[[], list[str]], env: CompletionEnv) -> None:
        self.path = path
        self.env = env

    def get_completions(self, document, complete_event) -> Iterable[Completion]:
        cursor = document.cursor_position
        try:
            found = complete(self.path(), document.text, cursor, self.env, limit=MENU_LIMIT)
        except Exception as err:  # noqa: BLE001 - a bug in completion must not take the prompt down
            swallowed(err, f"completing {document.text_before_cursor!r}")
            return
        for cand in found:
            yield Completion(cand.text, start_position=cand.start - cursor,
                             display=cand.display, display_meta=cand.meta)


def toolbar(path: Callable[[], list[str]], env: CompletionEnv) -> Callable[[], str]:
    """The bottom toolbar: what the word being typed is (a parameter's description and default,
    an operation's advised attributes) or the usage of the command."""

    def text() -> str:
        from prompt_toolkit.application.current import get_app

        document = get_app().current_buffer.document
        try:
            return describe(path(), document.text, document.cursor_position, env) or " "
        except Exception as err:  # noqa: BLE001 - the toolbar must never break the prompt
            swallowed(err, f"describing {document.text_before_cursor!r} for the toolbar")
            return " "

    return text
