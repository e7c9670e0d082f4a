"""Key bindings: Enter on a line ending in a backslash continues it on the next line.

Ctrl-C (cancel the line) and Ctrl-D on an empty line (leave the level) are prompt_toolkit's
own KeyboardInterrupt and EOFError, handled by the loop in app.py.
"""

from __future__ import annotations

from prompt_toolkit.filters import Condition
from prompt_toolkit.key_binding import KeyBindings


def shell_bindings() -> KeyBindings:
    bindings = KeyBindings()

    @Condition
    def continued() -> bool:
        from prompt_toolkit.application.current import get_app

        buffer = get_app().current_buffer
        return buffer.document.text_before_cursor.endswith("\\") and buffer.document.is_cursor_at_the_end

    @bindings.add("enter", filter=continued)
    def _(event) -> None:
        event.current_buffer.insert_text("\n")

    return bindings
