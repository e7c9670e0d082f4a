"""Helpers for the crmsh conformance cases (shared/conformance/crmsh): loading, replaying,
and comparing configurations the way the cases' README says."""

from __future__ import annotations

import os
import re
from pathlib import Path

from lxml import etree

from tests.shared_paths import CRMSH_CASES as CASES_DIR  # noqa: E402
# Lines of a .crm script that change nothing the definitions do not already say.
_NEUTRAL = re.compile(r"^(configure|commit|show(\s.*)?|end|up|cd(\s.*)?)$")


def case_names() -> list[str]:
    return sorted(p.stem for p in CASES_DIR.glob("*.show"))


_EMPTY_CIB = (b'<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" '
              b'num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes/>'
              b'<resources/><constraints/></configuration><status/></cib>')


def empty_cib():
    """`cibadmin --empty` of Pacemaker 2.1.5 (the cases' empty-cib.xml when present)."""
    parser = etree.XMLParser(remove_blank_text=True)
    path = CASES_DIR / "empty-cib.xml"
    if path.is_file():
        return etree.parse(str(path), parser).getroot()
    return etree.fromstring(_EMPTY_CIB, parser)


def expected_configuration(case: str):
    parser = etree.XMLParser(remove_blank_text=True, remove_comments=True)
    return etree.parse(str(CASES_DIR / f"{case}.xml"), parser).getroot()


def canonical(elem, *, order_sections: bool = False):
    """A comparable value: tag, sorted attributes and children (comments and blanks dropped).

    With `order_sections`, the objects directly inside each section (and the sections) are
    compared as a set: the order of top-level objects is the one thing a `show` text cannot
    carry (crmsh prints objects sorted; the CIB keeps creation order).
    """
    children = [canonical(c) for c in elem if isinstance(c.tag, str)]
    if order_sections and elem.tag == "configuration":
        children = sorted(
            (tag, attrs, tuple(sorted(kids))) for tag, attrs, kids in children)
    return (elem.tag, tuple(sorted(elem.attrib.items())), tuple(children))


def crm_script_lines(case: str) -> list[str] | None:
    """The logical lines of a .crm script if it holds only definitions (and neutral commands)."""
    from crmshell.lang.parser import DEFINITION_KEYWORDS
    from crmshell.lang.words import logical_statements

    lines = []
    for stmt in logical_statements((CASES_DIR / f"{case}.crm").read_text(), source=f"{case}.crm"):
        word = stmt.text.split()[0].lower()
        if _NEUTRAL.match(stmt.text):
            continue
        if word not in DEFINITION_KEYWORDS:
            return None
        lines.append(stmt)
    return lines


def dump(elem, indent: int = 0) -> list[str]:
    """Readable lines for a failure message."""
    if not isinstance(elem.tag, str):
        return []
    attrs = " ".join(f"{k}={v!r}" for k, v in sorted(elem.attrib.items()))
    out = [" " * indent + f"{elem.tag} {attrs}".rstrip()]
    for child in elem:
        out += dump(child, indent + 2)
    return out
