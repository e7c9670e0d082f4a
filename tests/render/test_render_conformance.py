"""Every crmsh conformance case: render_configuration(<case>.xml) is <case>.show."""

from __future__ import annotations

import pytest
from lxml import etree

from crmshell.lang.render import render_configuration
from render_cases import find_conformance_dir, normalise_show

CASES_DIR = find_conformance_dir()
CASES = sorted(p.stem for p in CASES_DIR.glob("*.show"))


def test_all_cases_present():
    assert len(CASES) == 44


@pytest.mark.parametrize("case", CASES)
def test_show_matches_crmsh(case):
    conf = etree.parse(str(CASES_DIR / ("%s.xml" % case))).getroot()
    expected = (CASES_DIR / ("%s.show" % case)).read_text()
    got = render_configuration(conf)
    assert normalise_show(got) == normalise_show(expected)
    # not only after normalisation: the bytes are crmsh's too
    assert got == expected
