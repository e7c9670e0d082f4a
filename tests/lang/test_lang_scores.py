"""A location's node score must be a score (issue 10, item 12): `banana:` was read as a
score-attribute and reported as a schema error at column 1."""

from __future__ import annotations

import pytest

from crmshell.lang.errors import ParseError
from crmshell.lang.parser import parse_statement


def test_a_word_is_not_a_node_score():
    with pytest.raises(ParseError) as info:
        parse_statement("location l1 d1 banana: db", source="t.crm", line=3)
    assert str(info.value).startswith("t.crm:3:16: 'banana' is not a score")


@pytest.mark.parametrize("score", ["100", "-inf", "+INFINITY", "inf", "mandatory", "advisory",
                                   "-20"])
def test_scores_still_parse(score):
    assert parse_statement(f"location l1 d1 {score}: db").kind == "location"


def test_a_rule_may_still_take_a_score_attribute():
    assert parse_statement("location l1 d1 rule pingd: defined pingd").kind == "location"
