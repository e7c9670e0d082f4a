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
