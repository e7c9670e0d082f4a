"""Splitting a command line into words the way a shell user expects, with positions.

Quotes group words ('single' literally, "double" with backslash escapes), a backslash outside
quotes escapes the next character. Each word keeps its start column so errors can point at it.
`tolerant=True` never fails: an open quote simply runs to the end of the line, which is what
completion needs while the user is still typing.
"""

from __future__ import annotations

from dataclasses import dataclass

from crmshell.errors import ShellError


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start: int  # 0-based offset of the word's first character in the line
    end: int  # offset just past the word's last character
    quoted: bool = False


def split_words(line: str, *, tolerant: bool = False) -> list[Word]:
    words: list[Word] = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        start = i
        buf: list[str] = []
        quoted = False
        while i < n and not line[i].isspace():
            ch = line[i]
            if ch in ("'", '"'):
                quoted = True
                close = _closing_quote(line, i)
                if close < 0:
                    if not tolerant:
                        raise ShellError(f"unterminated {ch} quote", column=i + 1)
                    buf.append(_unescape(line[i + 1 :], ch))
                    i = n
                    break
                buf.append(_unescape(line[i + 1 : close], ch))
                i = close + 1
            elif ch == "\\" and i + 1 < n:
                buf.append(line[i + 1])
                i += 2
            else:
                buf.append(ch)
                i += 1
        words.append(Word("".join(buf), start, i, quoted))
    return words


def _closing_quote(line: str, open_at: int) -> int:
    quote = line[open_at]
    i = open_at + 1
    while i < len(line):
        if quote == '"' and line[i] == "\\":
            i += 2
            continue
        if line[i] == quote:
            return i
        i += 1
    return -1


def _unescape(body: str, quote: str) -> str:
    if quote == "'":
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body) and body[i + 1] in '"\\$`':
            out.append(body[i + 1])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def one_line(statement: str) -> str:
    """A statement with its continuation lines joined, for quoting it in a message."""
    return printable(" ".join(part.strip().rstrip("\\").strip()
                              for part in statement.strip().splitlines()))


def printable(text: str) -> str:
    """`text` safe to put on a terminal: control characters (ESC, BEL...) and the bytes that
    did not decode (surrogate escapes) are written as escapes, so quoting what the user
    typed can neither drive the terminal nor show as '\\udc81'. Newlines and tabs stay."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "\n\t" or ch.isprintable():
            out.append(ch)
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x100:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out)
