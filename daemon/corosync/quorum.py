"""libquorum through ctypes: is this partition quorate, and tell me when that changes.

The quorum service is what Pacemaker's controller asks before it acts: a partition without
quorum must not start resources (no-quorum-policy). It answers from whichever provider
corosync.conf configures (votequorum in every cluster we build); `votequorum` has the
details behind the answer.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable

from daemon.corosync import libs
from daemon.corosync.events import QuorumChange, RingId
from daemon.corosync.handle import ServiceHandle

__all__ = ["QuorumConnection", "QuorumChange", "QUORUM_FREE", "QUORUM_SET"]

_QUORUM_MODEL_V1 = 1
QUORUM_FREE = 0   # no quorum provider configured: every partition is quorate
QUORUM_SET = 1

_U32List = ctypes.POINTER(ctypes.c_uint32)
_NotifyFn = ctypes.CFUNCTYPE(None, libs.handle_t, ctypes.c_uint32, libs.RingIdStruct,
                             ctypes.c_uint32, _U32List)
_NodelistFn = ctypes.CFUNCTYPE(None, libs.handle_t, libs.RingIdStruct, ctypes.c_uint32,
                               _U32List, ctypes.c_uint32, _U32List, ctypes.c_uint32, _U32List)


class _ModelV1(ctypes.Structure):
    _fields_ = [("model", ctypes.c_int), ("notify", _NotifyFn), ("nodelist", _NodelistFn)]


def _declare(lib: ctypes.CDLL) -> None:
    h, p = libs.handle_t, ctypes.POINTER
    libs.proto(lib, "quorum_model_initialize", p(h), ctypes.c_int, p(_ModelV1),
               p(ctypes.c_uint32), ctypes.c_void_p)
    libs.proto(lib, "quorum_finalize", h)
    libs.proto(lib, "quorum_fd_get", h, p(ctypes.c_int))
    libs.proto(lib, "quorum_dispatch", h, ctypes.c_int)
    libs.proto(lib, "quorum_getquorate", h, p(ctypes.c_int))
    libs.proto(lib, "quorum_trackstart", h, ctypes.c_uint)


class QuorumConnection(ServiceHandle):
    """One libquorum handle. `on_change(QuorumChange)` is called from `dispatch()`.

    `quorum_type` says whether a provider decides quorum (QUORUM_SET) or none is configured
    (QUORUM_FREE).
    """

    _prefix = "quorum_"

    def __init__(self, on_change: Callable[[QuorumChange], None]) -> None:
        super().__init__()
        self._handlers = {QuorumChange: on_change}
        self._model = _ModelV1(_QUORUM_MODEL_V1, _NotifyFn(self._c_notify),
                               _NodelistFn(self._c_nodelist))
        qtype = ctypes.c_uint32(0)
        self._connect("quorum_model_initialize", _QUORUM_MODEL_V1, ctypes.byref(self._model),
                      ctypes.byref(qtype), None)
        self.quorum_type = qtype.value

    def _lib(self) -> ctypes.CDLL:
        return libs.load("libquorum.so.5", _declare)

    def _c_notify(self, _handle, quorate, ring, n_nodes, nodes) -> None:
        self._guard(lambda: QuorumChange(bool(quorate), RingId(ring.nodeid, ring.seq),
                                         tuple(nodes[i] for i in range(n_nodes))))

    def _c_nodelist(self, *_args) -> None:
        """Node membership comes through `cpg` (totem changes); here only quorum counts."""

    def quorate(self) -> bool:
        value = ctypes.c_int(0)
        self._checked("getquorate", ctypes.byref(value))
        return bool(value.value)

    def trackstart(self, current: bool = True) -> None:
        """Be told of every change (CS_TRACK_CHANGES) and, with `current`, of the state now."""
        flags = libs.CS_TRACK_CHANGES | (libs.CS_TRACK_CURRENT if current else 0)
        self._checked("trackstart", flags)
