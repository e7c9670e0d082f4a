"""Resource roles, in Pacemaker's order, with both the 2.1 and 3.x spellings."""

from __future__ import annotations

from enum import IntEnum


class Role(IntEnum):
    UNKNOWN = 0
    STOPPED = 1
    STARTED = 2
    UNPROMOTED = 3
    PROMOTED = 4

    @property
    def text(self) -> str:
        return _TEXT[self]


_TEXT = {
    Role.UNKNOWN: "Unknown",
    Role.STOPPED: "Stopped",
    Role.STARTED: "Started",
    Role.UNPROMOTED: "Unpromoted",
    Role.PROMOTED: "Promoted",
}

_PARSE = {
    "unknown": Role.UNKNOWN,
    "stopped": Role.STOPPED,
    "started": Role.STARTED,
    "unpromoted": Role.UNPROMOTED,
    "slave": Role.UNPROMOTED,
    "promoted": Role.PROMOTED,
    "master": Role.PROMOTED,
}


def parse_role(text: str | None) -> Role:
    """Parse a role name (case-insensitive); unknown names give Role.UNKNOWN."""
    if text is None:
        return Role.UNKNOWN
    return _PARSE.get(text.strip().lower(), Role.UNKNOWN)


def is_role_name(text: str | None) -> bool:
    return text is not None and text.strip().lower() in _PARSE
