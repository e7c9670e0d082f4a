"""Colours at the prompt: the Pygments style chosen with `options color`, plus the toolbar."""

from __future__ import annotations


def shell_style(name: str):
    from prompt_toolkit.styles import Style, merge_styles, style_from_pygments_cls
    from pygments.styles import get_style_by_name
    from pygments.util import ClassNotFound

    try:
        pygments_style = get_style_by_name(name or "default")
    except ClassNotFound:
        pygments_style = get_style_by_name("default")
    return merge_styles([
        style_from_pygments_cls(pygments_style),
        Style.from_dict({"bottom-toolbar": "noreverse bg:#303030 #d0d0d0"}),
    ])
