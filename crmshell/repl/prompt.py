"""The prompt text, crmsh's form: `crmshell(<cib>)<level-path># `."""

from __future__ import annotations

from crmshell.errors import ShellError


def cib_label(ctx) -> str:
    """`live`, the shadow's name or the CIB file's name; `live` if the source is unusable
    (the error shows when a command needs it, not in the prompt)."""
    try:
        return ctx.source.label
    except ShellError:
        return "live"


def prompt_text(label: str, path: list[str]) -> str:
    return f"crmshell({label}){'/'.join(path)}# "


def continuation(_width: int, _line_number: int, wrap_count: int) -> str:
    """What starts each screen row after the prompt's: `> ` on a continuation line (after a
    line ended in a backslash), nothing on the rest of a long line the terminal wrapped."""
    return "> " if wrap_count == 0 else ""
