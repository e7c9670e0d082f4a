"""Showing text to a person: configuration in colour when the output wants it, and
configuration and help through the pager when long.

Kept apart from `crmshell.highlight` so that the plain case (a pipe, a batch) never imports
pygments.
"""

from __future__ import annotations


def show_configuration(ctx, text: str, *, xml: bool = False) -> None:
    """Write configuration text for a person: highlighted when the output wants colour, through
    the pager (if one is set) when it is longer than the terminal at the prompt."""
    from crmshell.ui.preferences import colour_wanted, load_preferences

    if not ctx.options.colour and not ctx.options.interactive:
        ctx.write(text)
        return
    prefs = load_preferences(ctx.env)
    is_tty = _isatty(ctx.out)
    if colour_wanted(prefs, ctx.env, is_tty):
        from crmshell.highlight import highlight_config

        text = highlight_config(text, prefs.color or "default", xml=xml)
    if not _paged(ctx, prefs, text, is_tty):
        ctx.write(text)


def show_text(ctx, text: str) -> None:
    """Write plain text for a person (help): through the pager when it is set and the text is
    longer than the terminal at the prompt."""
    if not ctx.options.interactive:
        ctx.write(text)
        return
    from crmshell.ui.preferences import load_preferences

    if not _paged(ctx, load_preferences(ctx.env), text, _isatty(ctx.out)):
        ctx.write(text)


def _paged(ctx, prefs, text: str, is_tty: bool) -> bool:
    return bool(prefs.pager and ctx.options.interactive and is_tty and _too_long(text)
                and _page(prefs.pager, text))


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _too_long(text: str) -> bool:
    import shutil

    return text.count("\n") >= shutil.get_terminal_size().lines - 1


def _page(pager: str, text: str) -> bool:
    import shlex
    import subprocess

    try:
        argv = shlex.split(pager)
        subprocess.run(argv, input=text, text=True, check=False, timeout=24 * 3600)
        return True
    except (OSError, ValueError, subprocess.SubprocessError):
        return False
