"""Asking this node's corosync what `corosync status` shows, as its tools ask it.

Call for call as corosync 3.1's tools do, so the answers are the ones they print from:
`read_ring` is corosync-cfgtool's nodestatusget_do (cfg, then cmap for the transport and the
nodelist, then cfg's node status of every node), `read_quorum` is corosync-quorumtool's
init_all and show_status (cmap, quorum, cfg, votequorum; quorate; the quorum service's current
view; votequorum's numbers of each member). What the tools print on their standard error
(a node whose status cannot be read) goes to `warn`, in their words.

Corosync answering nothing, refusing the user or missing its libraries is a `ShellError`
in one line, never a traceback. The one wait, for the quorum service's answer, is bounded.
"""

from __future__ import annotations

import os
import re
import select
import socket
import time
from collections.abc import Callable
from contextlib import ExitStack

from daemon.corosync.cfg import CfgConnection
from daemon.corosync.cmap import CmapConnection
from daemon.corosync.errors import (
    CS_ERR_TRY_AGAIN, CorosyncError, CorosyncUnavailable, error_name,
)
from daemon.corosync.events import QuorumChange
from daemon.corosync.libs import LibraryMissing
from daemon.corosync.quorum import QUORUM_FREE, QuorumConnection
from daemon.corosync.votequorum import VotequorumConnection

from crmshell.corosync_status.facts import MAX_LINKS, Member, QuorumFacts, RingFacts
from crmshell.errors import ShellError

Warn = Callable[[str], None]

VIEW_TIMEOUT_S = 10.0    # the quorum service answers trackstart at once; this is a safety net
_CS_ERR_TIMEOUT = 5
_CS_ERR_ACCESS = 11
_CS_ERR_SECURITY = 100
_NODEID_KEY = re.compile(r"nodelist\.node\.\d+\.nodeid\Z")
_KNET_TRANSPORT_KEY = re.compile(r"totem\.interface\.(\d+)\.knet_transport\Z")


def explain(err: CorosyncError) -> ShellError:
    """What to tell the administrator when corosync could not be asked."""
    if isinstance(err, LibraryMissing):
        return ShellError(err.meaning)
    if isinstance(err, CorosyncUnavailable):
        if err.code == CS_ERR_TRY_AGAIN:
            return ShellError("corosync is starting on this node and does not accept clients "
                              "yet; try again in a moment")
        return ShellError("corosync is not running on this node: nothing answers on its local "
                          f"IPC ({err.name}); start corosync, or run this on a cluster node")
    if err.code in (_CS_ERR_ACCESS, _CS_ERR_SECURITY):
        return ShellError(f"corosync refused this user (uid {os.getuid()}): access denied, "
                          f"{err.name} (corosync-cfgtool says \"Could not initialize corosync "
                          f"configuration API error {err.code}\"); run it as root, or allow the "
                          "user with a uidgid section in corosync.conf")
    return ShellError(f"corosync did not answer as expected: {err}")


def read_ring(warn: Warn) -> RingFacts:
    """What `corosync-cfgtool -s` prints from."""
    try:
        with CfgConnection() as cfg, CmapConnection() as cmap:
            transport = cmap.get("totem.transport", None)
            transport = transport if isinstance(transport, str) else "knet"
            local = cfg.local_nodeid()
            nodeids = _nodelist_ids(cmap)
            if not nodeids:
                raise ShellError("corosync's nodelist has no nodes (corosync-cfgtool says: "
                                 "No nodes found in nodelist)")
            links = _link_transports(cmap, transport)
            return RingFacts(local, transport, links,
                             tuple((n, _node_status(cfg, n, warn)) for n in nodeids))
    except CorosyncError as err:
        raise explain(err) from None


def _nodelist_ids(cmap: CmapConnection) -> list[int]:
    """Every `nodelist.node.N.nodeid` that is a number, ascending (as the tool sorts them)."""
    values = cmap.items("nodelist.node.")
    return sorted(value for key, value in values.items()
                  if _NODEID_KEY.match(key) and isinstance(value, int))


def _link_transports(cmap: CmapConnection, transport: str) -> tuple[str, ...]:
    """Per link: knet's "udp" unless `totem.interface.N.knet_transport` says otherwise;
    nothing for the old udp/udpu transports (their name is already on the first line)."""
    names = ["udp" if transport not in ("udp", "udpu") else ""] * MAX_LINKS
    for key, value in cmap.items("totem.interface.").items():
        match = _KNET_TRANSPORT_KEY.match(key)
        if match and int(match[1]) < MAX_LINKS and isinstance(value, str):
            names[int(match[1])] = value
    return tuple(names)


def _node_status(cfg: CfgConnection, nodeid: int, warn: Warn):
    try:
        return cfg.node_status(nodeid)
    except CorosyncUnavailable:
        raise
    except CorosyncError as err:
        warn(f"Could not get the node status for nodeid {nodeid}, the error is: {err.code}")
        return None


def read_quorum(warn: Warn) -> QuorumFacts:
    """What `corosync-quorumtool -s` and `-l` print from."""
    changes: list[QuorumChange] = []
    try:
        with ExitStack() as stack:
            cmap = stack.enter_context(CmapConnection())
            quorum = stack.enter_context(QuorumConnection(changes.append))
            cfg = stack.enter_context(CfgConnection())
            provider = _provider(cmap, quorum)
            votequorum, local = None, 0
            if provider == "corosync_votequorum":
                votequorum = stack.enter_context(VotequorumConnection())
                local = _this_node_id(cmap)
            quorate = quorum.quorate()
            view = _current_view(quorum, changes)
            names = {e.nodeid: e.name for e in reversed(cmap.nodelist()) if e.name}
            members = tuple(Member(n, _member_name(cfg, n, names.get(n, ""), warn),
                                   _info(votequorum, n)) for n in view.nodes)
            local_info = _info(votequorum, local, warn)
            return QuorumFacts(provider, votequorum is not None, quorate, local, view.ring,
                               members, local_info)
    except CorosyncError as err:
        raise explain(err) from None


def _provider(cmap: CmapConnection, quorum: QuorumConnection) -> str | None:
    """quorum.provider, unless the quorum service says none decides (QUORUM_FREE)."""
    if quorum.quorum_type == QUORUM_FREE:
        return None
    value = cmap.get("quorum.provider", None)
    return value if isinstance(value, str) and value else None


def _this_node_id(cmap: CmapConnection) -> int:
    local = cmap.get("runtime.votequorum.this_node_id", None)
    if not isinstance(local, int):
        raise ShellError("corosync has no runtime.votequorum.this_node_id (corosync-quorumtool "
                         "says: Unable to retrieve this_node_id); is votequorum running?")
    return local


def _current_view(quorum: QuorumConnection, changes: list[QuorumChange]) -> QuorumChange:
    """quorum_trackstart(CS_TRACK_CURRENT) and dispatch until the view is there."""
    quorum.trackstart(current=True)
    deadline = time.monotonic() + VIEW_TIMEOUT_S
    while not changes:
        left = deadline - time.monotonic()
        if left <= 0:
            raise CorosyncError("quorum_dispatch", _CS_ERR_TIMEOUT,
                                f"no quorum view from corosync within {VIEW_TIMEOUT_S:g} s")
        if select.select([quorum.fileno()], [], [], left)[0]:
            quorum.dispatch()
    return changes[-1]


def _info(votequorum: VotequorumConnection | None, nodeid: int, warn: Warn | None = None):
    """votequorum_getinfo(nodeid); None without votequorum or when the call fails (which the
    tool says on its standard error for this node's own numbers: `warn`)."""
    if votequorum is None:
        return None
    try:
        return votequorum.info(nodeid)
    except CorosyncUnavailable:
        raise
    except CorosyncError as err:
        if warn is not None:
            warn(f"Unable to get node info: {error_name(err.code)}")
        return None


def _member_name(cfg: CfgConnection, nodeid: int, name: str, warn: Warn) -> str:
    """The tool's node_name(): the nodelist `name`, else the first address resolved (a host
    name, or the address itself); nothing when corosync has no address for the node."""
    try:
        addrs = cfg.node_addrs(nodeid)
    except CorosyncUnavailable:
        raise
    except CorosyncError as err:
        warn(f"Unable to get node address for nodeid {nodeid}: {error_name(err.code)}")
        return ""
    if name:
        return name
    if not addrs or addrs[0] is None:
        return ""
    try:
        return socket.getnameinfo((addrs[0], 0), 0)[0]
    except OSError:
        return ""
