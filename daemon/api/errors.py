"""Errors that cross the socket: one type with a fixed set of codes, so the shell can react
to what went wrong (retry on "changed-meanwhile", say "start crmshelld" on "unavailable")
instead of matching message texts."""

from __future__ import annotations

CODES = (
    "bad-request",        # malformed frame, unknown argument, wrong type: names the field
    "unknown-op",
    "too-large",          # a frame over the limits
    "denied",             # caller neither root nor in the access group
    "unavailable",        # the daemon cannot do it now (no corosync yet: read-only)
    "changed-meanwhile",  # details: base, current, changed (ids)
    "not-found",
    "invalid",            # the CIB rejected the change; details name the XML path
    "old-data",
    "timeout",
    "failed",             # it was carried out and did not succeed (fencing): the message says why
    "version",
    "internal",
)


class ApiError(Exception):
    """A request that failed, as the daemon reports it and the client raises it."""

    def __init__(self, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"ApiError({self.code!r}, {self.message!r}, {self.details!r})"

    def to_json(self) -> dict:
        doc = {"code": self.code, "message": self.message}
        if self.details is not None:
            doc["details"] = self.details
        return doc

    @classmethod
    def from_json(cls, doc) -> "ApiError":
        """Read an error reply; a reply that is not a proper error is itself reported as one,
        so a broken daemon never makes the shell crash with a KeyError."""
        if not isinstance(doc, dict):
            return cls("internal", f"error reply is not a JSON object: {doc!r:.200}")
        code, message, details = doc.get("code"), doc.get("message"), doc.get("details")
        if not isinstance(code, str) or not isinstance(message, str):
            return cls("internal", f"error reply without code and message: {doc!r:.200}")
        if details is not None and not isinstance(details, dict):
            details = {"value": details}
        return cls(code, message, details)


class DaemonUnavailable(ApiError):
    """The client could not reach the daemon at all (no socket, refused, connection lost)."""

    def __init__(self, path: str, reason: str):
        super().__init__("unavailable", f"cannot reach the daemon at {path}: {reason}; "
                                        "is crmshelld running?", {"socket": path})
        self.path = path
