"""A word where a location's score goes (issue 10, item 12): `location l1 r banana: db` is
told as "'banana' is not a score" at the word, not as two schema errors about score-attribute
at column 1. The XML stays crmsh's (score-attribute="banana", as tests/lang's crm oracle
checks for `pingd: node1`): the check is made after building, where the schema refuses it."""

from __future__ import annotations

import pytest
from lxml import etree

from crmshell.verify.run import schema_findings
from tests.shared_paths import EMPTY_CIB

pytestmark = pytest.mark.needs_agents

HEAD = "configure\nproperty stonith-enabled=false\nprimitive r ocf:pacemaker:Dummy\n" \
       "primitive s ocf:pacemaker:Dummy\n"


def test_a_word_for_a_node_score_is_told_at_its_column(shell):
    proc = shell.batch(HEAD + "location l1 r banana: db\ncommit\n")
    assert proc.returncode == 1
    assert "batch.crm:5:15: error: l1: 'banana' is not a score" in proc.stderr, proc.stderr
    assert "score-attribute" not in proc.stderr and "needs attribute" not in proc.stderr
    assert "verify found 1 error" in proc.stderr


def test_on_a_continuation_line_and_in_crmsh_s_set_form(shell):
    proc = shell.batch(HEAD + "location l1 r \\\n    10x: db\nlocation l3 { r s:Started } pingd: node1\n"
                       "commit\n")
    assert "batch.crm:6:5: error: l1: '10x' is not a score" in proc.stderr, proc.stderr
    assert "batch.crm:7:29: error: l3: 'pingd' is not a score" in proc.stderr
    assert "rule pingd: defined pingd" in proc.stderr


def test_scores_and_rules_still_commit(shell):
    proc = shell.batch(HEAD + "location l1 r 100: db\nlocation l2 r -inf: db2\n"
                       "location l3 s +INFINITY: db\nlocation l4 r rule pingd: defined pingd\n"
                       "commit\n")
    assert proc.returncode == 0, proc.stderr
    shown = shell.show()
    assert "location l4 r \\\n\trule pingd: defined pingd" in shown


def _cib(location: str):
    cib = etree.parse(str(EMPTY_CIB)).getroot()
    cib.find("configuration/resources").append(etree.fromstring(
        '<primitive id="r" class="ocf" provider="pacemaker" type="Dummy"/>'))
    cib.find("configuration/constraints").append(etree.fromstring(location))
    return cib


def test_the_finding_names_the_word_and_keeps_other_problems():
    [finding] = schema_findings(_cib('<rsc_location id="l1" rsc="r" score-attribute="banana" '
                                     'node="db"/>'))
    assert (finding.object_id, finding.word) == ("l1", "banana:")
    assert finding.message.startswith("l1: 'banana' is not a score")
    found = schema_findings(_cib('<rsc_location id="l1" rsc="r" score-attribute="banana" '
                                 'node="db" role="Bogus"/>'))
    assert len(found) == 2 and "'banana' is not a score" in found[0].message
    assert "role" in found[1].message and found[1].word is None
