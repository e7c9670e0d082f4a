"""The first process of a sandbox node: it makes the node's /run and /dev/shm, then waits.

Started by the supervisor as `unshare --net --mount --pid --fork --mount-proc --kill-child --
python node_init.py DIR NODE`, so it is PID 1 of the node's PID namespace: when it ends, the
kernel kills every process of the node, which is exactly a crashed host (fence_sandbox and
`down` rely on it). It ends when its standard input closes, i.e. when the supervisor is gone.
A fresh tmpfs on /run and /dev/shm gives corosync its own pid file and libqb its own shared
memory; the sandbox directory is carried over when it lives under /run ($XDG_RUNTIME_DIR),
since the node's sockets and logs must stay where the host sees them.

A bare host (`sandbox up --bare`, `--hostname NAME --bind SRC DST ...`) is also started in
a UTS namespace: it gets its hostname and its private directories (the copy of /etc among
them) bind-mounted on the system paths, and /run/sshd for sshd.

Standard library only and run by path: it starts before anything else of the node.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys

HINT = "/run/crmshell-sandbox.json"  # daemon/agents/fence/sandbox_control.py: NODE_HINT
HOLD = "/dev/shm/.crmshell-sandbox-dir"
TIMEOUT_S = 10


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL)


def _under(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip("/") + "/")


def make_mounts(directory: str) -> None:
    _run("mount", "-t", "tmpfs", "-o", "mode=1777,nosuid,nodev", "tmpfs", "/dev/shm")
    keep = _under(directory, "/run")
    if keep:
        os.mkdir(HOLD, 0o700)
        _run("mount", "--bind", directory, HOLD)
    _run("mount", "-t", "tmpfs", "-o", "mode=0755,nosuid,nodev", "tmpfs", "/run")
    if keep:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        _run("mount", "--move", HOLD, directory)
        os.rmdir(HOLD)


def make_host(hostname: str, binds: list[list[str]]) -> None:
    """A bare host's own directories on the system paths, its hostname and /run/sshd."""
    for source, target in binds:
        _run("mount", "--bind", source, target)
    socket.sethostname(hostname)
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)


def _reap(_signum: int, _frame: object) -> None:
    """PID 1 inherits the node's orphans; reap them so none stays a zombie."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="node_init.py")
    p.add_argument("directory")
    p.add_argument("node")
    p.add_argument("--hostname", default=None)
    p.add_argument("--bind", nargs=2, action="append", default=[], metavar=("SRC", "DST"))
    args = p.parse_args(argv)
    directory, node = args.directory, args.node
    try:
        make_mounts(directory)
        if args.hostname is not None:
            make_host(args.hostname, args.bind)
        _run("ip", "link", "set", "lo", "up")
        with open(HINT, "w", encoding="utf-8") as hint:
            json.dump({"dir": directory, "node": node}, hint)
    except (OSError, subprocess.SubprocessError) as err:
        print(f"error {node}: cannot set up the node's namespaces: {err}", flush=True)
        return 1
    signal.signal(signal.SIGCHLD, _reap)
    print("ready", flush=True)
    while sys.stdin.buffer.read(4096):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
