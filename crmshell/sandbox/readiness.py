"""Knowing when a sandbox is ready: the daemons' view (members, quorum, one DC), or
corosync's own when the sandbox runs corosync alone.

Corosync's IPC answers about 0.4 s after it starts (CLUSTER-NOTES.md), and the daemons need
a moment more to elect; polling is what a one-shot `up` can do without a subscription. A poll
of a daemon is one socket round trip, so it is frequent; one of corosync is a process inside
the node, so it is not. Bare hosts (`up --bare`) are ready when sshd (and the remote API)
accept TCP connections on the host's address, from inside its network namespace.
"""

from __future__ import annotations

import ctypes
import os
import socket
import time
from collections.abc import Callable
from typing import NamedTuple

from crmshell.sandbox.layout import NodePaths
from crmshell.sandbox.procs import StepError, run
from daemon.api.client import ApiClient

DAEMON_POLL_S = 0.02
COROSYNC_POLL_S = 0.05
QUORUMTOOL_TIMEOUT_S = 5.0
HELLO_TIMEOUT_S = 2.0
PORT_POLL_S = 0.02
CONNECT_TIMEOUT_S = 0.5
CLONE_NEWNET = 0x40000000


class NodeView(NamedTuple):
    """What one node says about the cluster: quorum, member count, DC (None: unknown)."""

    quorate: bool = False
    members: int | None = None
    dc: str | None = None


def quorum_view(text: str) -> NodeView:
    """The view in `corosync-quorumtool -s` output."""
    quorate, members = False, None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "Quorate":
            quorate = value.split()[:1] == ["Yes"]
        elif key == "Nodes" and value.isdigit():
            members = int(value)
    return NodeView(quorate, members)


def hello_view(result: object) -> NodeView:
    """The view in the daemon's answer to `hello` (its CPG members are the daemons)."""
    if not isinstance(result, dict):
        return NodeView()
    members = result.get("members")
    dc = result.get("dc")
    return NodeView(result.get("quorate") is True,
                    len(members) if isinstance(members, list) else None,
                    dc if isinstance(dc, str) and dc else None)


def formed(views: dict[str, NodeView], want: int, quorate: bool, with_daemon: bool) -> bool:
    """Every node sees `want` members (and quorum, if asked); with the daemons, all of them
    name one and the same DC."""
    if not all(v.members == want and (v.quorate or not quorate) for v in views.values()):
        return False
    if not with_daemon:
        return True
    dcs = {v.dc for v in views.values()}
    return len(dcs) == 1 and None not in dcs


def corosync_view(prefix: list[str]) -> NodeView:
    """Asked inside the node, whose corosync IPC is only reachable from its namespaces."""
    try:
        # exit 0 when quorate, 2 when not (measured); anything else: "not answering yet"
        text = run([*prefix, "corosync-quorumtool", "-s"], "quorum",
                   timeout=QUORUMTOOL_TIMEOUT_S, ok=(0, 2))
    except StepError as err:
        if "not installed" in str(err):
            raise
        return NodeView()
    return quorum_view(text)


def daemon_view(socket_path: str) -> NodeView:
    """Asked through the daemon's socket (a path, reachable from here): no process to
    start per poll, which matters on a loaded machine."""
    try:
        with ApiClient(socket_path, timeout=HELLO_TIMEOUT_S) as client:
            return hello_view(client.call("hello").result)
    except Exception:  # noqa: BLE001 - any failure means "not ready yet"; the deadline reports
        return NodeView()


def settled(socket_path: str, deadline: float) -> bool:
    """Whether the DC's first transition is done, so the CIB says who is DC and which nodes
    are members when `up` returns (the daemons agree on the DC a moment before the DC has
    recorded it). A node that is not the DC asks the DC."""
    try:
        with ApiClient(socket_path, timeout=max(1.0, deadline - time.monotonic())) as client:
            client.call("wait", {"timeout": max(0.5, deadline - time.monotonic())})
        return True
    except Exception:  # noqa: BLE001 - not settled yet: the caller polls again or reports
        return False


def wait_formed(nodes: list[NodePaths], prefix: Callable[[str], list[str]], with_daemon: bool,
                timeout: float, check_alive: Callable[[], None],
                members: int | None = None, quorate: bool = True,
                settle: bool = False) -> float:
    """Wait until every node in `nodes` sees a membership of `members` nodes (all of
    `nodes` by default), quorate unless `quorate` is False (a node restarted on the
    minority side of a partition), and, with the daemons, until all name the same DC and,
    with `settle` (a new sandbox), the DC's first transition is done. A restarted node does
    not wait for that: the DC may be busy fencing it, and that fencing waits for the start.
    Returns the seconds waited; StepError says which node was not ready and at what."""
    start = time.monotonic()
    deadline = start + timeout
    want = len(nodes) if members is None else members
    while True:
        check_alive()
        views = {n.name: daemon_view(str(n.socket)) if with_daemon
                 else corosync_view(prefix(n.name)) for n in nodes}
        if formed(views, want, quorate, with_daemon) and (
                not (with_daemon and settle) or settled(str(nodes[0].socket), deadline)):
            return time.monotonic() - start
        if time.monotonic() > deadline:
            what = "crmshelld" if with_daemon else "corosync"
            log = nodes[0].daemon_log if with_daemon else nodes[0].corosync_log
            said = "; ".join(f"{name}: {v.members} member(s), "
                             f"{'quorate' if v.quorate else 'no quorum'}, DC {v.dc}"
                             for name, v in views.items())
            raise StepError(f"not formed within {timeout:g} s: {want} member(s)"
                            f"{' with quorum' if quorate else ''}"
                            f"{' and one DC' if with_daemon else ''} expected, {what} says "
                            f"{said}; see {log}")
        time.sleep(DAEMON_POLL_S if with_daemon else COROSYNC_POLL_S)


def port_open(ns_pid: int, address: str, port: int, timeout: float = CONNECT_TIMEOUT_S) -> bool:
    """Whether something accepts TCP connections on `address`:`port` in the network
    namespace of process `ns_pid` (a bare host's addresses are reachable from its namespace
    only). A forked child enters the namespace and connects: no program to start per poll."""
    try:
        fd = os.open(f"/proc/{ns_pid}/ns/net", os.O_RDONLY)
    except OSError:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    try:
        pid = os.fork()
        if pid == 0:   # the child: nothing of the parent's is run or flushed here
            code = 1
            try:
                if libc.setns(fd, CLONE_NEWNET) == 0:
                    with socket.create_connection((address, port), timeout=timeout):
                        code = 0
            except BaseException:  # noqa: BLE001 - any failure is "not open (yet)"
                pass
            os._exit(code)
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def wait_ports(targets: dict[str, list[tuple[int, str, int, str]]], timeout: float,
               check_alive: Callable[[], None]) -> float:
    """Wait until, for every node, each (namespace pid, address, port, what) accepts
    connections; StepError names the nodes and services that did not within `timeout`."""
    start = time.monotonic()
    deadline = start + timeout
    waiting = {name: list(ports) for name, ports in targets.items()}
    while True:
        check_alive()
        for name, ports in waiting.items():
            ports[:] = [t for t in ports if not port_open(t[0], t[1], t[2])]
        waiting = {name: ports for name, ports in waiting.items() if ports}
        if not waiting:
            return time.monotonic() - start
        if time.monotonic() > deadline:
            said = "; ".join(f"{name}: {what} does not accept connections on {addr}:{port}"
                             for name, ports in waiting.items()
                             for _pid, addr, port, what in ports)
            raise StepError(f"not ready within {timeout:g} s: {said}")
        time.sleep(PORT_POLL_S)
