"""Knowing when a sandbox is ready: corosync's quorum view, then the daemons' DC.

Corosync's IPC answers about 0.4 s after it starts (CLUSTER-NOTES.md), and the daemons need
a moment more to elect; polling at a short interval is what a one-shot `up` can do without a
subscription, and each poll is one short process or one socket round trip.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from crmshell.sandbox.layout import NodePaths
from crmshell.sandbox.procs import StepError, run

POLL_S = 0.05
QUORUMTOOL_TIMEOUT_S = 5.0
HELLO_TIMEOUT_S = 2.0


def quorum_view(text: str) -> tuple[bool, int | None]:
    """(quorate, member count) from `corosync-quorumtool -s` output."""
    quorate, members = False, None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "Quorate":
            quorate = value.split()[:1] == ["Yes"]
        elif key == "Nodes" and value.isdigit():
            members = int(value)
    return quorate, members


def _corosync_view(prefix: list[str]) -> tuple[bool, int | None]:
    try:
        # exit 0 when quorate, 2 when not (measured); anything else: "not answering yet"
        text = run([*prefix, "corosync-quorumtool", "-s"], "quorum",
                   timeout=QUORUMTOOL_TIMEOUT_S, ok=(0, 2))
    except StepError as err:
        if "not installed" in str(err):
            raise
        return False, None
    return quorum_view(text)


def daemon_dc(socket_path: str) -> str | None:
    """The DC the daemon at `socket_path` knows of, None while it does not answer yet."""
    try:
        from daemon.api.client import ApiClient
    except ImportError:
        return None
    try:
        with ApiClient(socket_path, timeout=HELLO_TIMEOUT_S) as client:
            result = client.call("hello").result
    except Exception:  # noqa: BLE001 - any failure means "not ready yet"; the deadline reports
        return None
    dc = result.get("dc") if isinstance(result, dict) else None
    return dc if isinstance(dc, str) and dc else None


def wait_formed(nodes: list[NodePaths], prefix: Callable[[str], list[str]], with_daemon: bool,
                timeout: float, check_alive: Callable[[], None],
                members: int | None = None, quorate: bool = True) -> float:
    """Wait until every node in `nodes` sees a membership of `members` nodes (all of
    `nodes` by default), quorate unless `quorate` is False (a node restarted on the
    minority side of a partition), and, with the daemons, until all name the same DC.
    Returns the seconds waited; StepError says which node was not ready and at what."""
    start = time.monotonic()
    deadline = start + timeout
    want = len(nodes) if members is None else members
    pending = {n.name: n for n in nodes}
    stage = "corosync membership"
    while pending:
        check_alive()
        for name in list(pending):
            has_quorum, seen = _corosync_view(prefix(name))
            if (has_quorum or not quorate) and seen == want:
                del pending[name]
        if pending and time.monotonic() > deadline:
            raise StepError(f"{', '.join(pending)}: no membership of {want} node(s) "
                            f"within {timeout:g} s ({stage}); see {nodes[0].corosync_log}")
        if pending:
            time.sleep(POLL_S)
    stage = "DC"
    while with_daemon:
        check_alive()
        seen_dc = {n.name: daemon_dc(str(n.socket)) for n in nodes}
        values = set(seen_dc.values())
        if len(values) == 1 and None not in values:
            break
        if time.monotonic() > deadline:
            raise StepError(f"no DC within {timeout:g} s (the daemons say {seen_dc}); "
                            f"see {nodes[0].daemon_log}")
        time.sleep(POLL_S)
    return time.monotonic() - start
