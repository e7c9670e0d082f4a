"""What the command line said about the CIB, and whether that is the live cluster.

Kept apart from `choose` (which builds sources) and free of dataclasses, pathlib and typing,
because `crmshell status` on a live node decides with it alone, and those imports would be
a third of that command's time.
"""

from __future__ import annotations


class Where:
    """--cib-file, the shadow and --socket as given (the environment is read separately)."""

    __slots__ = ("cib_file", "shadow", "socket")

    def __init__(self, cib_file: str | None = None, shadow: str | None = None,
                 socket: str | None = None) -> None:
        self.cib_file, self.shadow, self.socket = cib_file, shadow, socket

    def __eq__(self, other) -> bool:
        return isinstance(other, Where) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "Where(cib_file={!r}, shadow={!r}, socket={!r})".format(*self._key())

    def _key(self) -> tuple:
        return self.cib_file, self.shadow, self.socket


def socket_path(where: Where, env) -> str:
    if where.socket:
        return where.socket
    from daemon.api.client import default_socket_path

    return str(default_socket_path(env))


def cib_file(where: Where, env) -> str | None:
    return where.cib_file or (None if where.socket else env.get("CIB_file"))


def is_live(where: Where, env) -> bool:
    """Whether the session's CIB is the live cluster (decided without building a source)."""
    if where.cib_file or where.socket:
        return not where.cib_file
    return not (where.shadow or env.get("CIB_shadow") or cib_file(where, env))
