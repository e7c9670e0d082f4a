"""Splitting command lines into words: quotes, escapes, positions, tolerant mode."""

import pytest

from crmshell.errors import ShellError
from crmshell.ui.words import split_words


@pytest.mark.parametrize("line, words", [
    ("show", ["show"]),
    ("  delete  d1   d2 ", ["delete", "d1", "d2"]),
    ("filter \"sed 's/a/b/'\" c1", ["filter", "sed 's/a/b/'", "c1"]),
    ("a='x y' b", ["a=x y", "b"]),
    (r'say "a \"quoted\" word"', ["say", 'a "quoted" word']),
    (r"one\ word", ["one word"]),
    ("'$aprimitive p2 Dummy'", ["$aprimitive p2 Dummy"]),
])
def test_split(line, words):
    assert [w.text for w in split_words(line)] == words


def test_positions_point_at_the_word():
    words = split_words("cd  configure")
    assert (words[1].start, words[1].end) == (4, 13)


def test_open_quote_is_an_error_with_its_column():
    with pytest.raises(ShellError) as info:
        split_words('filter "sed')
    assert info.value.column == 8
    assert "unterminated" in str(info.value)


def test_tolerant_mode_runs_an_open_quote_to_the_end():
    words = split_words('load update "my fi', tolerant=True)
    assert [w.text for w in words] == ["load", "update", "my fi"]
