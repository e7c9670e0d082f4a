"""Which CIB a session works on, decided once when the session starts.

As with Pacemaker's tools and crmsh: `--cib-file` first, then `--socket` (the live cluster
at that socket), then `CIB_shadow`, then `CIB_file`; with none of them, the live cluster at
`CRMSHELL_SOCKET` or the system's default socket.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from crmshell.cib.source import CibSource


@dataclass(frozen=True)
class Where:
    """What the command line said about the CIB (the environment is read separately)."""

    cib_file: str | None = None
    shadow: str | None = None
    socket: str | None = None


def socket_path(where: Where, env: Mapping[str, str]) -> str:
    if where.socket:
        return where.socket
    from daemon.api.client import default_socket_path

    return str(default_socket_path(env))


def _file(where: Where, env: Mapping[str, str]) -> str | None:
    return where.cib_file or (None if where.socket else env.get("CIB_file"))


def is_live(where: Where, env: Mapping[str, str]) -> bool:
    """Whether the session's CIB is the live cluster (decided without building a source)."""
    if where.cib_file or where.socket:
        return not where.cib_file
    return not (where.shadow or env.get("CIB_shadow") or _file(where, env))


def real_source(where: Where, env: Mapping[str, str]) -> CibSource:
    """The CIB that shadows are copied from and committed to: a file, or the live cluster."""
    path = _file(where, env)
    if path:
        from crmshell.cib.files import FileSource

        return FileSource(Path(path), Path(path).name)
    from crmshell.cib.live import DaemonSource

    return DaemonSource(socket_path(where, env))


def session_source(where: Where, env: Mapping[str, str]) -> CibSource:
    if where.cib_file or where.socket:
        return real_source(where, env)
    shadow = where.shadow or env.get("CIB_shadow")
    if shadow:
        from crmshell.cib.shadow import shadow_source

        return shadow_source(env, shadow)
    return real_source(where, env)
