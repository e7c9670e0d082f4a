"""libvotequorum through ctypes: the numbers behind "quorate" (votes, expected, flags).

`corosync-quorumtool -s` prints these; the shell's `corosync status` view and the
controller's no-quorum decisions need them too. Only queries: no callbacks are registered
(quorum changes arrive through `quorum`), so this handle never needs dispatching.
"""

from __future__ import annotations

import ctypes
import enum
from dataclasses import dataclass

from daemon.corosync import libs
from daemon.corosync.handle import ServiceHandle

__all__ = ["VotequorumConnection", "VoteInfo", "VoteFlag", "NodeState"]

_QDEVICE_MAX_NAME = 255


class VoteFlag(enum.IntFlag):
    """VOTEQUORUM_INFO_* from votequorum.h."""

    TWO_NODE = 1
    QUORATE = 2
    WAIT_FOR_ALL = 4
    LAST_MAN_STANDING = 8
    AUTO_TIE_BREAKER = 16
    ALLOW_DOWNSCALE = 32
    QDEVICE_REGISTERED = 64
    QDEVICE_ALIVE = 128
    QDEVICE_CAST_VOTE = 256
    QDEVICE_MASTER_WINS = 512


class NodeState(enum.IntEnum):
    UNKNOWN = 0
    MEMBER = 1
    DEAD = 2
    LEAVING = 3


@dataclass(frozen=True)
class VoteInfo:
    """What votequorum knows about one node and the cluster's vote count."""

    nodeid: int
    state: NodeState
    votes: int
    expected_votes: int
    highest_expected: int
    total_votes: int
    quorum: int
    flags: VoteFlag
    qdevice_votes: int
    qdevice_name: str

    @property
    def quorate(self) -> bool:
        return VoteFlag.QUORATE in self.flags

    @property
    def two_node(self) -> bool:
        return VoteFlag.TWO_NODE in self.flags

    @property
    def wait_for_all(self) -> bool:
        return VoteFlag.WAIT_FOR_ALL in self.flags

    @property
    def last_man_standing(self) -> bool:
        return VoteFlag.LAST_MAN_STANDING in self.flags

    @property
    def auto_tie_breaker(self) -> bool:
        return VoteFlag.AUTO_TIE_BREAKER in self.flags


class _Info(ctypes.Structure):
    _fields_ = [("node_id", ctypes.c_uint), ("node_state", ctypes.c_uint),
                ("node_votes", ctypes.c_uint), ("node_expected_votes", ctypes.c_uint),
                ("highest_expected", ctypes.c_uint), ("total_votes", ctypes.c_uint),
                ("quorum", ctypes.c_uint), ("flags", ctypes.c_uint),
                ("qdevice_votes", ctypes.c_uint),
                ("qdevice_name", ctypes.c_char * _QDEVICE_MAX_NAME)]


class _Callbacks(ctypes.Structure):
    _fields_ = [("quorum", ctypes.c_void_p), ("expectedvotes", ctypes.c_void_p),
                ("nodelist", ctypes.c_void_p)]


def _declare(lib: ctypes.CDLL) -> None:
    h, p = libs.handle_t, ctypes.POINTER
    libs.proto(lib, "votequorum_initialize", p(h), p(_Callbacks))
    libs.proto(lib, "votequorum_finalize", h)
    libs.proto(lib, "votequorum_fd_get", h, p(ctypes.c_int))
    libs.proto(lib, "votequorum_dispatch", h, ctypes.c_int)
    libs.proto(lib, "votequorum_getinfo", h, ctypes.c_uint, p(_Info))


def _state(code: int) -> NodeState:
    try:
        return NodeState(code)
    except ValueError:
        return NodeState.UNKNOWN


class VotequorumConnection(ServiceHandle):
    """One libvotequorum handle, for `info(nodeid)` queries."""

    _prefix = "votequorum_"

    def __init__(self) -> None:
        super().__init__()
        self._callbacks = _Callbacks()
        self._connect("votequorum_initialize", ctypes.byref(self._callbacks))

    def _lib(self) -> ctypes.CDLL:
        return libs.load("libvotequorum.so.8", _declare)

    def info(self, nodeid: int) -> VoteInfo:
        """Votes of `nodeid` and the cluster's totals as this node sees them.

        Node id 0 means the quorum device, not this node: pass the local node id.
        """
        raw = _Info()
        self._checked("getinfo", nodeid, ctypes.byref(raw))
        return VoteInfo(raw.node_id, _state(raw.node_state), raw.node_votes,
                        raw.node_expected_votes, raw.highest_expected, raw.total_votes,
                        raw.quorum, VoteFlag(raw.flags), raw.qdevice_votes,
                        raw.qdevice_name.decode("utf-8", "replace"))
