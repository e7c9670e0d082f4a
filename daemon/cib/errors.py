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


class StatusOpError(CibError):
    """A status change cannot be applied; the message names the change and its field."""


class ChangedMeanwhile(VersionMismatch):
    """A patch was made against a configuration version that is no longer the current one.

    `base` and `current` are CibVersions; `changed_ids` is the frozenset of the ids of the
    configuration elements changed since `base`, or None when the store's history does not
    reach back that far (the message then says "unknown").
    """

    def __init__(self, base: object, current: object, changed_ids: frozenset[str] | None) -> None:
        self.base = base
        self.current = current
        self.changed_ids = changed_ids
        names = "unknown" if changed_ids is None else (", ".join(sorted(changed_ids)) or "none")
        super().__init__(
            f"the patch was made for CIB version {base}, but the CIB is at version {current}; "
            f"changed meanwhile: {names}",
            document=current, source=base)


class OldData(CibError):
    """A replacement is older (admin_epoch, epoch) than the CIB it would replace."""

    def __init__(self, replacement: object, current: object, field: str) -> None:
        self.replacement = replacement
        self.current = current
        self.field = field
        super().__init__(
            f"the replacement (version {replacement}) is older than the CIB (version {current}): "
            f"its {field} is lower")


class CibInvalid(CibError):
    """A change would leave the CIB invalid; `problems` are the first schema problems."""

    def __init__(self, problems: list, limit: int = 5) -> None:
        self.problems = list(problems)
        shown = "; ".join(str(p) for p in self.problems[:limit])
        more = len(self.problems) - limit
        super().__init__(f"the change would make the CIB invalid: {shown}"
                         + (f" (and {more} more)" if more > 0 else ""))


class CibCorrupt(CibError):
    """No stored CIB could be loaded; `faults` lists (file, reason) for each one tried."""

    def __init__(self, faults: list[tuple[str, str]]) -> None:
        self.faults = list(faults)
        listed = "; ".join(f"{path}: {reason}" for path, reason in self.faults)
        super().__init__(f"no good CIB among the stored files: {listed}")
