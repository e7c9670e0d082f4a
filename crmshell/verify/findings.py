"""What verify reports: one Finding per problem, one line each, pointing at the XML."""

from __future__ import annotations

from dataclasses import dataclass

from daemon.cib.document import LAST_EXACT_LINE
from daemon.cib.paths import element_path

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """`severity` is "error" (the cluster would refuse or misread it) or "warning";
    `object_id` is the configuration object concerned (None for the configuration as a whole);
    `path` an XPath-like location of the element; `line` its line in the parsed text, if known;
    `word` the word of the object's definition at fault, when the finding is about one (a
    batch reports its column)."""

    severity: str
    message: str
    object_id: str | None = None
    path: str | None = None
    line: int | None = None
    word: str | None = None

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


def element_line(elem) -> int | None:
    line = elem.sourceline
    return line if line and line <= LAST_EXACT_LINE else None


def at(elem, severity: str, object_id: str | None, message: str) -> Finding:
    """A finding about `elem` (which gives the path and line)."""
    if elem is None:
        return Finding(severity, message, object_id)
    return Finding(severity, message, object_id, element_path(elem), element_line(elem))


def error(elem, object_id: str | None, message: str) -> Finding:
    return at(elem, ERROR, object_id, message)


def warning(elem, object_id: str | None, message: str) -> Finding:
    return at(elem, WARNING, object_id, message)
