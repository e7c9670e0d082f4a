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
