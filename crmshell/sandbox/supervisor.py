"""The sandbox's supervisor: the one process that owns every namespace and process of it.

`crmshell sandbox up` starts it as `unshare --net [--user --map-root-user --mount] --fork
--kill-child -- python -m crmshell.sandbox.supervisor DIR COUNT ...`, so it sits in the
bridge's network namespace. It builds the nodes, reports progress on its standard output as
JSON lines (sandbox_control's protocol: events, then one final `ok` line), writes
DIR/sandbox.json and then answers the control socket (`status`, `kill`, `start`, `down`)
until told to go. All its children die with it (procs.py), so nothing outlives it.

With `--bare` the nodes are plain hosts (bare.py): no corosync, no crmshelld, but sshd and
the remote API, an hacluster account whose password comes on standard input
(`--password-stdin`: never in an argv), and disks of their own (hosts.py).
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import socketserver
import subprocess
import sys
import time
from pathlib import Path

from crmshell.sandbox import bare, hosts
from crmshell.sandbox import layout as lay
from crmshell.sandbox.partition import bridges_for, ip_batch
from crmshell.sandbox.procs import StepError, end, log_errors, only_child, run, spawn, tail
from crmshell.sandbox.readiness import wait_formed, wait_ports
from daemon.agents.fence import sandbox_control as control
from daemon.cib.persist import write_file_atomically
from daemon.corosync.conf import new_authkey, write_authkey

NODE_INIT = Path(__file__).with_name("node_init.py")
REPO = Path(__file__).resolve().parents[2]
INIT_TIMEOUT_S = 10.0


class NodeProcess:
    """One running node: its PID 1 (through its unshare), corosync and daemon."""

    def __init__(self, paths: lay.NodePaths) -> None:
        self.paths = paths
        self.holder: subprocess.Popen | None = None
        self.init_pid: int | None = None
        self.corosync: subprocess.Popen | None = None
        self.daemon: subprocess.Popen | None = None
        self.sshd: subprocess.Popen | None = None     # bare hosts
        self.remote: subprocess.Popen | None = None

    def running(self) -> bool:
        return self.holder is not None and self.holder.poll() is None

    def describe(self, bare_host: bool = False) -> dict:
        alive = self.running()
        if bare_host:
            return {"name": self.paths.name, "nodeid": self.paths.nodeid,
                    "address": self.paths.address, "state": "up" if alive else "down",
                    "init_pid": self.init_pid if alive else None, "bare": True,
                    "sshd": _alive(self.sshd) if alive else False,
                    "remote": _alive(self.remote) if alive else False}
        return {"name": self.paths.name, "nodeid": self.paths.nodeid,
                "address": self.paths.address, "state": "up" if alive else "down",
                "init_pid": self.init_pid if alive else None,
                "socket": str(self.paths.socket),
                "corosync": _alive(self.corosync) if alive else False,
                "daemon": _alive(self.daemon) if alive else False}


def _alive(proc: subprocess.Popen | None) -> bool:
    return proc is not None and proc.poll() is None


class Supervisor:
    def __init__(self, layout: lay.Layout, daemon: list[str] | None, rootless: bool,
                 env: dict[str, str], bare_hosts: bool = False, remote: bool = False,
                 password: str | None = None) -> None:
        self.layout = layout
        self.daemon = daemon
        self.rootless = rootless
        self.env = env
        self.bare = bare_hosts
        self.remote = remote
        self.password = password     # bare hosts: set once, then forgotten
        self.nodes = {n.name: NodeProcess(n) for n in layout.nodes()}
        self.started = time.time()
        self.clock = time.monotonic()
        self.timings: dict[str, float] = {}
        self.bridge_of = dict.fromkeys(self.nodes, lay.BRIDGE)

    # ---- building -------------------------------------------------------------------------

    def build(self, timeout: float) -> None:
        """Bridge, authkey, every node, then wait until the cluster has formed."""
        run(["ip", "-batch", "-"], "bridge", stdin=(
            f"link set lo up\nlink add {lay.BRIDGE} type bridge\n"
            f"link set {lay.BRIDGE} up\n").encode())
        if self.bare:
            self.build_bare(timeout)
            return
        write_authkey(self.layout.authkey, new_authkey())
        nodes = list(self.nodes.values())
        for node in nodes:   # all first processes start at once: Python's start-up overlaps
            self.spawn_init(node)
        for node in nodes:
            self.await_init(node)
        self.wire(nodes)
        for node in nodes:
            self.start_processes(node)
        self.timings["started"] = round(time.monotonic() - self.clock, 3)
        emit({"event": "started", "nodes": list(self.nodes)})
        wait_formed([n.paths for n in nodes], self._node_prefix, self.daemon is not None,
                    timeout, self._check_alive, settle=True)
        self.timings["formed"] = round(time.monotonic() - self.clock, 3)
        self.save()

    def build_bare(self, timeout: float) -> None:
        """Plain hosts: their disks (a copy of /etc each), namespaces, hacluster's password,
        sshd and the remote API; ready when those accept connections."""
        nodes = list(self.nodes.values())
        hosts.make_mountpoints()
        hosts.make_key(self.layout)
        hosts.make_bin(self.layout, sys.executable, REPO)
        hosts.copy_etc([n.paths for n in nodes])
        for node in nodes:
            hosts.fill(node.paths, self.layout, REPO)
        self.timings["disks"] = round(time.monotonic() - self.clock, 3)
        for node in nodes:
            self.spawn_init(node)
        for node in nodes:
            self.await_init(node)
        self.wire(nodes)
        password, self.password = self.password, None
        if password is None:
            raise StepError("no password for hacluster was given")
        for node in nodes:
            hosts.accounts(node.paths, self._node_prefix(node.paths.name), password)
        del password
        for node in nodes:
            self.start_processes(node)
        self.timings["started"] = round(time.monotonic() - self.clock, 3)
        emit({"event": "started", "nodes": list(self.nodes)})
        self.wait_hosts(nodes, timeout)
        self.timings["ready"] = round(time.monotonic() - self.clock, 3)
        self.save()

    def wait_hosts(self, nodes: list[NodeProcess], timeout: float) -> None:
        services = [(bare.SSH_PORT, "sshd")]
        if self.remote:
            services.append((bare.REMOTE_PORT, "the remote API"))
        wait_ports({n.paths.name: [(n.init_pid, n.paths.address, port, what)
                                   for port, what in services] for n in nodes},
                   timeout, self._check_alive)

    def restart(self, node: NodeProcess, timeout: float) -> None:
        """A killed node comes back as a rebooted host: new namespaces, fresh /run."""
        self.spawn_init(node)
        self.await_init(node)
        try:  # the old veth goes with the old namespace, but the kernel takes its time
            run(["ip", "link", "del", _veth(node)], f"{node.paths.name}: old veth")
        except StepError:
            pass
        self.wire([node])
        self.start_processes(node)
        if self.bare:   # its disks are kept: sshd and the remote API come back, and the
            self.wait_hosts([node], timeout)    # cluster's services if they are enabled
            run([*self._node_prefix(node.paths.name), *bare.boot_argv()],
                f"{node.paths.name}: starting the enabled services", stdin=b'{"action": "boot"}',
                timeout=60)
            return
        side = self.bridge_of[node.paths.name]   # during a partition: its side only
        running = sum(n.running() for name, n in self.nodes.items()
                      if self.bridge_of[name] == side)
        wait_formed([node.paths], self._node_prefix, self.daemon is not None, timeout,
                    self._check_alive, members=running, quorate=False)

    def spawn_init(self, node: NodeProcess) -> None:
        paths = node.paths
        if self.bare:
            binds = [arg for source, target in bare.binds(paths, self.layout)
                     for arg in ("--bind", str(source), target)]
            node.holder = spawn(["unshare", "--net", "--mount", "--pid", "--uts", "--fork",
                                 "--mount-proc", "--kill-child", "--", sys.executable, "-I",
                                 "-S", str(NODE_INIT), str(self.layout.directory), paths.name,
                                 "--hostname", paths.name, *binds], pipes=True)
            return
        for directory in (paths.root, paths.state_dir, paths.corosync_state):
            directory.mkdir(mode=0o750, parents=True, exist_ok=True)
        paths.corosync_conf.write_text(self.layout.corosync_text(paths))
        paths.corosync_conf.chmod(0o640)
        node.holder = spawn(["unshare", "--net", "--mount", "--pid", "--fork", "--mount-proc",
                             "--kill-child", "--", sys.executable, "-I", "-S", str(NODE_INIT),
                             str(self.layout.directory), paths.name], pipes=True)

    def await_init(self, node: NodeProcess) -> None:
        paths = node.paths
        line = _read_line(node.holder, INIT_TIMEOUT_S)
        if line != "ready":
            err = node.holder.stderr.read1(4000).decode(errors="replace") if line == "" else ""
            raise StepError(f"{paths.name}: its namespaces were not made: "
                            f"{line or 'no answer'} {err}".strip())
        node.init_pid = only_child(node.holder.pid)
        if node.init_pid is None:
            raise StepError(f"{paths.name}: the node's first process cannot be found")

    def wire(self, nodes: list[NodeProcess]) -> None:
        """One veth pair per node: a bridge port here, `eth0` with its address there."""
        batch = "".join(f"link add {_veth(n)} type veth peer name eth0 address "
                        f"{n.paths.mac} netns {n.init_pid}\n"
                        f"link set {_veth(n)} master {self.bridge_of[n.paths.name]} up\n"
                        for n in nodes)
        run(["ip", "-batch", "-"], "veth pairs", stdin=batch.encode())
        for node in nodes:
            run([*self._node_prefix(node.paths.name), "ip", "-batch", "-"],
                f"{node.paths.name}: eth0",
                stdin=(f"addr add {node.paths.address}/{lay.PREFIX_LEN} dev eth0\n"
                       "link set eth0 up\n").encode())

    def move_ports(self, new: dict[str, str]) -> None:
        """Hang the nodes' links on the bridges of `new` (partition.py)."""
        batch = ip_batch(self.bridge_of, new, {name: _veth(n) for name, n in self.nodes.items()
                                               if n.running()})
        if batch:
            run(["ip", "-batch", "-"], "partition", stdin=batch.encode())
        self.bridge_of = new

    def start_processes(self, node: NodeProcess) -> None:
        paths = node.paths
        if self.bare:
            prefix = self._node_prefix(paths.name)
            node.sshd = spawn([*prefix, *bare.sshd_argv()], bare.sshd_log(paths), bare.HOST_ENV)
            if self.remote:
                node.remote = spawn([*prefix, *bare.remote_argv()], paths.output,
                                    bare.HOST_ENV)
            return
        node.corosync = spawn([*self._node_prefix(paths.name), *lay.corosync_argv(paths)],
                              paths.output, self.env)
        if self.daemon is not None:
            node.daemon = spawn([*self._node_prefix(paths.name),
                                 *lay.daemon_argv(self.daemon, paths)], paths.output, self.env)

    def _node_prefix(self, name: str) -> list[str]:
        """We already are in the sandbox's user namespace: no -U from here."""
        return lay.enter_argv(self.nodes[name].init_pid, rootless=False, uts=self.bare)

    def _check_alive(self) -> None:
        """A process of a node that should be up died: say which and why (killed nodes,
        whose processes died with them, are not asked about)."""
        for node in self.nodes.values():
            if not node.running():
                continue
            for what, proc in (("corosync", node.corosync), ("crmshelld", node.daemon),
                               ("sshd", node.sshd), ("crmshelld --remote", node.remote)):
                if proc is not None and proc.poll() is not None:
                    why = tail(bare.sshd_log(node.paths) if what == "sshd" else node.paths.output)
                    if what == "corosync" and why == "(no output)":
                        why = log_errors(node.paths.corosync_log) or why
                    raise StepError(f"{node.paths.name}: {what} exited with status "
                                    f"{proc.returncode}: {why}")

    # ---- running ----------------------------------------------------------------------------

    def kill_node(self, node: NodeProcess) -> None:
        """SIGKILL of the node's PID 1: the kernel ends every process of the node, and its
        /run, /dev/shm and addresses go with its namespaces."""
        if node.init_pid is not None and node.running():
            try:
                os.kill(node.init_pid, 9)
            except ProcessLookupError:
                pass
        for proc in (node.holder, node.corosync, node.daemon, node.sshd, node.remote):
            end(proc)
        node.init_pid = None

    def state(self) -> dict:
        return {"version": 1, "dir": str(self.layout.directory), "count": self.layout.count,
                "rootless": self.rootless, "supervisor_pid": os.getpid(),
                "holder_pid": os.getppid(), "started": self.started,
                "daemon": self.daemon is not None, "bare": self.bare,
                **({"remote": self.remote} if self.bare else {}), "timings": self.timings,
                "partitions": _sides(self.bridge_of),
                "nodes": [n.describe(self.bare) for n in self.nodes.values()]}

    def save(self) -> None:
        data = json.dumps(self.state(), indent=1).encode() + b"\n"
        write_file_atomically(self.layout.state_file, data)

    def handle(self, message: dict) -> tuple[dict, bool]:
        """The answer to one control request, and whether to stop afterwards."""
        op = message.get("op")
        if op == "status":
            return {"ok": True, **self.state()}, False
        if op == "down":
            for node in self.nodes.values():
                self.kill_node(node)
            return {"ok": True}, True
        if op in ("partition", "heal"):
            names = list(self.nodes)
            try:
                new = (bridges_for(message.get("groups") or [], names) if op == "partition"
                       else dict.fromkeys(names, lay.BRIDGE))
                self.move_ports(new)
            except (lay.LayoutError, StepError) as err:
                return {"ok": False, "error": str(err)}, False
            self.save()
            return {"ok": True, **self.state()}, False
        if op in ("kill", "start", "reboot"):
            # reboot is one request, carried out whole here: the fence agent asking it may
            # run on the node it reboots, and die with it before it could ask for the start
            name = message.get("node")
            node = self.nodes.get(name) if isinstance(name, str) else None
            if node is None:
                return {"ok": False, "error": f"no node {name!r} in this sandbox "
                        f"(its nodes: {', '.join(self.nodes)})"}, False
            try:
                if op in ("kill", "reboot"):
                    self.kill_node(node)
                if op != "kill" and not node.running():
                    self.restart(node, float(message.get("timeout", 30)))
            except StepError as err:
                self.save()
                return {"ok": False, "error": str(err)}, False
            self.save()
            return {"ok": True, "node": node.describe(self.bare)}, False
        return {"ok": False, "error": f"unknown request {op!r}"}, False

    def serve(self) -> None:
        supervisor = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                try:
                    message = control.decode(self.rfile.readline(control.MAX_LINE))
                except control.ControlError as err:
                    answer, stop = {"ok": False, "error": str(err)}, False
                else:
                    answer, stop = supervisor.handle(message)
                try:
                    self.wfile.write(control.encode(answer))
                    self.wfile.flush()
                except OSError:
                    pass
                if stop:
                    server.stopping = True

        path = str(self.layout.control_socket)
        if os.path.exists(path):
            os.unlink(path)
        server = socketserver.UnixStreamServer(path, Handler)
        server.stopping = False
        os.chmod(path, 0o600)
        with server:
            while not server.stopping:
                server.handle_request()


def _sides(bridge_of: dict[str, str]) -> list[list[str]]:
    """The groups of nodes that can reach each other (one group when whole)."""
    sides: dict[str, list[str]] = {}
    for name, bridge in bridge_of.items():
        sides.setdefault(bridge, []).append(name)
    return list(sides.values())


def _veth(node: NodeProcess) -> str:
    return f"sb{node.paths.nodeid}"


def _read_line(proc: subprocess.Popen, timeout: float) -> str:
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return proc.stdout.readline().decode(errors="replace").strip()


def _read_password() -> str | None:
    """The first line of standard input, which is then /dev/null (as it is without it)."""
    line = sys.stdin.buffer.readline()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    return line.decode(errors="replace").removesuffix("\n") if line else None


def emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="crmshell-sandbox-supervisor")
    p.add_argument("directory", type=Path)
    p.add_argument("count", type=int)
    p.add_argument("--daemon", default=None, help="crmshelld's argv prefix as JSON")
    p.add_argument("--rootless", action="store_true")
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--token", default=str(lay.TOKEN_MS))
    p.add_argument("--quorum", default="")
    p.add_argument("--bare", action="store_true", help="plain hosts (bare.py)")
    p.add_argument("--remote", action="store_true", help="bare hosts run crmshelld --remote")
    p.add_argument("--password-stdin", action="store_true",
                   help="hacluster's password is the first line of standard input")
    args = p.parse_args(argv)
    password = _read_password() if args.password_stdin else None
    token = None if args.token == "default" else int(args.token)
    daemon = json.loads(args.daemon) if args.daemon else None
    layout = lay.Layout(args.directory, args.count, token, lay.parse_quorum(args.quorum))
    supervisor = Supervisor(layout, daemon, args.rootless,
                            dict(os.environ, CRMSHELL_SANDBOX_DIR=str(args.directory)),
                            bare_hosts=args.bare, remote=args.remote, password=password)
    del password
    try:
        supervisor.build(args.timeout)
    except (StepError, OSError) as err:
        emit({"ok": False, "error": str(err)})
        for node in supervisor.nodes.values():
            supervisor.kill_node(node)
        return 1
    emit({"ok": True, **supervisor.state()})
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    supervisor.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
