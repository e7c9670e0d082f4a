"""What the cluster level's bootstrap commands do, between the words and crmshell/bootstrap:
options checked, the password asked for (never taken from a child's argv or logged),
confirmations, progress written as it goes, and a failure turned into one message that
names the host, the step and the cause.
"""

from __future__ import annotations

import getpass
import os
import sys
from contextlib import contextmanager

from crmshell.errors import ShellError, UsageError
from crmshell.levels import cluster_words as w


def _root(command: str) -> None:
    if os.geteuid() != 0:
        raise ShellError(f"cluster {command}: must run as root (it writes /etc/corosync and "
                         "starts the cluster's services)")


def _progress(ctx):
    from crmshell.bootstrap.progress import Progress

    def write(text: str) -> None:
        ctx.err.write(text + "\n")
        ctx.err.flush()

    return Progress(write)


@contextmanager
def _reported(command: str, options=None):
    from crmshell.bootstrap.peers import PeerError
    from crmshell.bootstrap.plan import PlanError
    from crmshell.bootstrap.progress import StepFailed

    try:
        yield
    except StepFailed as err:
        raise ShellError(f"{command}: {err}") from None
    except (PeerError, PlanError) as err:
        raise ShellError(f"{command}: {err}") from None
    finally:
        if options is not None:
            options.close()


def _ssh_password(prompt: str) -> str:
    if not sys.stdin.isatty():
        raise ShellError("SSH asks for a password and there is no terminal to ask on: set up "
                         "a key (ssh-copy-id) or run on a terminal")
    return getpass.getpass(prompt)


def connect_options(opts: dict):
    from crmshell.bootstrap.connect import ConnectOptions

    port = opts.get("ssh_port")
    if port is not None and not (port.isdigit() and 0 < int(port) < 65536):
        raise UsageError(f"--ssh-port {port}: a port number")
    return ConnectOptions(accept_new_host_key=bool(opts.get("accept_new")),
                          user=opts.get("ssh_user") or "root",
                          ssh_port=int(port) if port else 22, password=_ssh_password,
                          key_files=(opts["identity"],) if opts.get("identity") else ())


def confirm(ctx, question: str, yes: bool) -> bool:
    if yes or ctx.options.force:
        return True
    if ctx.ask is not None:
        return ctx.ask(question, ["yes", "no"]) == "yes"
    if not sys.stdin.isatty():
        raise ShellError(f"{question} -- there is no terminal to ask on: add -y (or --yes)")
    try:
        answer = input(f"{question} (y/n)? ").strip().lower()
    except EOFError:
        return False
    return answer[:1] == "y"


# ---- crmsh's commands -----------------------------------------------------------------------

def init(ctx, words) -> None:
    from crmshell.bootstrap import membership
    from crmshell.bootstrap.peers import this_host

    opts, _ = w.parse(w.INIT, words)
    _root("init")
    name = opts["name"] or "hacluster"
    token = w.token_ms(opts["token"], "init")
    others = w.nodes_list([opts["nodes"]]) if opts["nodes"] else []
    others = [n for n in others if n != this_host()]
    progress = _progress(ctx)
    options = connect_options(opts)
    with _reported("cluster init", options):
        config = membership.init(progress, name, token=token, force=opts["force"])
        for host in others:
            config = membership.add(progress, host, options)
    ctx.write(f"cluster '{name}' is running on {', '.join(n.name for n in config.nodes)} "
              f"({progress_took(progress)}); 'crmshell status' shows it")


def progress_took(progress) -> str:
    return f"{progress.elapsed():.1f} s"


def join(ctx, words) -> None:
    from crmshell.bootstrap import membership

    opts, rest = w.parse(w.JOIN, words)
    seed = opts["seed"] or (rest[0] if rest else None)
    if not seed:
        raise UsageError(f"join: which cluster? give a node of it with -c SEED; usage: {w.JOIN.usage}")
    _root("join")
    progress = _progress(ctx)
    options = connect_options(opts)
    with _reported("cluster join", options):
        config = membership.join(progress, seed, options, force=opts["force"])
    ctx.write(f"joined cluster '{config.cluster_name}': nodes "
              f"{', '.join(n.name for n in config.nodes)} ({progress_took(progress)})")


def add(ctx, words) -> None:
    from crmshell.bootstrap import membership

    opts, hosts = w.parse(w.ADD, words)
    _root("add")
    progress = _progress(ctx)
    options = connect_options(opts)
    with _reported("cluster add", options):
        for host in w.nodes_list(hosts):
            config = membership.add(progress, host, options)
    ctx.write(f"cluster '{config.cluster_name}': nodes {', '.join(n.name for n in config.nodes)}")


def remove(ctx, words) -> None:
    from crmshell.bootstrap import membership

    opts, nodes = w.parse(w.REMOVE, words)
    nodes = w.nodes_list(nodes + ([opts["node"]] if opts["node"] else []))
    if not nodes:
        raise UsageError(f"remove: which node? usage: {w.REMOVE.usage}")
    _root("remove")
    if not confirm(ctx, f"Removing {', '.join(nodes)} from the cluster stops the cluster "
                   "there and removes its configuration. Continue", opts["yes"]):
        ctx.write("nothing was removed")
        return
    progress = _progress(ctx)
    options = connect_options(opts)
    with _reported("cluster remove", options):
        for node in nodes:
            config = membership.remove(progress, node, options, force=opts["force"])
    ctx.write(f"cluster '{config.cluster_name}': nodes {', '.join(n.name for n in config.nodes)}")


# ---- pcs's commands ---------------------------------------------------------------------------

def read_password(ctx, user: str, given: str | None) -> str:
    """-p, else asked without echo on a terminal, else the first line of standard input
    (for scripts: `echo "$PW" | crmshell cluster auth ...`)."""
    if given is not None:
        return given
    if sys.stdin.isatty():
        return getpass.getpass(f"Password for {user}: ")
    line = sys.stdin.readline()
    if not line:
        raise ShellError("cluster auth: no password: give -p, run on a terminal, or pass it "
                         "on standard input")
    return line.rstrip("\r\n")


def auth(ctx, words) -> None:
    from crmshell.bootstrap import pcs_flow

    opts, nodes = w.parse(w.AUTH, words)
    _root("auth")
    user = opts["user"] or "hacluster"
    port = opts["port"] or "2224"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"auth: --port {port}: a port number")
    password = read_password(ctx, user, opts["password"])
    progress = _progress(ctx)
    options = connect_options({})
    with _reported("cluster auth", options):
        done = pcs_flow.auth(progress, w.nodes_list(nodes), user, password, options, int(port))
    ctx.write(f"authorized: {', '.join(done)}")


def deauth(ctx, words) -> None:
    from crmshell.bootstrap import pcs_flow

    _, nodes = w.parse(w.DEAUTH, words)
    _root("deauth")
    progress = _progress(ctx)
    options = connect_options({})
    with _reported("cluster deauth", options):
        done = pcs_flow.deauth(progress, w.nodes_list(nodes), options)
    ctx.write(f"deauthorized: {', '.join(done) or 'none'}")


def setup(ctx, words) -> None:
    from crmshell.bootstrap import pcs_flow

    opts, rest = w.parse(w.SETUP, words)
    name = opts["name"] or rest.pop(0)
    nodes = w.nodes_list(rest)
    if not nodes:
        raise UsageError(f"setup: which nodes? usage: {w.SETUP.usage}")
    _root("setup")
    progress = _progress(ctx)
    options = connect_options({})
    with _reported("cluster setup", options):
        pcs_flow.setup(progress, name, nodes, options, token=w.token_ms(opts["token"], "setup"),
                       start=opts["start"] or opts["wait"], enable=opts["enable"],
                       wait=opts["wait"], force=opts["force"])
    state = "running" if opts["start"] or opts["wait"] else "set up (start it with 'cluster start --all')"
    ctx.write(f"cluster '{name}' {state} on {', '.join(nodes)} ({progress_took(progress)})")


# ---- running it -------------------------------------------------------------------------------

def services(ctx, verb: str, words) -> None:
    from crmshell.bootstrap import fleet

    opts, nodes = w.parse(w.SERVICE[verb], words)
    _root(verb)
    progress = _progress(ctx)
    options = connect_options(opts)
    with _reported(f"cluster {verb}", options):
        names = fleet.targets(opts["all"], w.nodes_list(nodes))
        fleet.services(progress, verb, names, options, wait=opts["wait"])


def destroy(ctx, words) -> None:
    from crmshell.bootstrap import fleet

    opts, nodes = w.parse(w.DESTROY, words)
    _root("destroy")
    with _reported("cluster destroy"):
        names = fleet.targets(opts["all"], w.nodes_list(nodes))
    if not confirm(ctx, f"This stops the cluster on {', '.join(names)} and removes its "
                   "configuration (corosync.conf, the authkey, the CIB). Continue", opts["yes"]):
        ctx.write("nothing was destroyed")
        return
    progress = _progress(ctx)
    options = connect_options(opts)
    with _reported("cluster destroy", options):
        fleet.destroy(progress, names, options)
    ctx.write(f"destroyed the cluster on {', '.join(names)}")


def rename(ctx, words) -> None:
    from crmshell.bootstrap import fleet

    opts, (name,) = w.parse(w.RENAME, words)
    _root("rename")
    progress = _progress(ctx)
    options = connect_options(opts)
    with _reported("cluster rename", options):
        fleet.rename(progress, name, options)
    ctx.write(f"the cluster is now '{name}'")
