"""The two ways a definition can be refused: it is not well formed, or it does not fit the CIB.

The parser raises only `ParseError` (never prints, logs or returns a sentinel); building and
placing raise `DefinitionError`. Both carry enough to point at the problem, and `str()` is
the line a batch prints.
"""

from __future__ import annotations


class ParseError(Exception):
    """A statement that is not valid `configure` syntax.

    `line` and `column` are 1-based positions in `source`; `expected` names, in words a person
    understands, what would have been accepted there; `found` is the offending word as
    written (None when the statement ended too early); `statement` is the text of the
    logical statement being parsed.
    """

    def __init__(self, message: str, *, source: str = "<input>", line: int = 1, column: int = 1,
                 expected: tuple[str, ...] = (), found: str | None = None,
                 statement: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.expected = tuple(expected)
        self.found = found
        self.statement = statement

    def __str__(self) -> str:
        return f"{self.source}:{self.line}:{self.column}: {self.message}"


class DefinitionError(Exception):
    """A well-formed definition that cannot be applied: the message names the object."""

    def __init__(self, message: str, *, object_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.object_id = object_id

    def __str__(self) -> str:
        return self.message
