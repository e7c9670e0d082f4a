"""Bare sandbox hosts (`sandbox up --bare`): what each plain host is made of, as pure data.

A bare host is node k of the sandbox without a cluster: its own network, mount, PID and UTS
namespaces, hostname `nodek`, and a private copy of this machine's /etc bind-mounted on /etc,
so that useradd, chpasswd, ssh-keygen and the bootstrap commands (`cluster init`, `join`,
`setup`) write where they would on a real machine, at the default system paths, and never
touch the real /etc. Its state, logs and root's SSH files are private directories under
DIR/nodek bind-mounted on the system paths; sshd runs on port 22, and the remote API (when
the daemon has it) on 2224. Everything here is a function of the layout, so the supervisor,
the shell's verbs and the tests agree on it.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from crmshell.sandbox.layout import Layout, NodePaths

SSHD = "/usr/sbin/sshd"
SSH_PORT = 22
REMOTE_PORT = 2224
CLUSTER_USER = "hacluster"
CLUSTER_GROUP = "haclient"
NOLOGIN = "/usr/sbin/nologin"
# where the sandbox puts its `crmshell` and `crmshelld` commands on every host: a directory
# that is on root's PATH (sshd's too) and empty on a Debian machine
BIN_TARGET = "/usr/local/sbin"
# what "no cluster yet" leaves out of the copy of /etc
NO_CLUSTER = ("corosync/corosync.conf", "corosync/authkey")
HOST_KEY_TYPES = ("ed25519", "ecdsa")   # RSA costs 0.3 s a host and adds nothing here
SSHD_DROP_IN = "ssh/sshd_config.d/crmshell-sandbox.conf"
PAM_SOURCE = Path("daemon") / "remote" / "pam.d" / "crmshell"
REMOTE_SERVER = Path("daemon") / "remote" / "server.py"
REMOTE_LOG = "/var/log/crmshell/remote.log"
# a host's environment for the programs the sandbox starts on it (sshd makes its own for
# each session)
HOST_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8", "HOME": "/root"}


def etc(node: NodePaths) -> Path:
    return node.root / "etc"


def sshd_log(node: NodePaths) -> Path:
    return node.root / "sshd.log"


def binds(node: NodePaths, layout: Layout) -> list[tuple[Path, str]]:
    """(directory under DIR, the system path it is mounted on inside the node), in mount
    order. /root itself stays the machine's (the Python crmshell runs on may live there);
    only root's SSH files are the host's own."""
    return [(etc(node), "/etc"),
            (node.root / "var-lib-crmshell", "/var/lib/crmshell"),
            (node.root / "var-lib-corosync", "/var/lib/corosync"),
            (node.root / "var-log", "/var/log"),
            (node.root / "root-ssh", "/root/.ssh"),
            (bin_dir(layout), BIN_TARGET)]


def dir_error(directory: Path, layout: Layout) -> str | None:
    """Why a bare sandbox cannot live in `directory`, or None: every host mounts its own
    directories on the system paths, which would hide the sandbox's (and copy /etc into
    itself)."""
    for _source, target in binds(layout.node(1), layout):
        if directory == Path(target) or Path(target) in directory.parents:
            return (f"--dir {directory}: a bare sandbox cannot live under {target} (each "
                    "host mounts its own there)")
    return None


# mountpoints that may be missing on the machine (made empty, and left: another sandbox may
# be using them); the other targets exist on any Debian machine with corosync
MOUNTPOINTS = {"/var/lib/crmshell": 0o755, "/root/.ssh": 0o700, BIN_TARGET: 0o755}
# directories made inside each private /var/log, as the packages would have made them
LOG_DIRS = ("corosync", "crmshell")


def ssh_dir(layout: Layout) -> Path:
    return layout.directory / "ssh"


def ssh_key(layout: Layout) -> Path:
    """The one key pair every bare host's root trusts (and holds, as an admin who copied it)."""
    return ssh_dir(layout) / "id_ed25519"


def bin_dir(layout: Layout) -> Path:
    return layout.directory / "bin"


def hosts_text(layout: Layout) -> str:
    """/etc/hosts of every bare host: localhost and every node by name, nothing on 127.0.1.1
    (corosync would bind a name that resolves to loopback)."""
    lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback"]
    lines += [f"{n.address}\t{n.name}" for n in layout.nodes()]
    return "\n".join(lines) + "\n"


def sshd_drop_in() -> str:
    return ("# crmshell sandbox: this host's own keys, made by 'crmshell sandbox up --bare'\n"
            + "".join(f"HostKey /etc/ssh/ssh_host_{kind}_key\n" for kind in HOST_KEY_TYPES))


def machine_id() -> str:
    return secrets.token_hex(16) + "\n"


def sshd_argv() -> list[str]:
    """In the foreground, logging to its standard error (the node's sshd.log)."""
    return [SSHD, "-D", "-e"]


def boot_argv() -> list[str]:
    """What a booting host runs for the cluster's services enabled on it (init's part)."""
    return ["env", *(f"{k}={v}" for k, v in HOST_ENV.items()), f"{BIN_TARGET}/crmshell",
            "__node-op", "service"]


def remote_argv() -> list[str]:
    return [f"{BIN_TARGET}/crmshelld", "--remote", "--foreground", "--remote-port",
            str(REMOTE_PORT), "--log-file", REMOTE_LOG]


def has_remote(repo: Path) -> bool:
    """Whether this crmshelld has the remote API (`crmshelld --remote`)."""
    return (repo / REMOTE_SERVER).is_file()


def wrapper_text(python: str, repo: Path, module: str, function: str | None = None) -> str:
    """A `crmshell` or `crmshelld` command for the hosts: this Python, this checkout's code
    (first on sys.path, as the tests' PYTHONPATH puts it, without passing PYTHONPATH on to
    every program the command starts)."""
    run = (f"from {module} import {function}\nsys.exit({function}())\n" if function else
           f"import runpy\nrunpy.run_module({module!r}, run_name='__main__', alter_sys=True)\n")
    return (f"#!{python}\n# crmshell as 'crmshell sandbox up --bare' installed it on this host\n"
            f"import sys\nsys.path.insert(0, {str(repo)!r})\n{run}")


def wrappers(python: str, repo: Path) -> dict[str, str]:
    return {"crmshell": wrapper_text(python, repo, "crmshell.cli", "console"),
            "crmshelld": wrapper_text(python, repo, "daemon.main", "console")}


def _entries(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) >= 4 and fields[0]:
            out[fields[0]] = fields
    return out


def account_steps(passwd: str, group: str) -> list[list[str]]:
    """The commands (run inside the host) that make `hacluster` an account in `haclient`, as
    Pacemaker's packages make it, given the host's /etc/passwd and /etc/group; [] when it
    already is. The password is set afterwards (chpasswd, on its standard input)."""
    users, groups = _entries(passwd), _entries(group)
    steps: list[list[str]] = []
    if CLUSTER_GROUP not in groups:
        steps.append(["groupadd", "--system", CLUSTER_GROUP])
    user = users.get(CLUSTER_USER)
    if user is None:
        steps.append(["useradd", "--system", "--gid", CLUSTER_GROUP, "--home-dir",
                      "/var/lib/crmshell", "--no-create-home", "--shell", NOLOGIN,
                      "--comment", "cluster user", CLUSTER_USER])
        return steps
    haclient = groups.get(CLUSTER_GROUP)
    if haclient is None or not (user[3] == haclient[2]
                                or CLUSTER_USER in haclient[3].split(",")):
        steps.append(["usermod", "--append", "--groups", CLUSTER_GROUP, CLUSTER_USER])
    return steps


def password_error(password: str) -> str | None:
    """Why `password` cannot be hacluster's (chpasswd reads user:password lines), or None."""
    if not password:
        return "the hacluster password is empty"
    if "\n" in password or "\r" in password or "\0" in password:
        return "the hacluster password cannot contain a line break or NUL"
    return None


def chpasswd_input(password: str) -> bytes:
    return f"{CLUSTER_USER}:{password}\n".encode()
