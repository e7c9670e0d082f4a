"""Errors of the Corosync binding, in words an administrator can act on.

Corosync's libraries answer every call with a `cs_error_t`. The binding turns anything but
CS_OK into a `CorosyncError` carrying the C function, the code and its name, so a log line
says which call failed and why. `CorosyncUnavailable` is the one a caller handles: corosync
is not running, not ready yet, or went away under an open connection; waiting and retrying
(or reporting the loss) is the answer to it, not a bug report.
"""

from __future__ import annotations

CS_OK = 1
CS_ERR_LIBRARY = 2
CS_ERR_TRY_AGAIN = 6
CS_ERR_BAD_HANDLE = 9
CS_ERR_NOT_EXIST = 12
CS_ERR_NO_SECTIONS = 27

# cs_error_t from corotypes.h: code -> (name, what it means for whoever reads the log)
_CODES: dict[int, tuple[str, str]] = {
    1: ("CS_OK", "success"),
    2: ("CS_ERR_LIBRARY", "cannot talk to corosync (not running, or the connection broke)"),
    3: ("CS_ERR_VERSION", "library and corosync versions do not match"),
    4: ("CS_ERR_INIT", "initialisation failed"),
    5: ("CS_ERR_TIMEOUT", "timed out"),
    6: ("CS_ERR_TRY_AGAIN", "corosync is busy (not ready, flow control or membership change)"),
    7: ("CS_ERR_INVALID_PARAM", "invalid parameter"),
    8: ("CS_ERR_NO_MEMORY", "out of memory"),
    9: ("CS_ERR_BAD_HANDLE", "the connection handle is no longer valid"),
    10: ("CS_ERR_BUSY", "busy"),
    11: ("CS_ERR_ACCESS", "access denied"),
    12: ("CS_ERR_NOT_EXIST", "does not exist"),
    13: ("CS_ERR_NAME_TOO_LONG", "name too long"),
    14: ("CS_ERR_EXIST", "already exists"),
    15: ("CS_ERR_NO_SPACE", "no space"),
    16: ("CS_ERR_INTERRUPT", "interrupted"),
    17: ("CS_ERR_NAME_NOT_FOUND", "name not found"),
    18: ("CS_ERR_NO_RESOURCES", "corosync has no resources left for this request"),
    19: ("CS_ERR_NOT_SUPPORTED", "not supported by this corosync"),
    20: ("CS_ERR_BAD_OPERATION", "operation not allowed now"),
    21: ("CS_ERR_FAILED_OPERATION", "operation failed"),
    22: ("CS_ERR_MESSAGE_ERROR", "message error"),
    23: ("CS_ERR_QUEUE_FULL", "queue full"),
    24: ("CS_ERR_QUEUE_NOT_AVAILABLE", "queue not available"),
    25: ("CS_ERR_BAD_FLAGS", "bad flags"),
    26: ("CS_ERR_TOO_BIG", "message too big"),
    27: ("CS_ERR_NO_SECTIONS", "no more entries"),
    28: ("CS_ERR_CONTEXT_NOT_FOUND", "context not found"),
    30: ("CS_ERR_TOO_MANY_GROUPS", "too many process groups"),
    100: ("CS_ERR_SECURITY", "refused by corosync's access control (run as root or allow the "
                             "user with uidgid in corosync.conf)"),
}


def error_name(code: int) -> str:
    """The cs_error_t name of `code` ("CS_ERR_TRY_AGAIN"), or "CS_ERR_<n>" for unknown ones."""
    entry = _CODES.get(code)
    return entry[0] if entry else f"CS_ERR_{code}"


class CorosyncError(Exception):
    """A corosync library call returned something other than CS_OK.

    `call` is the C function ("cpg_join"), `code` the cs_error_t value and `name` its name.
    `detail`, when given, replaces the generic meaning of the code (`meaning`) in the message.
    """

    def __init__(self, call: str, code: int, detail: str | None = None) -> None:
        self.call = call
        self.code = code
        self.name = error_name(code)
        self.meaning = detail or _CODES.get(code, ("", "unknown error"))[1]
        super().__init__(f"{call}: {self.name}: {self.meaning}")


class CorosyncUnavailable(CorosyncError):
    """Corosync is not running, not accepting clients yet, or went away under a connection."""


# Codes that mean "corosync is not (or no longer) there" rather than "this request was bad".
_UNAVAILABLE = frozenset({CS_ERR_LIBRARY, CS_ERR_BAD_HANDLE})


def check(call: str, code: int) -> None:
    """Raise the error `code` stands for, naming `call`; return quietly on CS_OK.

    A broken or vanished connection becomes `CorosyncUnavailable`; everything else a plain
    `CorosyncError` (TRY_AGAIN included: each caller decides what "busy" means for it).
    """
    if code == CS_OK:
        return
    if code in _UNAVAILABLE:
        raise CorosyncUnavailable(call, code)
    raise CorosyncError(call, code)


def check_connect(call: str, code: int) -> None:
    """Like `check`, for the call that opens a connection.

    There TRY_AGAIN means corosync is starting and not accepting clients yet ("Denied
    connection, is not ready" in its log): the same as not running for whoever connects.
    """
    if code == CS_ERR_TRY_AGAIN:
        raise CorosyncUnavailable(call, code, "corosync is not ready to accept clients yet")
    if code == CS_ERR_LIBRARY:
        raise CorosyncUnavailable(call, code, "corosync is not running (cannot connect to it)")
    check(call, code)
