"""What the corosync level's configuration commands do: this host's corosync.conf shown,
edited (checked by the same parser as every load before it is written), compared with,
pushed to and pulled from other nodes, nodes added to and removed from every nodelist.
"""

from __future__ import annotations

import os
import subprocess
import tempfile

from crmshell.errors import ShellError, UsageError
from crmshell.levels.cluster_run import _progress, _reported, _root, connect_options
from crmshell.levels.cluster_words import Spec, parse

EDIT_TIMEOUT_S = 24 * 3600.0


def _local_text() -> str:
    from crmshell.bootstrap.peers import LocalPeer, PeerError

    try:
        return LocalPeer().call("read-corosync-conf")["corosync_conf"]
    except PeerError as err:
        raise ShellError(f"corosync: {err.reason}") from None


def show(ctx) -> None:
    ctx.write(_local_text().rstrip("\n"))


def edit(ctx) -> None:
    """$EDITOR on a copy; the file is written only when the edited text parses, and the
    copy is kept for another try when it does not (nothing of the edit is lost)."""
    from crmshell.bootstrap.peers import LocalPeer, PeerError

    _root("edit")
    text = _local_text()
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    fd, path = tempfile.mkstemp(prefix="corosync.", suffix=".conf")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    try:
        subprocess.run([editor, path], timeout=EDIT_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ShellError(f"corosync edit: cannot run {editor}: {err}") from None
    with open(path) as handle:
        new = handle.read()
    if new == text:
        os.unlink(path)
        ctx.write("corosync.conf unchanged")
        return
    try:
        LocalPeer().call("set-corosync-conf", {"text": new})
    except PeerError as err:
        raise ShellError(f"corosync edit: not written: {err.reason}; your edit is kept in "
                         f"{path}") from None
    os.unlink(path)
    ctx.write("corosync.conf written; 'corosync push' copies it to the other nodes")


_NODES = Spec("diff", "diff [--all | NODE...]", {"--all": "all", "--accept-new-host-key":
                                                  "accept_new"}, {}, 0, None)
_PUSH = Spec("push", "push [--all | NODE...] [--no-reload]",
             {"--all": "all", "--no-reload": "no_reload", "--accept-new-host-key": "accept_new"},
             {}, 0, None)


def _others(opts: dict, nodes: list[str]) -> list[str]:
    from crmshell.bootstrap import fleet
    from crmshell.bootstrap.connect import is_this_host

    if not nodes or opts.get("all"):
        nodes = fleet.targets(True, [])
    return [n for n in nodes if not is_this_host(n)]


def diff(ctx, words) -> None:
    from crmshell.bootstrap import fleet

    opts, nodes = parse(_NODES, words)
    options = connect_options(opts)
    with _reported("corosync diff", options):
        lines = fleet.diff_config(_others(opts, nodes), options)
    ctx.write("\n".join(lines) if lines else "corosync.conf is the same on every node asked")


def push(ctx, words) -> None:
    from crmshell.bootstrap import fleet

    opts, nodes = parse(_PUSH, words)
    _root("push")
    options = connect_options(opts)
    progress = _progress(ctx)
    with _reported("corosync push", options):
        fleet.push_config(progress, _local_text(), _others(opts, nodes), options,
                          reload=not opts["no_reload"])


def pull(ctx, node: str) -> None:
    from crmshell.bootstrap import fleet

    _root("pull")
    options = connect_options({})
    with _reported("corosync pull", options):
        fleet.pull_config(_progress(ctx), node, options)


def reload(ctx) -> None:
    from crmshell.bootstrap.peers import LocalPeer, PeerError

    _root("reload")
    try:
        done = LocalPeer().call("corosync-reload")
    except PeerError as err:
        raise ShellError(f"corosync reload: {err.reason}") from None
    ctx.write("corosync reloaded its configuration" if done.get("reloaded")
              else "corosync is not running here: nothing to reload")


def add_node(ctx, name: str, addresses: tuple[str, ...]) -> None:
    from crmshell.bootstrap import fleet

    if name.startswith("-"):
        raise UsageError("add-node: usage: add-node NAME [ADDRESS...]")
    _root("add-node")
    options = connect_options({})
    with _reported("corosync add-node", options):
        fleet.add_node_entry(_progress(ctx), name, tuple(addresses) or (name,), options)


def remove_node(ctx, name: str) -> None:
    from crmshell.bootstrap import fleet

    _root("remove-node")
    options = connect_options({})
    with _reported("corosync remove-node", options):
        fleet.remove_node_entry(_progress(ctx), name, options)
