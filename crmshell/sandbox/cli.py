"""`crmshell sandbox ...`: the argv front end of the sandbox verbs.

Usage errors exit 2, failures 1 with one line naming the reason; no traceback reaches the
user (a bug is reported the way crmshell/cli.py reports one).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from crmshell.sandbox import layout as lay

DESCRIPTION = """\
A cluster on this machine: real corosync and crmshelld nodes named node1..nodeN, each in its
own network, mount and PID namespaces on a private bridge (10.213.0.0/24), as root or, for an
ordinary user, inside a user namespace. The default DIR is $XDG_RUNTIME_DIR/crmshell-sandbox,
or /tmp/crmshell-sandbox-$UID without XDG_RUNTIME_DIR.

With 'up --bare' (as root) the nodes are plain hosts instead, with no cluster yet: each has
its hostname, a private copy of /etc, its own /var/lib/crmshell, /var/lib/corosync, /var/log
and root's ~/.ssh, sshd on port 22 and an hacluster account with the password given, so
'crmshell cluster init' and 'cluster join' run on them as on real machines."""

UP_TIMEOUT_S = 60.0


def token_arg(text: str) -> int | None:
    if text == "default":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of ms or 'default'") from None


def quorum_arg(text: str) -> tuple:
    try:
        return lay.parse_quorum(text)
    except lay.LayoutError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix(f"--quorum ")) from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="crmshell sandbox", description=DESCRIPTION)
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")

    def verb(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = verbs.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--dir", type=Path, default=None, metavar="DIR",
                         help="the sandbox's directory (default: see 'crmshell sandbox -h')")
        return sub

    up = verb("up", "start a sandbox cluster and wait until it has a DC")
    up.add_argument("--nodes", type=int, default=1, metavar="N",
                    help=f"number of nodes, 1 to {lay.MAX_NODES} (default 1)")
    up.add_argument("--no-attach", action="store_true",
                    help="do not start a shell on node1 afterwards (the default without a "
                         "terminal)")
    up.add_argument("--no-daemon", action="store_true",
                    help="start corosync alone (to look at corosync by itself)")
    up.add_argument("--token", type=token_arg, default=lay.TOKEN_MS, metavar="MS",
                    help=f"corosync's totem token in ms (default {lay.TOKEN_MS}: a lost node "
                         "is seen in about 2.2 x the token), or 'default' for corosync's own "
                         "timers, as on a real network (3 s token: losses seen in seconds)")
    up.add_argument("--quorum", type=quorum_arg, default=(), metavar="OPTION[,OPTION...]",
                    help="votequorum options for corosync.conf: wait_for_all, "
                         "last_man_standing, auto_tie_breaker, two_node (each also NAME=0), "
                         "last_man_standing_window=MS; two nodes get two_node by default")
    up.add_argument("--timeout", type=float, default=UP_TIMEOUT_S, metavar="SECONDS",
                    help=f"give up after this long (default {UP_TIMEOUT_S:g})")
    up.add_argument("--bare", action="store_true",
                    help="plain hosts without a cluster, to run 'crmshell cluster init' and "
                         "'cluster join' on (root only; sshd and an hacluster account on "
                         "each)")
    up.add_argument("--password", default=None, metavar="PW",
                    help="with --bare: hacluster's password on every host (other users "
                         "see it in the process list while 'up' runs; prompted on a terminal "
                         "when absent)")
    verb("env", "print the shell lines that attach crmshell to NODE").add_argument("node")
    verb("exec", "run a command inside NODE's namespaces: exec NODE -- CMD...").add_argument(
        "node")
    verb("status", "show the sandbox's nodes and their processes")
    verb("kill", "SIGKILL of everything on NODE (a crash: its /run and addresses are lost)"
         ).add_argument("node")
    verb("start", "start NODE again after a kill, as a rebooted host").add_argument("node")
    verb("partition", "cut links: partition NODE... [-- NODE...] (the rest stay together)"
         ).add_argument("nodes", nargs="+", metavar="NODE")
    verb("heal", "restore every link cut by partition")
    verb("down", "stop everything of the sandbox and remove its files")
    return p


def main(argv: list[str]) -> int:
    command: list[str] = []
    if argv[:1] in (["exec"], ["partition"]) and "--" in argv:
        cut = argv.index("--")
        argv, command = argv[:cut], argv[cut + 1:]
        if argv[0] == "partition":   # the second side is node names, --dir may follow
            options, command = _split_dir(command)
            argv = argv + options
    try:
        args = parser().parse_args(argv)
    except SystemExit as done:
        return int(done.code or 0)
    from crmshell.sandbox import commands

    directory = (args.dir or lay.default_dir()).absolute()
    try:
        return VERBS[args.verb](args, directory, command)
    except (commands.SandboxError, lay.LayoutError) as err:
        sys.stderr.write(f"crmshell sandbox {args.verb}: {err}\n")
        return 1
    except BrokenPipeError:
        return 1
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        sys.stderr.write(f"crmshell sandbox {args.verb}: {where}{err.strerror or err}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        return 130


def _split_dir(words: list[str]) -> tuple[list[str], list[str]]:
    """(--dir options, the other words) of what follows partition's '--'."""
    options: list[str] = []
    names: list[str] = []
    i = 0
    while i < len(words):
        if words[i] == "--dir" and i + 1 < len(words):
            options += words[i:i + 2]
            i += 1
        elif words[i].startswith("--dir="):
            options.append(words[i])
        else:
            names.append(words[i])
        i += 1
    return options, names


def ask_password(prompt=None, interactive: bool | None = None) -> str:
    """hacluster's password, typed twice without echo; SandboxError without a terminal."""
    import getpass

    from crmshell.sandbox import commands

    if interactive is None:
        interactive = sys.stdin.isatty()
    if not interactive:
        raise commands.SandboxError("--bare: give --password or run on a terminal")
    prompt = prompt or getpass.getpass
    first = prompt("password for hacluster on the hosts: ")
    if prompt("the same again: ") != first:
        raise commands.SandboxError("the two passwords differ")
    return first


def _up(args: argparse.Namespace, directory: Path, _command: list[str]) -> int:
    import time

    from crmshell.sandbox import commands

    if args.bare:
        return _up_bare(args, directory)
    if args.password is not None:
        raise commands.SandboxError("--password is for --bare hosts (hacluster's password)")
    start = time.monotonic()
    state = commands.up(directory, args.nodes, args.timeout, not args.no_daemon,
                        lambda text: sys.stderr.write(f"sandbox: {text}\n"), token=args.token,
                        quorum=args.quorum)
    took = time.monotonic() - start
    node1 = lay.Layout(directory, args.nodes).node(1)
    formed = "with a DC" if state.get("daemon") else "corosync quorate; no crmshelld yet"
    print(f"sandbox up: {args.nodes} node(s) in {directory} ({formed}) in {took:.2f} s")
    print("attach a shell to node1 with:")
    print(f"    eval \"$(crmshell sandbox env node1{_dir_opt(args)})\"; crmshell")
    print(f"or: crmshell --socket {node1.socket}")
    print(f"stop it with: crmshell sandbox down{_dir_opt(args)}")
    if args.no_attach or not sys.stdin.isatty():
        return 0
    sys.stdout.flush()
    env = dict(os.environ, CRMSHELL_SOCKET=str(node1.socket),
               CRMSHELL_SANDBOX_DIR=str(directory))
    os.execve(sys.executable, [sys.executable, "-m", "crmshell"], env)
    return 0  # pragma: no cover - execve does not return


def _up_bare(args: argparse.Namespace, directory: Path) -> int:
    import time

    from crmshell.sandbox import commands

    if args.quorum:
        raise commands.SandboxError("--quorum is for sandbox clusters: bare hosts have no "
                                    "cluster yet")
    if os.geteuid() != 0:   # before asking for a password that could not be used
        raise commands.SandboxError("--bare needs root (it makes accounts and runs sshd)")
    password = args.password if args.password is not None else ask_password()
    start = time.monotonic()
    commands.up(directory, args.nodes, args.timeout, False,
                lambda text: sys.stderr.write(f"sandbox: {text}\n"), bare=True,
                password=password)
    del password
    took = time.monotonic() - start
    names = " ".join(lay.node_name(i) for i in range(1, args.nodes + 1))
    print(f"sandbox up: {args.nodes} bare host(s) in {directory} ({names}: sshd running, "
          f"hacluster's password set) in {took:.2f} s")
    print("no cluster yet: run 'crmshell cluster init' on node1")
    print("enter a host with:")
    print(f"    crmshell sandbox exec node1{_dir_opt(args)} -- bash")
    print(f"stop it with: crmshell sandbox down{_dir_opt(args)}")
    if args.no_attach or not sys.stdin.isatty():
        return 0
    sys.stdout.flush()
    argv, env = commands.exec_argv(directory, "node1", ["bash", "-l"])
    os.execvpe(argv[0], argv, env)
    return 0  # pragma: no cover - execvpe does not return


def _dir_opt(args: argparse.Namespace) -> str:
    import shlex

    return f" --dir {shlex.quote(str(args.dir))}" if args.dir else ""


def _env(args: argparse.Namespace, directory: Path, _command: list[str]) -> int:
    from crmshell.sandbox import commands

    state = commands.load_state(directory)
    entry = commands.node_entry(state, args.node)
    if state.get("bare"):
        raise commands.SandboxError(
            f"{args.node} is a bare host (its crmshell uses its own default socket): enter it "
            f"with 'crmshell sandbox exec {args.node}{_dir_opt(args)} -- bash'")
    index = lay.node_index(entry["name"], int(state.get("count", 1)))
    for line in lay.env_lines(directory, lay.Layout(directory, int(state["count"])).node(index)):
        print(line)
    return 0


def _exec(args: argparse.Namespace, directory: Path, command: list[str]) -> int:
    """Replaces this process, as `ip netns exec` does: the command's own exit status,
    terminal and signals are the caller's, and it runs as long as it likes."""
    from crmshell.sandbox import commands

    argv, env = commands.exec_argv(directory, args.node, command)
    sys.stdout.flush()
    try:
        os.execvpe(argv[0], argv, env)
    except OSError as err:
        raise commands.SandboxError(f"cannot run nsenter: {err.strerror}") from None
    return 0  # pragma: no cover


def _status(args: argparse.Namespace, directory: Path, _command: list[str]) -> int:
    from crmshell.sandbox import commands

    for line in format_status(commands.status(directory)):
        print(line)
    return 0


def format_status(state: dict) -> list[str]:
    bare = bool(state.get("bare"))
    kind = ("bare host(s), no cluster started by the sandbox" if bare else
            f"node(s), {'rootless' if state.get('rootless') else 'root'}")
    lines = [f"sandbox {state.get('dir')}: {state.get('count')} {kind}, "
             f"supervisor {state.get('supervisor_pid')}"]
    for node in state.get("nodes", []):
        parts = _host_parts(state, node) if bare else _node_parts(state, node)
        socket = "" if bare else f"  socket {node.get('socket')}"
        lines.append(f"  {node.get('name'):<7} {node.get('address'):<12} "
                     f"{node.get('state'):<5} {', '.join(parts)}{socket}")
    return lines


def _running(what: str, node: dict, key: str) -> str:
    return f"{what} {'running' if node.get(key) else 'stopped'}"


def _node_parts(state: dict, node: dict) -> list[str]:
    parts = [_running("corosync", node, "corosync")]
    if state.get("daemon"):
        parts.append(_running("crmshelld", node, "daemon"))
    return parts


def _host_parts(state: dict, node: dict) -> list[str]:
    """A bare host's services: sshd, and the remote API once crmshelld has it."""
    return [_running("sshd", node, "sshd"), _running("remote API", node, "remote")
            if state.get("remote") else "remote API not in this crmshelld"]


def _down(args: argparse.Namespace, directory: Path, _command: list[str]) -> int:
    from crmshell.sandbox import commands

    if commands.down(directory):
        print(f"sandbox down: {directory} stopped and removed")
    else:
        print(f"sandbox down: nothing was running in {directory}")
    return 0


def _node_op(args: argparse.Namespace, directory: Path, _command: list[str]) -> int:
    from crmshell.sandbox import commands

    answer = commands.ask(directory, {"op": args.verb, "node": args.node})
    print(f"sandbox {args.verb}: {args.node} is {answer['node']['state']}")
    return 0


def _links(args: argparse.Namespace, directory: Path, command: list[str]) -> int:
    """partition's groups: the nodes before '--', then those after it."""
    from crmshell.sandbox import commands

    message: dict = {"op": args.verb}
    if args.verb == "partition":
        message["groups"] = [args.nodes] + ([command] if command else [])
    answer = commands.ask(directory, message)
    sides = " | ".join(" ".join(side) for side in answer.get("partitions", []))
    print(f"sandbox {args.verb}: {sides}")
    return 0


VERBS = {"up": _up, "env": _env, "exec": _exec, "status": _status, "down": _down,
         "kill": _node_op, "start": _node_op, "partition": _links, "heal": _links}
