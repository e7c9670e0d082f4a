"""Inline op words: misspelt op attributes are refused, `$id=` names the op (issue 10, 1-2)."""

from __future__ import annotations

import pytest
from lxml import etree

from crmshell.lang.build import build
from crmshell.lang.errors import ParseError
from crmshell.lang.parser import parse_statement
from daemon.cib.ids import IdAllocator


def _op(text: str):
    built = build(parse_statement(text), IdAllocator())
    return built.element.find("operations/op")


@pytest.mark.parametrize("word, column, hint", [
    ("interva=10s", 31, "did you mean interval?"),
    ("timout=20s", 31, "did you mean timeout?"),
    ("bogus=1", 31, "other parameters go in op_params"),
])
def test_unknown_op_attribute_is_an_error_at_its_word(word, column, hint):
    with pytest.raises(ParseError) as info:
        parse_statement(f"primitive p1 Dummy op monitor {word}", source="t.crm")
    assert info.value.column == column
    assert f"'{word.split('=')[0]}' is not an operation attribute" in info.value.message
    assert hint in info.value.message


def test_ocf_check_level_is_still_an_inline_op_parameter():
    op = _op("primitive p1 Dummy op monitor interval=10s OCF_CHECK_LEVEL=10")
    assert op.get("interval") == "10s"
    assert op.find("instance_attributes/nvpair").get("name") == "OCF_CHECK_LEVEL"


def test_dollar_id_names_the_op_itself():
    op = _op("primitive p1 Dummy op monitor $id=mymon interval=10s timeout=20s "
             "OCF_CHECK_LEVEL=1")
    assert (op.get("id"), op.get("interval"), op.get("timeout")) == ("mymon", "10s", "20s")
    params = op.find("instance_attributes")
    assert [n.get("name") for n in params] == ["OCF_CHECK_LEVEL"], etree.tostring(op)


def test_dollar_id_with_a_score_is_still_an_attribute_set():
    op = _op("primitive p1 Dummy op monitor interval=10s $id=set1 10: OCF_CHECK_LEVEL=1")
    assert op.get("id") != "set1"
    assert op.find("instance_attributes").get("id") == "set1"
