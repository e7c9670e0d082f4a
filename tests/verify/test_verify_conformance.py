"""Every crmsh conformance configuration verifies without errors, with crmsh's warnings only."""

from __future__ import annotations

import pytest
from lxml import etree

from crmshell.verify import verify

from verify_fixtures import conformance_dir, needs_real_agents

pytestmark = [pytest.mark.needs_agents, needs_real_agents]

CONFORMANCE = conformance_dir()
CASES = sorted(p.stem for p in CONFORMANCE.glob("*.xml") if p.stem != "empty-cib")

# What `crm configure verify` (crmsh 4.4.1) warns about on the same configurations, besides
# crm_verify's cluster-state notes: the made-up meta attribute of the commit cases.
EXPECTED_WARNINGS = {
    "commit-all": ["st: unknown attribute 'yoyo-meta'"],
    "commit-rename": ["st: unknown attribute 'yoyo-meta'"],
}


def wrapped(case: str):
    """The case's <configuration> inside the conformance empty CIB, as crmsh had it."""
    cib = etree.parse(str(CONFORMANCE / "empty-cib.xml")).getroot()
    conf = etree.parse(str(CONFORMANCE / f"{case}.xml")).getroot()
    cib.replace(cib.find("configuration"), conf)
    return cib


def test_there_are_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_case_verifies_without_errors(case: str, catalog):
    findings = verify(wrapped(case), catalog)
    assert [f.message for f in findings if f.severity == "error"] == []
    assert [f.message for f in findings if f.severity == "warning"] == \
        EXPECTED_WARNINGS.get(case, [])
