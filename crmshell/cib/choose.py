"""Which CIB a session works on, decided once when the session starts.

As with Pacemaker's tools and crmsh: `--cib-file` first, then `--socket` (the live cluster
at that socket), then `CIB_shadow`, then `CIB_file`; with none of them, the live cluster at
`CRMSHELL_SOCKET` or the system's default socket.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from crmshell.cib.source import CibSource
from crmshell.cib.where import Where, cib_file as _file, is_live, socket_path

__all__ = ["Where", "is_live", "real_source", "session_source", "socket_path"]


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
