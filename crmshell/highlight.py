"""Highlighting of the configuration language with Pygments, for the prompt and for `show`.

Pygments ships `CrmshLexer` for crmsh's language; `CrmshellLexer` adds what our grammar reads
beyond it (bundle, alert, monitor, master, xml, op_params/op_meta, Pacemaker 3 role names,
kinds such as Mandatory:, scores written as INFINITY). Only text is returned: the caller
decides whether the output is a terminal (see `ui.preferences.colour_wanted`).
"""

from __future__ import annotations

from pygments.lexer import inherit, words
from pygments.lexers import CrmshLexer
from pygments.token import Keyword, Name, Number, Operator, Punctuation

_BOUNDARY = r"(?![\w#$-])"


class CrmshellLexer(CrmshLexer):
    name = "crmshell"
    aliases = ["crmshell"]
    filenames = ["*.crm"]

    tokens = {
        "root": [
            (words(("bundle", "alert", "monitor", "master", "collocation", "resource", "xml",
                    "fencing-topology", "docker", "podman", "rkt", "network", "storage",
                    "port-mapping", "storage-mapping", "select", "to", "op_params", "op_meta"),
                   suffix=_BOUNDARY), Keyword),
            (r"(?i)([+-]?(?:inf|infinity))(:)", Number),
            (r"(?i)(mandatory|optional|serialize)(:)",
             lambda lexer, match: [(match.start(1), Keyword, match.group(1)),
                                   (match.start(2), Punctuation, match.group(2))]),
            (r"([\w#$-]+)(:)(Promoted|Unpromoted)" + _BOUNDARY,
             lambda lexer, match: [(match.start(1), Name, match.group(1)),
                                   (match.start(2), Punctuation, match.group(2)),
                                   (match.start(3), Operator.Word, match.group(3))]),
            inherit,
        ],
    }


def highlight_config(text: str, style: str = "default", *, xml: bool = False) -> str:
    """`text` with terminal colour escapes; an unknown style falls back to the default."""
    from pygments import highlight
    from pygments.formatters import Terminal256Formatter
    from pygments.lexers import XmlLexer
    from pygments.util import ClassNotFound

    try:
        formatter = Terminal256Formatter(style=style)
    except ClassNotFound:
        formatter = Terminal256Formatter(style="default")
    out = highlight(text, XmlLexer() if xml else CrmshellLexer(), formatter)
    return out if text.endswith("\n") else out.rstrip("\n")


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
        text = highlight_config(text, prefs.color or "default", xml=xml)
    if prefs.pager and ctx.options.interactive and is_tty and _too_long(text):
        if _page(prefs.pager, text):
            return
    ctx.write(text)


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
