"""From source text to logical statements and shell words, the way crmsh reads them.

crmsh joins continuation lines (a line ending in a backslash) by stripping every line and
gluing the pieces together with nothing in between, then splits the statement into words as
POSIX `shlex.split` does: single quotes are literal, double quotes let a backslash escape only
`"` and `\\`, quotes may sit in the middle of a word (`hostlist="node1 node2"` is one word).
We do the same, but keep for every word where it came from, so errors can name a line and
column in the original text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from crmshell.lang.errors import ParseError

_PLAIN_WORD = re.compile(r"[^ \t\r\n]+")
_NEEDS_SCANNER = re.compile(r"[\"'\\]")
_SHELL_SPACE = " \t\r\n"
# characters an XML document cannot hold: refused up front, with their position
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class Logical:
    """One logical statement: its joined text and how to map offsets back to the source."""

    text: str
    source: str
    line: int                     # source line of the statement's first character
    raw: str                      # the physical lines as written (continuations included)
    comments: list[str] = field(default_factory=list)
    # (offset in text, source line, source column) at the start of every joined piece
    _pieces: list[tuple[int, int, int]] = field(default_factory=list)

    def position(self, offset: int) -> tuple[int, int]:
        """Source (line, column) of a character offset in `text` (the end maps past the last)."""
        if not self._pieces:
            return self.line, 1 + offset
        index = bisect.bisect_right(self._pieces, (offset, float("inf"), 0)) - 1
        start, line, column = self._pieces[max(index, 0)]
        return line, column + (offset - start)


@dataclass(slots=True)
class Word:
    """A shell word: its value after quote removal and its span in the logical text."""

    value: str
    start: int
    end: int


def _strip_piece(line: str) -> tuple[str, int]:
    """crmsh strips each physical line; returns the stripped text and its 0-based start."""
    stripped = line.strip()
    return stripped, (len(line) - len(line.lstrip()))


class _Joiner:
    """Accumulates the physical lines of one logical statement."""

    def __init__(self, source: str, first_line: int, first_column: int) -> None:
        self.source = source
        self.first_column = first_column
        self.parts: list[str] = []
        self.raw: list[str] = []
        self.pieces: list[tuple[int, int, int]] = []
        self.length = 0
        self.line = first_line

    def add(self, line_no: int, physical: str) -> bool:
        """Add a physical line; returns True when the statement continues on the next line."""
        stripped, lead = _strip_piece(physical)
        column = lead + 1 + (self.first_column - 1 if not self.raw else 0)
        self.raw.append(physical)
        continues = stripped.endswith("\\")
        if continues:
            stripped = stripped.rstrip("\\")
        if stripped:
            self.pieces.append((self.length, line_no, column))
            self.parts.append(stripped)
            self.length += len(stripped)
        return continues

    def finish(self, comments: list[str]) -> Logical:
        text = "".join(self.parts)
        # crmsh strips the joined text once more; only trailing blanks can remain here
        text = text.rstrip()
        line = self.pieces[0][1] if self.pieces else self.line
        return Logical(text, self.source, line, "\n".join(self.raw), list(comments), self.pieces)


def logical_statement(text: str, *, source: str = "<input>", line: int = 1,
                      column: int = 1) -> Logical:
    """The whole of `text` as one logical statement (continuation lines joined)."""
    joiner = _Joiner(source, line, column)
    ended = False
    for index, physical in enumerate(text.split("\n")):
        if ended:
            if physical.strip():
                raise ParseError("a statement ends with its line (continue it with '\\' at the "
                                 "end of the line); this is a second one", source=source,
                                 line=line + index, column=len(physical) - len(physical.lstrip()) + 1,
                                 found=physical.strip(), statement=text)
            continue
        ended = not joiner.add(line + index, physical) and bool(joiner.parts)
    return joiner.finish([])


def logical_statements(text: str, *, source: str = "<input>", line: int = 1) -> list[Logical]:
    """Split a document into statements; `#` lines attach to the statement that follows."""
    out: list[Logical] = []
    comments: list[str] = []
    joiner: _Joiner | None = None
    for index, physical in enumerate(text.split("\n")):
        line_no = line + index
        if joiner is None:
            stripped = physical.strip()
            if not stripped:
                continue
            joiner = _Joiner(source, line_no, 1)
        if joiner.add(line_no, physical):
            continue
        stmt = joiner.finish([])
        joiner = None
        if not stmt.text:
            continue
        if stmt.text.startswith("#"):
            comments.append(stmt.text)
            continue
        stmt.comments = comments
        comments = []
        out.append(stmt)
    if joiner is not None:
        stmt = joiner.finish(comments)
        if stmt.text and not stmt.text.startswith("#"):
            out.append(stmt)
    return out


def word_position(text: str, word: str, *, line: int = 1, column: int = 1
                  ) -> tuple[int, int] | None:
    """Source (line, column) of the first shell word of statement `text` (written at `line`,
    `column`) whose value is `word`; None when there is none, or the text does not split."""
    try:
        logical = logical_statement(text, line=line, column=column)
        found = next((w for w in split_words(logical) if w.value == word), None)
    except ParseError:
        return None
    return logical.position(found.start) if found is not None else None


def split_words(logical: Logical) -> list[Word]:
    """The shell words of a logical statement (POSIX shlex rules), with their spans."""
    text = logical.text
    bad = _NOT_XML.search(text)
    if bad:
        raise _lex_error(logical, bad.start(),
                         f"character U+{ord(bad.group()):04X} cannot be stored in the CIB")
    if not _NEEDS_SCANNER.search(text):
        return [Word(m.group(), m.start(), m.end()) for m in _PLAIN_WORD.finditer(text)]
    return _scan(logical)


def _scan(logical: Logical) -> list[Word]:
    text = logical.text
    words: list[Word] = []
    length = len(text)
    i = 0
    while i < length:
        if text[i] in _SHELL_SPACE:
            i += 1
            continue
        start = i
        chars: list[str] = []
        while i < length and text[i] not in _SHELL_SPACE:
            ch = text[i]
            if ch == "'":
                close = text.find("'", i + 1)
                if close < 0:
                    raise _lex_error(logical, i, "this single quote is never closed")
                chars.append(text[i + 1:close])
                i = close + 1
            elif ch == '"':
                i = _double_quoted(logical, i, chars)
            elif ch == "\\":
                if i + 1 >= length:
                    raise _lex_error(logical, i, "nothing follows the escape character '\\'")
                chars.append(text[i + 1])
                i += 2
            else:
                chars.append(ch)
                i += 1
        words.append(Word("".join(chars), start, i))
    return words


def _double_quoted(logical: Logical, opening: int, chars: list[str]) -> int:
    text = logical.text
    i = opening + 1
    length = len(text)
    while i < length:
        ch = text[i]
        if ch == '"':
            return i + 1
        if ch == "\\" and i + 1 < length:
            nxt = text[i + 1]
            if nxt in '"\\':
                chars.append(nxt)
            else:
                chars.append(ch + nxt)
            i += 2
            continue
        chars.append(ch)
        i += 1
    raise _lex_error(logical, opening, "this double quote is never closed")


def _lex_error(logical: Logical, offset: int, message: str) -> ParseError:
    line, column = logical.position(offset)
    return ParseError(message, source=logical.source, line=line, column=column,
                      expected=(), found=logical.text[offset:offset + 1],
                      statement=logical.text)
