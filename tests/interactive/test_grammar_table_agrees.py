"""The plain-data grammar table (what a bash Tab uses instead of lark) against lark's own
interactive parser, on every word prefix of every definition in the conformance cases and the
help examples; and completion never raising on any character prefix of them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crmshell.completion.grammar_table import DoesNotFit, TableParser, table_from_parser
from crmshell.lang.errors import ParseError
from crmshell.lang.parser import default_parser
from crmshell.lang.terms import DEFINITION_KINDS
from crmshell.lang.words import logical_statements, split_words

from tests.shared_paths import CRMSH_CASES as CASES_DIR  # noqa: E402
from tests.shared_paths import required


def _statements() -> list[str]:
    texts: list[str] = []
    for path in sorted(required(CASES_DIR).glob("*.crm")):
        for logical in logical_statements(path.read_text(encoding="utf-8"), source=path.name):
            first = logical.text.split(None, 1)[0].lower() if logical.text else ""
            if first in DEFINITION_KINDS:
                texts.append(logical.text)
    from crmshell.help import load_help

    for entry in load_help().levels["configure"].values():
        texts += [e for e in entry.examples if e.split(None, 1)[0] in DEFINITION_KINDS]
    return texts


STATEMENTS = _statements()


@pytest.fixture(scope="module")
def table() -> TableParser:
    return TableParser(table_from_parser(default_parser()))


def test_a_freshly_compiled_parser_gives_a_table_that_can_be_stored(tmp_path):
    """A parser compiled now (not loaded from lark's cache) names things with lark Tokens;
    the table must still be plain data, and answer as the cached parser's does (state
    numbers differ from build to build)."""
    import marshal

    from crmshell.lang.parser import ConfigureParser

    fresh = table_from_parser(ConfigureParser(cache_dir=False))
    assert marshal.loads(marshal.dumps(fresh)) == fresh
    cached = TableParser(table_from_parser(default_parser()))
    for text in STATEMENTS[:40]:
        words = text.split()
        for n in range(len(words)):
            try:
                want = cached.expected(cached.parse(words[:n]).stack)
            except DoesNotFit:
                continue
            assert TableParser(fresh).expected(TableParser(fresh).parse(words[:n]).stack) == want


def test_there_are_statements_to_check():
    assert len(STATEMENTS) > 100


def test_table_agrees_with_lark_on_every_word_prefix(table):
    parser = default_parser()
    checked = 0
    for text in STATEMENTS:
        from crmshell.lang.words import logical_statement

        words = split_words(logical_statement(text))
        for n in range(len(words) + 1):
            prefix = text[:words[n].start] if n < len(words) else text + " "
            values = [w.value for w in words[:n]]
            try:
                want = parser.expected_terminals(prefix)
            except ParseError:
                with pytest.raises(DoesNotFit):
                    table.parse(values)
                continue
            state = table.parse(values)
            if state.xml:
                continue
            assert table.expected(state.stack) == want, prefix
            checked += 1
    assert checked > 1000


def test_completion_never_raises_on_any_prefix():
    from crmshell.completion import complete
    from crmshell.completion.static_env import StaticEnv

    env = StaticEnv()
    for text in STATEMENTS[::3]:
        for cut in range(0, len(text) + 1, 2):
            complete(["configure"], text, cut, env)
