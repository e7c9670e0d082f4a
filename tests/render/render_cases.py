"""Shared helpers for the renderer tests: loading CIB fragments and crmsh's normalisation."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from tests.shared_paths import CRMSH_CASES as CONFORMANCE_DIR
from tests.shared_paths import required
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def find_conformance_dir() -> Path:
    """The crmsh conformance cases, beside the repository (as in CI); missing, an error."""
    return required(CONFORMANCE_DIR)


def normalise_show(text: str) -> list[str]:
    """The README's rule: colour removed, blank runs collapsed, empty lines dropped."""
    lines = []
    for line in _ANSI.sub("", text).split("\n"):
        line = re.sub(r"[ \t]+", " ", line).strip()
        if line:
            lines.append(line)
    return lines


def parse_xml(text: str) -> etree._Element:
    return etree.fromstring(text.encode())
