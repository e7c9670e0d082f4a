"""Exceptions of the CIB library.

Every error names the place it is about (`cib.xml:12:5`, or an XML path such as
`/cib/configuration/resources/primitive[@id='d1']`), so a caller can print it as it is.
"""

from __future__ import annotations


class CibError(Exception):
    """Base of every error the CIB library raises on bad input or failed I/O."""


class CibParseError(CibError):
    """A CIB document could not be read: malformed XML or not a CIB at all.

    `line` and `column` are 1-based; the message starts with `source:line:column:`.
    """

    def __init__(self, source: str, line: int, column: int, message: str) -> None:
        self.source = source
        self.line = line
        self.column = column
        self.reason = message
        super().__init__(f"{source}:{line}:{column}: {message}")


class PatchError(CibError):
    """A patchset is malformed or does not fit the document it is applied to.

    `path` is the XML path of the change that failed, when there is one.
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        self.path = path
        self.reason = message
        super().__init__(f"{path}: {message}" if path else message)


class VersionMismatch(PatchError):
    """A patchset was made for another version of the document than the one at hand."""

    def __init__(self, message: str, *, document: object, source: object) -> None:
        self.document_version = document
        self.patch_version = source
        super().__init__(message)
