"""Shared helpers for the renderer tests: loading CIB fragments and crmsh's normalisation."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

CONFORMANCE_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "crmsh"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def find_conformance_dir() -> Path | None:
    """The crmsh conformance cases: beside the repository (as in CI) or in /work/shared."""
    for candidate in (CONFORMANCE_DIR, Path("/work/shared/conformance/crmsh")):
        if candidate.is_dir():
            return candidate
    return None


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
