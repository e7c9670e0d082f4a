"""libcpg through ctypes: one process group connection, never blocking on its own.

Corosync's closed process groups give every member the same messages in the same (agreed)
order, interleaved with membership changes, the way Pacemaker's daemons use them. This
module is the thin, synchronous layer: it owns one `cpg_handle_t`, turns what the library
calls back into `events` values (copied: libcpg lends its buffers only for the call) and
leaves waiting to its caller (`aio` drives it from the event loop on `fileno()`).
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable

from daemon.corosync import libs
from daemon.corosync.errors import CS_ERR_TRY_AGAIN, check
from daemon.corosync.events import (
    ConfChange, Delivery, Member, Reason, RingId, TotemChange,
)
from daemon.corosync.handle import ServiceHandle

__all__ = ["CpgConnection", "ConfChange", "Delivery", "Member", "Reason", "RingId",
           "TotemChange", "MAX_GROUP_NAME", "encode_group_name"]

MAX_GROUP_NAME = 128
_MEMBERS_MAX = 128
_CPG_MODEL_V1 = 1
_CPG_TYPE_AGREED = 2
_DELIVER_INITIAL_TOTEM_CONF = 0x01


class _Name(ctypes.Structure):
    _fields_ = [("length", ctypes.c_uint32), ("value", ctypes.c_char * MAX_GROUP_NAME)]


class _Address(ctypes.Structure):
    _fields_ = [("nodeid", ctypes.c_uint32), ("pid", ctypes.c_uint32),
                ("reason", ctypes.c_uint32)]


class _IoVec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


_AddrList = ctypes.POINTER(_Address)
_DeliverFn = ctypes.CFUNCTYPE(None, libs.handle_t, ctypes.POINTER(_Name), ctypes.c_uint32,
                              ctypes.c_uint32, ctypes.c_void_p, ctypes.c_size_t)
_ConfchgFn = ctypes.CFUNCTYPE(None, libs.handle_t, ctypes.POINTER(_Name), _AddrList,
                              ctypes.c_size_t, _AddrList, ctypes.c_size_t, _AddrList,
                              ctypes.c_size_t)
_TotemFn = ctypes.CFUNCTYPE(None, libs.handle_t, libs.RingIdStruct, ctypes.c_uint32,
                            ctypes.POINTER(ctypes.c_uint32))


class _ModelV1(ctypes.Structure):
    _fields_ = [("model", ctypes.c_int), ("deliver", _DeliverFn), ("confchg", _ConfchgFn),
                ("totem", _TotemFn), ("flags", ctypes.c_uint)]


def _declare(lib: ctypes.CDLL) -> None:
    h, p = libs.handle_t, ctypes.POINTER
    libs.proto(lib, "cpg_model_initialize", p(h), ctypes.c_int, p(_ModelV1), ctypes.c_void_p)
    libs.proto(lib, "cpg_finalize", h)
    libs.proto(lib, "cpg_fd_get", h, p(ctypes.c_int))
    libs.proto(lib, "cpg_dispatch", h, ctypes.c_int)
    libs.proto(lib, "cpg_join", h, p(_Name))
    libs.proto(lib, "cpg_leave", h, p(_Name))
    libs.proto(lib, "cpg_mcast_joined", h, ctypes.c_int, p(_IoVec), ctypes.c_uint)
    libs.proto(lib, "cpg_membership_get", h, p(_Name), p(_Address), p(ctypes.c_int))
    libs.proto(lib, "cpg_local_get", h, p(ctypes.c_uint))


def encode_group_name(group: str) -> bytes:
    """`group` as libcpg stores it, or ValueError saying which limit it breaks.

    struct cpg_name holds at most 128 bytes (UTF-8, so fewer characters outside ASCII);
    a NUL would cut the name short in corosync's own tools (corosync-cpgtool).
    """
    raw = group.encode("utf-8")
    if not raw or len(raw) > MAX_GROUP_NAME:
        raise ValueError(f"CPG group name {group!r}: must be 1 to {MAX_GROUP_NAME} bytes "
                         f"in UTF-8, not {len(raw)}")
    if b"\0" in raw:
        raise ValueError(f"CPG group name {group!r}: must not contain NUL")
    return raw


def _encode_group(group: str) -> _Name:
    raw = encode_group_name(group)
    name = _Name()
    name.length = len(raw)
    name.value = raw
    return name


def _decode_group(name) -> str:
    n = min(name.contents.length, MAX_GROUP_NAME)
    return ctypes.string_at(ctypes.addressof(name.contents) + _Name.value.offset, n).decode(
        "utf-8", "replace")


def _reason(code: int) -> Reason:
    try:
        return Reason(code)
    except ValueError:
        return Reason.UNDEFINED


def _addresses(array, count: int) -> tuple[tuple[Member, Reason], ...]:
    return tuple((Member(array[i].nodeid, array[i].pid), _reason(array[i].reason))
                 for i in range(count))


class CpgConnection(ServiceHandle):
    """One libcpg handle for one group.

    `on_deliver(Delivery)`, `on_confchg(ConfChange)` and `on_totem(TotemChange)` are called
    from `dispatch()`, never from inside the library. Opening connects to corosync (raises
    `CorosyncUnavailable` if it is not running or not ready); `join()` enters the group.
    """

    _prefix = "cpg_"

    def __init__(self, group: str, on_deliver: Callable[[Delivery], None],
                 on_confchg: Callable[[ConfChange], None],
                 on_totem: Callable[[TotemChange], None] | None = None) -> None:
        super().__init__()
        self.group = group
        self._name = _encode_group(group)
        self._handlers = {Delivery: on_deliver, ConfChange: on_confchg}
        if on_totem is not None:
            self._handlers[TotemChange] = on_totem
        # The library keeps only C pointers to these: they live as long as this object.
        self._model = _ModelV1(_CPG_MODEL_V1, _DeliverFn(self._c_deliver),
                               _ConfchgFn(self._c_confchg), _TotemFn(self._c_totem),
                               _DELIVER_INITIAL_TOTEM_CONF)
        self._connect("cpg_model_initialize", _CPG_MODEL_V1, ctypes.byref(self._model), None)

    def _lib(self) -> ctypes.CDLL:
        return libs.load("libcpg.so.4", _declare)

    def _c_deliver(self, _handle, _name, nodeid, pid, msg, msg_len) -> None:
        self._guard(lambda: Delivery(nodeid, pid, ctypes.string_at(msg, msg_len)))

    def _c_confchg(self, _handle, name, members, n_members, left, n_left, joined,
                   n_joined) -> None:
        self._guard(lambda: ConfChange(
            _decode_group(name), tuple(m for m, _ in _addresses(members, n_members)),
            _addresses(left, n_left), _addresses(joined, n_joined)))

    def _c_totem(self, _handle, ring, n_nodes, nodes) -> None:
        if TotemChange in self._handlers:
            self._guard(lambda: TotemChange(RingId(ring.nodeid, ring.seq),
                                            tuple(nodes[i] for i in range(n_nodes))))

    def join(self) -> bool:
        """Enter the group; False if corosync said TRY_AGAIN (a membership change): retry."""
        return self._try("join", ctypes.byref(self._name))

    def leave(self) -> bool:
        """Leave the group (the others see reason LEAVE); False on TRY_AGAIN: retry."""
        return self._try("leave", ctypes.byref(self._name))

    def mcast(self, payload: bytes) -> bool:
        """Send `payload` to the group in agreed order.

        False when corosync answers TRY_AGAIN (its queues are full: keep the message and
        retry later; that is the back-pressure). Messages larger than one IPC message are
        split by libcpg, which may then wait inside this call for room between fragments.
        """
        data = bytes(payload)
        iov = _IoVec(ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p), len(data))
        return self._try("mcast_joined", _CPG_TYPE_AGREED, ctypes.byref(iov), 1)

    def _try(self, name: str, *args) -> bool:
        self._require_open()
        rc = self._call(name, *args)
        if rc == CS_ERR_TRY_AGAIN:
            return False
        check(self._prefix + name, rc)
        return True

    def local_nodeid(self) -> int:
        nodeid = ctypes.c_uint(0)
        self._checked("local_get", ctypes.byref(nodeid))
        return nodeid.value

    def local(self) -> Member:
        """This process as the group sees it (libcpg joins with the caller's getpid())."""
        return Member(self.local_nodeid(), os.getpid())

    def membership(self) -> tuple[Member, ...]:
        """The group's members as corosync knows them now (a request, not a callback)."""
        array = (_Address * _MEMBERS_MAX)()
        count = ctypes.c_int(_MEMBERS_MAX)
        self._checked("membership_get", ctypes.byref(self._name), array, ctypes.byref(count))
        return tuple(Member(a.nodeid, a.pid) for a in array[:count.value])
