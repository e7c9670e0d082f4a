"""Who is on the other end of the socket, and whether they may talk to the daemon.

The kernel's SO_PEERCRED is the only trusted source: a path's file mode is a first gate,
but the daemon decides from the credentials of the process that connected. Group
membership is looked up in the user database (primary and supplementary groups), as
Pacemaker's haclient rule is commonly understood: a user added to haclient passes.
"""

from __future__ import annotations

import grp
import os
import pwd
import socket
import struct
from dataclasses import dataclass

from daemon.api.errors import ApiError

_UCRED = struct.Struct("3i")


@dataclass(frozen=True)
class Caller:
    pid: int
    uid: int
    gid: int
    user: str


def user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"#{uid}"


def peer_caller(sock: socket.socket) -> Caller:
    data = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _UCRED.size)
    pid, uid, gid = _UCRED.unpack(data)
    return Caller(pid, uid, gid, user_name(uid))


def authorize(caller: Caller, access_group: str = "haclient",
              own_uid: int | None = None) -> None:
    """Return if the caller may use the API, else raise ApiError("denied")."""
    own = os.geteuid() if own_uid is None else own_uid
    if caller.uid == 0 or caller.uid == own:
        return
    if _in_group(caller, access_group):
        return
    raise ApiError("denied", f"user {caller.user} (uid {caller.uid}) is not root or in group "
                   f"{access_group}", {"uid": caller.uid, "group": access_group})


def _in_group(caller: Caller, group: str) -> bool:
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        return False            # no such group: nobody is a member
    if caller.gid == gid:
        return True
    try:
        entry = pwd.getpwuid(caller.uid)
    except KeyError:
        return False
    return gid in os.getgrouplist(entry.pw_name, entry.pw_gid)
