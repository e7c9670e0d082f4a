"""The `options` level: the shell's preferences, saved across sessions (see ui/preferences.py).

Each preference is a command: with no argument it shows the value, with one it sets and saves
it at once (as crmsh's `options` level does).
"""

from __future__ import annotations

from crmshell.completion import kinds as k
from crmshell.errors import ShellError, UsageError
from crmshell.ui.command import command
from crmshell.ui.level import Level


def _styles(args: list[str]) -> k.Choice:
    """The Pygments styles installed (asked when completing: a fixed list would go stale, and
    importing Pygments when the level is defined would slow every bash Tab)."""
    from pygments.styles import get_all_styles

    return k.Choice(tuple((name, "Pygments style") for name in sorted(get_all_styles())))


class OptionsLevel(Level):
    name = "options"
    summary = "preferences: editor, pager, colours, output (kept across sessions)"

    def _set(self, ctx, name: str, value: str | None) -> None:
        from crmshell.ui.preferences import load_preferences, save_preferences

        prefs = load_preferences(ctx.env)
        if value is None:
            ctx.write(f"{name} = {getattr(prefs, name)}")
            return
        setattr(prefs, name, value)
        try:
            path = save_preferences(ctx.env, prefs)
        except OSError as err:
            raise ShellError(f"options: cannot save {name}: {err.strerror or err}") from None
        ctx.info(f"{name} = {value} (saved in {path})")

    def do_show(self, ctx) -> None:
        """Show every preference and its value."""
        from dataclasses import asdict

        from crmshell.ui.preferences import load_preferences

        ctx.write_lines([f"{n} = {v}" for n, v in asdict(load_preferences(ctx.env)).items()])

    def do_editor(self, ctx, program: str | None = None) -> None:
        """Show or set the editor that `configure edit` runs."""
        self._set(ctx, "editor", program)

    def do_pager(self, ctx, program: str | None = None) -> None:
        """Show or set the pager for long output ("" for none)."""
        self._set(ctx, "pager", program)

    @command(aliases=("colorscheme",), completers=(k.Then(_styles),))
    def do_color(self, ctx, style: str | None = None) -> None:
        """Show or set the highlighting style (a Pygments style)."""
        if style is not None:
            from pygments.styles import get_style_by_name
            from pygments.util import ClassNotFound

            try:
                get_style_by_name(style)
            except ClassNotFound:
                raise UsageError(f"color: no Pygments style named '{style}'") from None
        self._set(ctx, "color", style)

    @command(usage="output [auto|color|plain]",
             completers=(k.Choice((("auto", "colour on a terminal unless NO_COLOR"),
                                   ("color", "always colour"), ("plain", "never colour"))),))
    def do_output(self, ctx, mode: str | None = None) -> None:
        """Show or set when output is highlighted: auto, color or plain."""
        from crmshell.ui.preferences import OUTPUT_MODES

        if mode is not None and mode not in OUTPUT_MODES:
            raise UsageError(f"output: expected one of {', '.join(OUTPUT_MODES)}, found '{mode}'")
        self._set(ctx, "output", mode)

    def do_reset(self, ctx) -> None:
        """Forget every preference (back to the defaults)."""
        from crmshell.ui.preferences import Preferences, save_preferences

        try:
            save_preferences(ctx.env, Preferences())
        except OSError as err:
            raise ShellError(f"options: cannot save: {err.strerror or err}") from None
