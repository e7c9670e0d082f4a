"""Parsing `configure` definitions: one statement, or a document of them (load, edit, filter).

    parse_statement("primitive d1 Dummy op monitor interval=10s") -> Statement
    parse_document(text, source="batch.crm") -> [Statement, ...]

The grammar is grammars/crm.lark, run by lark's LALR parser over shell words (see lexer.py).
Compiling it takes a while, so the compiled parser is kept on disk (under
$XDG_CACHE_HOME/crmshell, or $TMPDIR/crmshell-UID) and loaded from there; a process builds or
loads it once, on first use. The cache is a pickle, and unpickling runs code, so it is used only
from a directory of our own that nobody else may write to (see `private_directory`). Everything that goes wrong is a ParseError naming the source,
line and column, what would have fitted there, and what was found.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from crmshell.lang import checks
from crmshell.lang.errors import ParseError
from crmshell.lang.terms import (DEFINITION_KEYWORDS, DEFINITION_KINDS, describe_expected,
                                 join_alternatives)
from crmshell.lang.words import Logical, logical_statement, logical_statements, split_words

__all__ = ["DEFINITION_KEYWORDS", "Statement", "parse_statement", "parse_document",
           "ConfigureParser", "default_parser"]

GRAMMAR_PATH = Path(__file__).resolve().parents[2] / "grammars" / "crm.lark"
_CONTEXT_CHARS = 60


@dataclass
class Statement:
    """One parsed definition.

    `kind` is normalised (`ms` for master, `colocation` for collocation, `primitive` for
    resource, `fencing_topology` for fencing-topology); `id` is the id of the object it defines
    or changes (a node's uname, a property set's id, the primitive a `monitor` adds to);
    `tree` is the lark parse tree; `text` the statement as written (continuation lines
    included); `comments` the `#` lines that preceded it in a document.
    """

    kind: str
    id: str | None
    tree: object
    source: str
    line: int
    column: int
    text: str
    comments: list[str] = field(default_factory=list)


class ConfigureParser:
    """The compiled grammar; build one per process (see `default_parser`)."""

    def __init__(self, *, cache_dir: Path | None | bool = None) -> None:
        from lark import Lark

        from crmshell.lang.lexer import WordLexer

        grammar = GRAMMAR_PATH.read_text(encoding="utf-8")
        if cache_dir is None:
            path = _cache_file(grammar)
        elif cache_dir is False or not private_directory(Path(cache_dir)):
            path = None
        else:
            path = Path(cache_dir) / _cache_name(grammar)
        self.lark = _load(path) if path is not None else None
        if self.lark is None:
            self.lark = Lark(grammar, parser="lalr", lexer=WordLexer, start="start",
                             maybe_placeholders=False)
            if path is not None:
                _store(self.lark, path)
        from lark.parsers.lalr_parser_state import ParseConf

        self.lexer = self.lark.parser.lexer
        self.keyword_text = self.lexer.keyword_text
        self.parse_conf = ParseConf(self.lark.parser.parser.parser.parse_table, {}, "start")

    # -- public ---------------------------------------------------------------------------
    def parse_logical(self, logical: Logical) -> Statement:
        from lark.exceptions import UnexpectedInput

        from crmshell.lang.lexer import Unacceptable, WordInput

        words = split_words(logical)
        if not words:
            raise _error(logical, None, ("a definition",), "the statement is empty")
        try:
            tree = self.lark.parse(WordInput(words, logical.text))
        except Unacceptable as exc:
            raise self._unacceptable(logical, exc) from None
        except UnexpectedInput as exc:  # only if the lexer let something through
            line, column = logical.position(getattr(exc, "pos_in_stream", 0) or 0)
            raise ParseError(f"syntax error: {exc}", source=logical.source, line=line,
                             column=column, statement=logical.text) from None
        definition = tree.children[0]
        kind, ident = checks.check(definition, logical)
        first = words[0]
        line, column = logical.position(first.start)
        return Statement(kind, ident, definition, logical.source, line, column, logical.raw,
                         list(logical.comments))

    def interactive(self, text: str):
        """lark's interactive parser fed with the words of a partial statement, for
        completion: `.accepts()` (or `expected_terminals`) tells what may come next.
        Raises ParseError if the words typed so far already do not fit."""
        from crmshell.lang.lexer import Unacceptable, WordInput

        logical = logical_statement(text)
        words = split_words(logical)
        interactive = self.lark.parse_interactive(WordInput(words, logical.text, partial=True))
        try:
            interactive.exhaust_lexer()
        except Unacceptable as exc:
            raise self._unacceptable(logical, exc) from None
        return interactive

    def expected_terminals(self, text: str) -> list[str]:
        """The terminal names that may follow `text` (keywords first, `$END` last)."""
        return self.lexer.acceptable(self.parse_conf, self.interactive(text).parser_state.state_stack)

    def _unacceptable(self, logical: Logical, exc) -> ParseError:
        expected = self.lexer.acceptable(self.parse_conf, exc.stack)
        phrases = describe_expected(expected, self.keyword_text)
        word = exc.word
        found = None if word is None else (logical.text[word.start:word.end] or word.value)
        shown = "the end of the statement" if found is None else f"'{found}'"
        if word is not None and not logical.text[:word.start].strip() and "$END" not in expected:
            message = f"{shown} is not a definition: expected {join_alternatives(phrases)}"
            return _error(logical, word, phrases, message, found=found)
        before = logical.text[:word.start if word is not None else len(logical.text)].rstrip()
        message = f"expected {join_alternatives(phrases)} after {_context(before)}, found {shown}"
        return _error(logical, word, phrases, message, found=found)


def _context(before: str) -> str:
    if len(before) > _CONTEXT_CHARS:
        before = "..." + before[-(_CONTEXT_CHARS - 3):].lstrip()
    return f"'{before}'"


def _error(logical: Logical, word, expected, message: str, *, found: str | None = None) -> ParseError:
    offset = word.start if word is not None else len(logical.text)
    line, column = logical.position(offset)
    return ParseError(message, source=logical.source, line=line, column=column,
                      expected=tuple(expected), found=found, statement=logical.text)


# -- the on-disk cache ----------------------------------------------------------------------
def _cache_name(grammar: str) -> str:
    import lark

    digest = hashlib.sha256(
        f"{grammar}\0{lark.__version__}\0{sys.version_info[:2]}".encode()).hexdigest()[:20]
    return f"crm-grammar-{digest}.pickle"


def _cache_file(grammar: str) -> Path | None:
    name = _cache_name(grammar)
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    candidates = [Path(xdg) / "crmshell",
                  Path(tempfile.gettempdir()) / f"crmshell-{os.getuid()}"]
    for directory in candidates:
        if private_directory(directory):
            return directory / name
    return None


def private_directory(directory: Path) -> bool:
    """Whether `directory` (made 0700 if missing) is ours alone to write: a real directory,
    not a symbolic link, owned by our effective user, with no group or other write. Anyone who
    could write there could plant a pickle that runs as us: in a shared $TMPDIR another user
    may have made the directory first."""
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = os.lstat(directory)
    except OSError:
        return False
    return (stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid()
            and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def _load(path: Path):
    from lark import Lark

    try:
        with open(path, "rb") as handle:
            return Lark.load(handle)
    except Exception:  # a missing, partial or stale cache is rebuilt, never an error
        return None


def _store(parser, path: Path) -> None:
    """Write the compiled parser atomically (readers never see half a file) and drop the
    caches of other grammar versions; quietly, since the cache is only an optimisation."""
    import io

    from daemon.atomic_write import write_atomically

    buffer = io.BytesIO()
    try:
        parser.save(buffer)
        write_atomically(path, buffer.getvalue())
    except OSError:
        return
    for stale in path.parent.glob("crm-grammar-*.pickle"):
        if stale != path:
            try:
                stale.unlink()
            except OSError:
                pass


@functools.cache
def default_parser() -> ConfigureParser:
    """The process's parser, built (or loaded from the disk cache) on first use."""
    return ConfigureParser()


# -- module-level API -----------------------------------------------------------------------
def parse_statement(text: str, *, source: str = "<input>", line: int = 1,
                    column: int = 1) -> Statement:
    """Parse one logical statement (which may span backslash-continued lines)."""
    logical = logical_statement(text, source=source, line=line, column=column)
    if not logical.text:
        raise ParseError("expected a definition, found an empty statement", source=source,
                         line=line, column=column, expected=("a definition",),
                         found=None, statement="")
    return default_parser().parse_logical(logical)


def parse_document(text: str, *, source: str = "<input>", line: int = 1) -> list[Statement]:
    """Parse every statement of a document; `#` lines go with the statement after them."""
    parser = default_parser()
    return [parser.parse_logical(logical)
            for logical in logical_statements(text, source=source, line=line)]


def definition_kind(word: str) -> str | None:
    """The normalised kind a first word starts, or None if it does not start a definition."""
    return DEFINITION_KINDS.get(word.lower())
