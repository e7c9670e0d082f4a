"""Loading corosync's client libraries, and the C types every one of them shares.

Each library module (cpg, quorum, votequorum, cmap, cfg) declares its own functions; this
one only finds the shared object by its soname and holds what corotypes.h defines for all.
Loading is lazy (on the first connection), so importing the binding never fails on a
machine without corosync: the pure cores and the fake import the same package.
"""

from __future__ import annotations

import ctypes
import functools

from daemon.corosync.errors import CorosyncError

cs_error_t = ctypes.c_int
handle_t = ctypes.c_uint64

CS_DISPATCH_ALL = 2
CS_TRACK_CURRENT = 0x01
CS_TRACK_CHANGES = 0x02


class RingIdStruct(ctypes.Structure):
    """cpg_ring_id, quorum_ring_id and votequorum_ring_id_t: one layout under three names."""

    _fields_ = [("nodeid", ctypes.c_uint32), ("seq", ctypes.c_uint64)]


class LibraryMissing(CorosyncError):
    """A corosync client library is not installed (Debian: libcpg4, libquorum5, ...)."""

    def __init__(self, soname: str, reason: str) -> None:
        super().__init__("dlopen", 0, f"cannot load {soname}: {reason} "
                         "(install corosync's client libraries)")


@functools.cache
def load(soname: str, declare) -> ctypes.CDLL:
    """Open `soname` once per process and let `declare(lib)` set the function prototypes."""
    try:
        lib = ctypes.CDLL(soname, use_errno=True)
    except OSError as exc:
        raise LibraryMissing(soname, str(exc)) from None
    declare(lib)
    return lib


def proto(lib: ctypes.CDLL, name: str, *argtypes, restype=cs_error_t) -> None:
    """Declare `lib.name(*argtypes) -> restype`, so ctypes checks every call's arguments."""
    fn = getattr(lib, name)
    fn.argtypes = list(argtypes)
    fn.restype = restype
