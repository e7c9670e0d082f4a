"""Where everything of a sandbox lives and how its nodes are named, addressed and started.

Pure: a function of the directory, the node count and whether we run rootless, so the
supervisor, the shell's `sandbox` verbs and the tests agree on every path and argv without
asking each other. Node k is `nodek`, node id k, address 10.213.0.k/24 on the sandbox's
private bridge (nothing is routed to the host).
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from daemon.corosync.conf import ClusterConfig, NodeEntry, render

MAX_NODES = 16
SUBNET = "10.213.0"
PREFIX_LEN = 24
BRIDGE = "sbr0"
CLUSTER_NAME = "crmshell-sandbox"
STATE_FILE = "sandbox.json"      # the same names as daemon/agents/fence/sandbox_control.py
CONTROL_SOCKET = "control.sock"
# Fast totem for one machine, coefficient 0 (CLUSTER-NOTES.md): a lost node is seen in about
# token + consensus = 2.2 x token. Corosync derives knet's link ping timeout from the token
# (token / 2), and at 150-250 ms a busy 2-core machine let links drop every 8-9 s and the
# membership flap; the links keep their own, longer timers, so the token alone decides when a
# node is gone.
TOKEN_MS = 300
KNET_PING_INTERVAL_MS = 250
KNET_PING_TIMEOUT_MS = 2000
MIN_TOKEN_MS, MAX_TOKEN_MS = 100, 60000
TOKEN_COEFFICIENT = 0
# Nodes that share cores cannot afford corosync's default of 30 idle token rotations after
# each message: on 2 cores those rotations took 1.9 ms of corosync CPU per CIB update, a
# core at 500 updates/s. Holding the token after one quiet rotation made it 0.4 ms (a send
# cancels the hold at once); failure detection is the token timeout either way.
SEQNO_UNCHANGED_CONST = 1


class LayoutError(ValueError):
    """A sandbox that cannot be laid out (node count, node name, directory)."""


# votequorum's options `sandbox up --quorum` takes, as corosync.conf names them
QUORUM_FLAGS = ("two_node", "wait_for_all", "last_man_standing", "auto_tie_breaker")
QUORUM_NUMBERS = ("last_man_standing_window",)


def parse_quorum(text: str) -> tuple[tuple[str, int], ...]:
    """`--quorum` words, comma-separated: a flag (`wait_for_all`), a flag set to 0 or 1
    (`two_node=0`), or `last_man_standing_window=MS`; LayoutError names a bad word."""
    out: dict[str, int] = {}
    for word in (w.strip() for w in text.split(",")):
        if not word:
            continue
        name, sep, value = word.partition("=")
        name = name.strip().replace("-", "_")
        if name not in QUORUM_FLAGS + QUORUM_NUMBERS:
            raise LayoutError(f"--quorum {word}: not one of {', '.join(QUORUM_FLAGS + QUORUM_NUMBERS)}")
        if name in QUORUM_NUMBERS:
            if not sep or not value.strip().isdigit() or int(value) <= 0:
                raise LayoutError(f"--quorum {word}: {name} is a number of ms (above 0)")
            out[name] = int(value)
        elif sep and value.strip() not in ("0", "1"):
            raise LayoutError(f"--quorum {word}: {name} is 0 or 1")
        else:
            out[name] = int(value) if sep else 1
    return tuple(sorted(out.items()))


def default_dir(environ: dict[str, str] | None = None, uid: int | None = None) -> Path:
    """$XDG_RUNTIME_DIR/crmshell-sandbox, else /tmp/crmshell-sandbox-$UID: per user, so two
    users' sandboxes never collide, and in the runtime directory when there is one because
    it is private to the user and cleared at logout."""
    environ = os.environ if environ is None else environ
    runtime = environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return Path(runtime) / "crmshell-sandbox"
    return Path(f"/tmp/crmshell-sandbox-{os.getuid() if uid is None else uid}")


def node_name(index: int) -> str:
    return f"node{index}"


def node_index(name: str, count: int) -> int:
    """The index of node `name` in a sandbox of `count` nodes; LayoutError names the choices."""
    prefix, digits = name[:4], name[4:]
    if prefix == "node" and digits.isdigit() and not digits.startswith("0"):
        index = int(digits)
        if 1 <= index <= count:
            return index
    names = ", ".join(node_name(i) for i in range(1, count + 1))
    raise LayoutError(f"no node {name!r} in this sandbox (its nodes: {names})")


@dataclass(frozen=True)
class NodePaths:
    """The files of one node, all under DIR/nodeN (DIR is visible inside every node)."""

    name: str
    nodeid: int
    address: str
    root: Path

    @property
    def corosync_conf(self) -> Path:
        return self.root / "corosync.conf"

    @property
    def corosync_log(self) -> Path:
        return self.root / "corosync.log"

    @property
    def corosync_state(self) -> Path:
        return self.root / "corosync"

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    @property
    def socket(self) -> Path:
        return self.root / "crmshelld.sock"

    @property
    def daemon_log(self) -> Path:
        return self.root / "crmshelld.log"

    @property
    def mac(self) -> str:
        """Its eth0's MAC address, the same after a restart, as a real host's NIC: the other
        nodes' neighbour entries stay right (gVisor keeps a stale one and TCP to the
        restarted node timed out)."""
        return f"02:5a:0a:d5:00:{self.nodeid:02x}"

    @property
    def output(self) -> Path:
        """Where the node's processes' stdout and stderr go (crashes before logging)."""
        return self.root / "console.log"


@dataclass(frozen=True)
class Layout:
    directory: Path
    count: int
    token: int | None = TOKEN_MS       # None: corosync's own totem and knet timers
    quorum: tuple[tuple[str, int], ...] = ()    # votequorum's options (parse_quorum)

    def __post_init__(self) -> None:
        if dict(self.quorum).get("two_node") and self.count != 2:
            raise LayoutError(f"--quorum two_node: two_node is for two nodes, not {self.count}")
        if not isinstance(self.count, int) or not 1 <= self.count <= MAX_NODES:
            raise LayoutError(f"--nodes {self.count!r}: a sandbox has 1 to {MAX_NODES} nodes")
        if self.token is not None and not MIN_TOKEN_MS <= self.token <= MAX_TOKEN_MS:
            raise LayoutError(f"--token {self.token}: a totem token of {MIN_TOKEN_MS} to "
                              f"{MAX_TOKEN_MS} ms, or 'default'")
        if not self.directory.is_absolute():
            raise LayoutError(f"--dir {self.directory}: the sandbox directory must be absolute")

    @property
    def state_file(self) -> Path:
        return self.directory / STATE_FILE

    @property
    def control_socket(self) -> Path:
        return self.directory / CONTROL_SOCKET

    @property
    def authkey(self) -> Path:
        return self.directory / "authkey"

    @property
    def supervisor_log(self) -> Path:
        return self.directory / "supervisor.log"

    def node(self, index: int) -> NodePaths:
        return NodePaths(node_name(index), index, f"{SUBNET}.{index}",
                         self.directory / node_name(index))

    def nodes(self) -> list[NodePaths]:
        return [self.node(i) for i in range(1, self.count + 1)]

    def cluster_config(self, node: NodePaths) -> ClusterConfig:
        """Node `node`'s corosync.conf: the same cluster for all, its own log and state."""
        fast = self.token is not None
        return ClusterConfig(
            cluster_name=CLUSTER_NAME,
            nodes=tuple(NodeEntry(n.name, n.nodeid, (n.address,)) for n in self.nodes()),
            keyfile=str(self.authkey), token=self.token,
            token_coefficient=TOKEN_COEFFICIENT if fast else None,
            seqno_unchanged_const=SEQNO_UNCHANGED_CONST,
            knet_ping_interval=KNET_PING_INTERVAL_MS if fast else None,
            knet_ping_timeout=KNET_PING_TIMEOUT_MS if fast else None,
            logfile=str(node.corosync_log), state_dir=str(node.corosync_state),
            move_to_root_cgroup=False,
            **{name: (bool(value) if name in QUORUM_FLAGS else value)
               for name, value in self.quorum})

    def corosync_text(self, node: NodePaths) -> str:
        return render(self.cluster_config(node))


def corosync_argv(node: NodePaths) -> list[str]:
    return ["corosync", "-f", "-c", str(node.corosync_conf)]


def daemon_argv(daemon: list[str], node: NodePaths) -> list[str]:
    """`daemon` is how crmshelld is started here (its console script, or python -m)."""
    return [*daemon, "--foreground", "--state-dir", str(node.state_dir),
            "--socket", str(node.socket), "--log-file", str(node.daemon_log)]


def enter_argv(init_pid: int, rootless: bool, uts: bool = False) -> list[str]:
    """The prefix that runs a command inside a node's namespaces from outside the sandbox.
    Rootless sandboxes live in a user namespace, which must be entered first (keeping our
    own credentials, as `unshare --map-root-user` mapped them); a bare host also has its
    own UTS namespace (its hostname)."""
    argv = ["nsenter", "-t", str(init_pid)]
    if rootless:
        argv += ["-U", "--preserve-credentials"]
    return [*argv, "-n", "-m", "-p", *(["-u"] if uts else []), "--"]


def env_lines(directory: Path, node: NodePaths) -> list[str]:
    """The shell lines of `sandbox env NODE`, quoted for sh."""
    return [f"export CRMSHELL_SOCKET={shlex.quote(str(node.socket))}",
            f"export CRMSHELL_SANDBOX_DIR={shlex.quote(str(directory))}"]
