"""libcfg through ctypes: this node's id, reloading corosync.conf, link health, addresses.

`corosync-cfgtool -R` and `-s` are these calls: the shell's cluster commands reload the
configuration after editing it, and status views show whether each node is reachable on
each knet link. `corosync-quorumtool` names a node without a nodelist `name` after the
first of its addresses (`node_addrs`).
"""

from __future__ import annotations

import ctypes
import socket
import sys
from dataclasses import dataclass

from daemon.corosync import libs
from daemon.corosync.handle import ServiceHandle

__all__ = ["CfgConnection", "NodeStatus", "LinkStatus"]

_HOST_LEN = 256
_MAX_LINKS = 8
_NODE_STATUS_V1 = 1
_INTERFACE_MAX = 8      # totem.h: the most addresses corosync keeps per node
_SOCKADDR_IN6_LEN = 28  # sizeof(struct sockaddr_in6): the room for one address


@dataclass(frozen=True)
class LinkStatus:
    """One configured knet link towards a node, as this node sees it."""

    link: int
    enabled: bool
    connected: bool
    dynconnected: bool
    mtu: int
    src_addr: str
    dst_addr: str


@dataclass(frozen=True)
class NodeStatus:
    """Whether this node reaches `nodeid`, and over which links."""

    nodeid: int
    reachable: bool
    remote: bool
    external: bool
    onwire_min: int
    onwire_max: int
    onwire_ver: int
    links: tuple[LinkStatus, ...]


class _Link(ctypes.Structure):
    _fields_ = [("enabled", ctypes.c_uint8), ("connected", ctypes.c_uint8),
                ("dynconnected", ctypes.c_uint8), ("mtu", ctypes.c_uint),
                ("src_ipaddr", ctypes.c_char * _HOST_LEN),
                ("dst_ipaddr", ctypes.c_char * _HOST_LEN)]


class _NodeStatus(ctypes.Structure):
    _fields_ = [("version", ctypes.c_int), ("nodeid", ctypes.c_uint),
                ("reachable", ctypes.c_uint8), ("remote", ctypes.c_uint8),
                ("external", ctypes.c_uint8), ("onwire_min", ctypes.c_uint8),
                ("onwire_max", ctypes.c_uint8), ("onwire_ver", ctypes.c_uint8),
                ("link_status", _Link * _MAX_LINKS)]


class _NodeAddress(ctypes.Structure):
    """corosync_cfg_node_address_t: a sockaddr_in or sockaddr_in6 in a fixed buffer."""

    _fields_ = [("address_length", ctypes.c_int),
                ("address", ctypes.c_uint8 * _SOCKADDR_IN6_LEN)]


def _sockaddr_text(raw: bytes) -> str | None:
    """The address in a sockaddr_in/sockaddr_in6 as text; None for an empty slot (family 0)
    or a family corosync does not use."""
    family = int.from_bytes(raw[0:2], sys.byteorder)   # sa_family_t, host order
    if family == socket.AF_INET:
        return socket.inet_ntop(socket.AF_INET, raw[4:8])
    if family == socket.AF_INET6:
        return socket.inet_ntop(socket.AF_INET6, raw[8:24])
    return None


class _Callbacks(ctypes.Structure):
    _fields_ = [("shutdown", ctypes.c_void_p)]


def _declare(lib: ctypes.CDLL) -> None:
    h, p = libs.handle_t, ctypes.POINTER
    libs.proto(lib, "corosync_cfg_initialize", p(h), p(_Callbacks))
    libs.proto(lib, "corosync_cfg_finalize", h)
    libs.proto(lib, "corosync_cfg_fd_get", h, p(ctypes.c_int))
    libs.proto(lib, "corosync_cfg_dispatch", h, ctypes.c_int)
    libs.proto(lib, "corosync_cfg_local_get", h, p(ctypes.c_uint))
    libs.proto(lib, "corosync_cfg_reload_config", h)
    libs.proto(lib, "corosync_cfg_node_status_get", h, ctypes.c_uint, ctypes.c_int,
               ctypes.c_void_p)
    libs.proto(lib, "corosync_cfg_get_node_addrs", h, ctypes.c_uint, ctypes.c_size_t,
               p(ctypes.c_int), p(_NodeAddress))


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


class CfgConnection(ServiceHandle):
    """One libcfg handle (no shutdown callback: the daemon is not asked before corosync stops)."""

    _prefix = "corosync_cfg_"

    def __init__(self) -> None:
        super().__init__()
        self._callbacks = _Callbacks()
        self._connect("corosync_cfg_initialize", ctypes.byref(self._callbacks))

    def _lib(self) -> ctypes.CDLL:
        return libs.load("libcfg.so.7", _declare)

    def local_nodeid(self) -> int:
        nodeid = ctypes.c_uint(0)
        self._checked("local_get", ctypes.byref(nodeid))
        return nodeid.value

    def reload_config(self) -> None:
        """Make every node's corosync re-read corosync.conf (`corosync-cfgtool -R`)."""
        self._checked("reload_config")

    def node_status(self, nodeid: int) -> NodeStatus:
        """Reachability of `nodeid` and the state of each enabled link towards it."""
        raw = _NodeStatus()
        self._checked("node_status_get", nodeid, _NODE_STATUS_V1, ctypes.byref(raw))
        links = tuple(
            LinkStatus(i, bool(link.enabled), bool(link.connected), bool(link.dynconnected),
                       link.mtu, _text(link.src_ipaddr), _text(link.dst_ipaddr))
            for i, link in enumerate(raw.link_status) if link.enabled)
        return NodeStatus(raw.nodeid, bool(raw.reachable), bool(raw.remote),
                          bool(raw.external), raw.onwire_min, raw.onwire_max, raw.onwire_ver,
                          links)

    def node_addrs(self, nodeid: int) -> tuple[str | None, ...]:
        """The addresses corosync knows for `nodeid`, in its order (`corosync-cfgtool -a`).

        An entry without an address family is None, so positions stay as corosync gave them
        (`corosync-quorumtool` looks at the first one only).
        """
        raw = (_NodeAddress * _INTERFACE_MAX)()
        count = ctypes.c_int(0)
        self._checked("get_node_addrs", nodeid, _INTERFACE_MAX, ctypes.byref(count), raw)
        return tuple(_sockaddr_text(bytes(raw[i].address))
                     for i in range(min(count.value, _INTERFACE_MAX)))
