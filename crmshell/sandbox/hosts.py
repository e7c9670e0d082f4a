"""Making the disks of bare sandbox hosts (bare.py says what they hold).

Run by the supervisor once per sandbox, before the hosts start: a host that is killed and
started again keeps them, as a rebooted machine keeps its disks. Everything is written under
DIR; the machine's own files are only read (its /etc is copied), except for the empty
mountpoints bare.MOUNTPOINTS that a machine may lack.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from crmshell.sandbox import bare
from crmshell.sandbox.layout import Layout, NodePaths
from crmshell.sandbox.procs import STEP_TIMEOUT_S, StepError, run
from daemon.atomic_write import write_atomically

COPY_TIMEOUT_S = 60.0


def _put(path: Path, data: str | bytes, mode: int) -> None:
    """Write `path` in a copy, never through a link: a copied symbolic link may point to
    the machine's own file (/etc/hosts -> /etc/...), which must stay as it is."""
    if path.is_symlink():
        path.unlink()
    write_atomically(path, data.encode() if isinstance(data, str) else data, new_mode=mode)


def make_mountpoints() -> list[str]:
    """The empty directories the private ones are mounted on, made where missing; returns
    those it made."""
    made = []
    for path, mode in bare.MOUNTPOINTS.items():
        if not os.path.isdir(path):
            os.makedirs(path, mode=mode, exist_ok=True)
            made.append(path)
    return made


def make_key(layout: Layout) -> None:
    """DIR/ssh/id_ed25519 (0600) and its .pub: the key every host's root trusts."""
    key = bare.ssh_key(layout)
    key.parent.mkdir(mode=0o700, exist_ok=True)
    for old in (key, key.with_suffix(".pub")):
        old.unlink(missing_ok=True)
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "root@crmshell-sandbox", "-f",
         str(key)], "the sandbox's SSH key")
    key.chmod(0o600)


def make_bin(layout: Layout, python: str, repo: Path) -> None:
    """DIR/bin: the `crmshell` and `crmshelld` commands of every host (on /usr/local/sbin)."""
    directory = bare.bin_dir(layout)
    directory.mkdir(mode=0o755, exist_ok=True)
    directory.chmod(0o755)
    for name, text in bare.wrappers(python, repo).items():
        _put(directory / name, text, 0o755)


def copy_etc(nodes: list[NodePaths]) -> None:
    """`cp -a /etc` into every node at once (about 0.2 s and 4 MB each on Debian)."""
    procs = []
    for node in nodes:
        node.root.mkdir(mode=0o750, parents=True, exist_ok=True)
        target = bare.etc(node)
        if target.exists():
            shutil.rmtree(target)
        procs.append((node, subprocess.Popen(
            ["cp", "-a", "--", "/etc", str(target)], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
    failed = []
    for node, proc in procs:
        try:
            _, err = proc.communicate(timeout=COPY_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            failed.append(f"{node.name}: copying /etc took over {COPY_TIMEOUT_S:g} s")
            continue
        if proc.returncode != 0:
            failed.append(f"{node.name}: copying /etc failed: "
                          f"{err.decode(errors='replace').strip()}")
    if failed:
        raise StepError("; ".join(failed))


def fill(node: NodePaths, layout: Layout, repo: Path) -> None:
    """The node's own files in its copy of /etc and its private directories."""
    etc = bare.etc(node)
    _put(etc / "hostname", node.name + "\n", 0o644)
    _put(etc / "hosts", bare.hosts_text(layout), 0o644)
    _put(etc / "machine-id", bare.machine_id(), 0o444)
    for name in bare.NO_CLUSTER:            # no cluster yet
        (etc / name).unlink(missing_ok=True)
    ssh = etc / "ssh"
    ssh.mkdir(mode=0o755, exist_ok=True)
    for old in ssh.glob("ssh_host_*"):      # the machine's keys are not this host's
        old.unlink()
    for kind in bare.HOST_KEY_TYPES:
        run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", f"root@{node.name}", "-f",
             str(ssh / f"ssh_host_{kind}_key")], f"{node.name}: its {kind} host key")
    (etc / bare.SSHD_DROP_IN).parent.mkdir(mode=0o755, exist_ok=True)
    _put(etc / bare.SSHD_DROP_IN, bare.sshd_drop_in(), 0o644)
    pam = repo / bare.PAM_SOURCE
    if pam.is_file():
        (etc / "pam.d").mkdir(mode=0o755, exist_ok=True)
        _put(etc / "pam.d" / pam.name, pam.read_bytes(), 0o644)
    sources = {target: source for source, target in bare.binds(node, layout)}
    for target in ("/var/lib/crmshell", "/var/lib/corosync"):
        sources[target].mkdir(mode=0o755, exist_ok=True)
    logs = sources["/var/log"]
    logs.mkdir(mode=0o755, exist_ok=True)
    for name in bare.LOG_DIRS:
        (logs / name).mkdir(mode=0o755, exist_ok=True)
    root_ssh = sources["/root/.ssh"]
    root_ssh.mkdir(mode=0o700, exist_ok=True)
    key = bare.ssh_key(layout)
    public = key.with_suffix(".pub").read_bytes()
    _put(root_ssh / "authorized_keys", public, 0o600)
    _put(root_ssh / "id_ed25519", key.read_bytes(), 0o600)
    _put(root_ssh / "id_ed25519.pub", public, 0o644)
    (root_ssh / "known_hosts").unlink(missing_ok=True)   # every host key is unknown at first


def accounts(node: NodePaths, prefix: list[str], password: str) -> None:
    """hacluster in haclient with `password`, inside the node (its /etc is the copy); the
    password goes to chpasswd on its standard input only."""
    etc = bare.etc(node)
    steps = bare.account_steps((etc / "passwd").read_text(errors="replace"),
                               (etc / "group").read_text(errors="replace"))
    for argv in steps:
        run([*prefix, *argv], f"{node.name}: {argv[0]} {bare.CLUSTER_USER}")
    run([*prefix, "chpasswd"], f"{node.name}: the password of {bare.CLUSTER_USER}",
        stdin=bare.chpasswd_input(password), timeout=STEP_TIMEOUT_S)
