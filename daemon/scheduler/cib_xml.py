"""Loading a CIB document: the shared CIB library's parser, with the scheduler's error type.

The scheduler itself only takes an element; this is the thin I/O edge for callers that hold
a file name (crm_simulate's `-x FILE`).
"""

from __future__ import annotations

from daemon.scheduler.errors import CibInputError


def load_cib(path: str):
    """Read and parse a CIB file and return its <cib> element."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise CibInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse_cib_text(data, path)


def parse_cib_text(text: bytes | str, name: str = "<input>"):
    """Parse CIB text; malformed XML or a non-CIB document raises CibInputError(file:line:col)."""
    from daemon.cib.document import parse_cib
    from daemon.cib.errors import CibParseError
    data = text.encode() if isinstance(text, str) else text
    try:
        return parse_cib(data, source=name)
    except CibParseError as exc:
        raise CibInputError(str(exc)) from None
