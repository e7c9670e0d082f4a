"""libcmap through ctypes: reading corosync's configuration and runtime map.

cmap holds corosync.conf as corosync understood it (`nodelist.node.0.name`, `totem.token`,
`quorum.two_node`) and runtime facts (`runtime.votequorum.this_node_id`). The daemon takes
its node name and id from here, so they always agree with what corosync itself uses.
Values are read with `cmap_get` into a buffer we own (never `cmap_get_string`, whose
result the caller would have to free).
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass

from daemon.corosync import libs
from daemon.corosync.errors import (
    CS_ERR_NO_SECTIONS, CS_ERR_NOT_EXIST, CorosyncError, check,
)
from daemon.corosync.handle import ServiceHandle

__all__ = ["CmapConnection", "NodeEntry", "CmapValue", "parse_nodelist", "pick_local"]

CmapValue = int | float | str | bytes

_KEY_MAX = 256
_CS_ERR_INVALID_PARAM = 7
_NUMBERS = {1: ctypes.c_int8, 2: ctypes.c_uint8, 3: ctypes.c_int16, 4: ctypes.c_uint16,
            5: ctypes.c_int32, 6: ctypes.c_uint32, 7: ctypes.c_int64, 8: ctypes.c_uint64,
            9: ctypes.c_float, 10: ctypes.c_double}
_STRING, _BINARY = 11, 12


@dataclass(frozen=True)
class NodeEntry:
    """One `nodelist.node.N` entry: its id, its `name` and its addresses by link number."""

    nodeid: int
    name: str | None
    addrs: tuple[str, ...]

    @property
    def uname(self) -> str:
        """The node's name as the cluster knows it: `name`, else its first link address."""
        return self.name or (self.addrs[0] if self.addrs else str(self.nodeid))


def _decode(vtype: int, raw: bytes) -> CmapValue:
    if vtype in _NUMBERS:
        return _NUMBERS[vtype].from_buffer_copy(raw).value
    if vtype == _STRING:
        return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
    return bytes(raw)


_NODE_KEY = re.compile(r"nodelist\.node\.(\d+)\.(\w+)$")
_RING_ADDR = re.compile(r"ring(\d+)_addr$")


def _nodeid(key: str, value: CmapValue) -> int:
    try:
        nodeid = int(value)
    except (TypeError, ValueError):
        nodeid = -1
    if isinstance(value, float) or not 0 <= nodeid <= 0xFFFFFFFF:
        raise ValueError(f"{key}: {value!r} is not a node id (a number from 0 to 4294967295)")
    return nodeid


def parse_nodelist(items: dict[str, CmapValue]) -> list[NodeEntry]:
    """Turn `nodelist.node.N.*` keys into entries in N order (pure: cmap keys in, values out).

    An entry without `nodeid` gets 0 (corosync 3 with knet refuses such a configuration);
    a `nodeid` that is no number from 0 to 2^32-1 is a ValueError naming its key.
    """
    fields: dict[int, dict[str, CmapValue]] = {}
    for key, value in items.items():
        match = _NODE_KEY.match(key)
        if match:
            fields.setdefault(int(match[1]), {})[match[2]] = value
    entries = []
    for pos, node in sorted(fields.items()):
        rings = sorted((int(m[1]), str(v)) for k, v in node.items()
                       if (m := _RING_ADDR.match(k)))
        name = node.get("name")
        nodeid = _nodeid(f"nodelist.node.{pos}.nodeid", node.get("nodeid", 0))
        entries.append(NodeEntry(nodeid,
                                 str(name) if name is not None else None,
                                 tuple(addr for _, addr in rings)))
    return entries


def pick_local(entries: list[NodeEntry], this_node_id: int | None,
               local_node_pos: int | None) -> NodeEntry | None:
    """This node's entry: the one with corosync's own node id, else the one at its position."""
    if this_node_id is not None:
        for entry in entries:
            if entry.nodeid == this_node_id:
                return entry
    if local_node_pos is not None and 0 <= local_node_pos < len(entries):
        return entries[local_node_pos]
    return None


def _declare(lib: ctypes.CDLL) -> None:
    h, p = libs.handle_t, ctypes.POINTER
    size_p, type_p = p(ctypes.c_size_t), p(ctypes.c_int)
    libs.proto(lib, "cmap_initialize", p(h))
    libs.proto(lib, "cmap_finalize", h)
    libs.proto(lib, "cmap_fd_get", h, p(ctypes.c_int))
    libs.proto(lib, "cmap_dispatch", h, ctypes.c_int)
    libs.proto(lib, "cmap_get", h, ctypes.c_char_p, ctypes.c_void_p, size_p, type_p)
    libs.proto(lib, "cmap_iter_init", h, ctypes.c_char_p, p(ctypes.c_uint64))
    libs.proto(lib, "cmap_iter_next", h, ctypes.c_uint64, ctypes.c_char_p, size_p, type_p)
    libs.proto(lib, "cmap_iter_finalize", h, ctypes.c_uint64)


_MISSING = object()   # get() without a default
_ABSENT = object()    # items(): a key deleted between listing and reading


class CmapConnection(ServiceHandle):
    """One libcmap handle for reads: `get`, `items`, `nodelist`, `local_node`."""

    _prefix = "cmap_"

    def __init__(self) -> None:
        super().__init__()
        self._connect("cmap_initialize")

    def _lib(self) -> ctypes.CDLL:
        return libs.load("libcmap.so.4", _declare)

    def get(self, key: str, default=_MISSING) -> CmapValue:
        """The value stored at `key`, typed as stored; KeyError (or `default`) if absent."""
        self._require_open()
        name = key.encode("utf-8")
        length, vtype = ctypes.c_size_t(0), ctypes.c_int(0)
        for _attempt in range(3):   # the value may grow between the two calls
            rc = self._call("get", name, None, ctypes.byref(length), ctypes.byref(vtype))
            if rc == CS_ERR_NOT_EXIST:
                if default is _MISSING:
                    raise KeyError(key)
                return default
            check("cmap_get", rc)
            buffer = ctypes.create_string_buffer(max(length.value, 1))
            size = ctypes.c_size_t(len(buffer))
            rc = self._call("get", name, buffer, ctypes.byref(size), ctypes.byref(vtype))
            if rc != _CS_ERR_INVALID_PARAM:
                check("cmap_get", rc)
                return _decode(vtype.value, buffer.raw[:size.value])
        raise CorosyncError("cmap_get", rc, f"the value of {key} keeps changing size")

    def keys(self, prefix: str = "") -> list[str]:
        """Every key starting with `prefix`, in cmap's (sorted) order."""
        self._require_open()
        iterator = ctypes.c_uint64(0)
        self._checked("iter_init", prefix.encode("utf-8"), ctypes.byref(iterator))
        names = []
        try:
            key = ctypes.create_string_buffer(_KEY_MAX)
            length, vtype = ctypes.c_size_t(0), ctypes.c_int(0)
            while True:
                rc = self._call("iter_next", iterator, key, ctypes.byref(length),
                                ctypes.byref(vtype))
                if rc == CS_ERR_NO_SECTIONS:
                    return names
                check("cmap_iter_next", rc)
                names.append(key.value.decode("utf-8", "replace"))
        finally:
            self._call("iter_finalize", iterator)

    def items(self, prefix: str = "") -> dict[str, CmapValue]:
        """Every key under `prefix` with its value (keys deleted meanwhile are skipped)."""
        values = {}
        for key in self.keys(prefix):
            value = self.get(key, _ABSENT)
            if value is not _ABSENT:
                values[key] = value
        return values

    def nodelist(self) -> list[NodeEntry]:
        return parse_nodelist(self.items("nodelist.node."))

    def local_node(self) -> NodeEntry:
        """This node's nodelist entry (matched on corosync's own node id)."""
        this_id = self.get("runtime.votequorum.this_node_id", None)
        position = self.get("nodelist.local_node_pos", None)
        entry = pick_local(self.nodelist(), this_id, position)
        if entry is None:
            raise CorosyncError("cmap_get", CS_ERR_NOT_EXIST,
                                f"this node (id {this_id}) is not in corosync's nodelist")
        return entry

