"""What bootstrap asks of one host, whoever asks and however: the remote API (a token), SSH
(`crmshell cluster _node-op OP`, as root) or the shell on this very host.

One table of operations, each a function of checked arguments and the host's paths, so
the three ways in cannot drift apart. Every argument is checked before anything changes
(OpError names the field), files are written atomically, and what an operation replaced is
returned so the caller can roll a half-finished join back. Secrets (the authkey) travel
base64-encoded and are never part of a message or log line.
"""

from __future__ import annotations

import base64
import binascii
import socket
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from daemon.corosync import conf
from daemon.remote.services import SERVICES, ServiceError, ServicePaths, Services

# The files of the cluster that live in the state directory (Pacemaker keeps the CIB in
# /var/lib/pacemaker/cib; `cluster destroy` removes it, the TLS identity and tokens stay).
CIB_FILES = ("cib.xml", "cib-", "cib.last")   # with their signatures and numbered backups
RELOAD_TIMEOUT_S = 15.0


class OpError(Exception):
    """An operation refused or failed. `code`: bad-request (the arguments), exists (a cluster
    is there already), absent (no cluster here), failed; `field`: the argument at fault."""

    def __init__(self, message: str, code: str = "failed", field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class HostPaths:
    corosync_conf: Path = Path("/etc/corosync/corosync.conf")
    authkey: Path = Path("/etc/corosync/authkey")
    state_dir: Path = Path("/var/lib/crmshell")
    run_dir: Path = Path("/run/crmshell")
    log_dir: Path = Path("/var/log/crmshell")
    corosync_pid: Path = Path("/run/corosync.pid")
    services_systemd: bool | None = None     # None: as the host runs (services.uses_systemd)

    @property
    def known_nodes(self) -> Path:
        return self.state_dir / "known-nodes.json"

    @property
    def socket(self) -> Path:
        return self.run_dir / "crmshelld.sock"

    def services(self) -> Services:
        return Services(ServicePaths(self.run_dir, self.corosync_pid, self.state_dir,
                                     self.log_dir, self.corosync_conf), self.services_systemd)


# ---- arguments --------------------------------------------------------------------------------

def _text(args: dict, name: str, limit: int = 1 << 20) -> str:
    value = args.get(name)
    if not isinstance(value, str):
        raise OpError(f"args.{name}: a string is needed", "bad-request", name)
    if len(value) > limit:
        raise OpError(f"args.{name}: longer than {limit} characters", "bad-request", name)
    return value


def _flag(args: dict, name: str) -> bool:
    value = args.get(name, False)
    if not isinstance(value, bool):
        raise OpError(f"args.{name}: true or false", "bad-request", name)
    return value


def _names(args: dict, name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    value = args.get(name, list(allowed))
    if (not isinstance(value, list) or not value
            or not all(isinstance(v, str) and v in allowed for v in value)):
        raise OpError(f"args.{name}: a list of {', '.join(allowed)}", "bad-request", name)
    return tuple(value)


def checked_conf(text: str, field: str = "corosync_conf") -> conf.ClusterConfig:
    try:
        return conf.ClusterConfig.from_tree(conf.parse(text, source=f"args.{field}"))
    except conf.ConfError as err:
        raise OpError(str(err), "bad-request", field) from None


def _authkey(args: dict) -> bytes:
    try:
        key = base64.b64decode(_text(args, "authkey", 4096), validate=True)
    except (binascii.Error, ValueError):
        raise OpError("args.authkey: not base64", "bad-request", "authkey") from None
    if len(key) != conf.AUTHKEY_BYTES:
        raise OpError(f"args.authkey: {len(key)} bytes, an authkey has {conf.AUTHKEY_BYTES}",
                      "bad-request", "authkey")
    return key


# ---- reading ----------------------------------------------------------------------------------

def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise OpError(f"{path}: cannot read: {err.strerror}") from None


def _current(paths: HostPaths) -> conf.ClusterConfig | None:
    text = _read(paths.corosync_conf)
    if text is None:
        return None
    try:
        return conf.ClusterConfig.from_tree(conf.parse(text, source=str(paths.corosync_conf)))
    except conf.ConfError as err:
        raise OpError(str(err)) from None


def _usable(paths: HostPaths) -> tuple[conf.ClusterConfig | None, str | None]:
    """(the cluster in corosync.conf, None) or (None, why the file there is not one we can
    run: the corosync package's unencrypted example, say); (None, None) without a file."""
    try:
        return _current(paths), None
    except OpError as err:
        return None, str(err)


def op_info(args: dict, paths: HostPaths) -> dict:
    """Who this host is and what of a cluster it has: asked first of every peer."""
    from daemon import __version__ as VERSION

    config, problem = _usable(paths)
    try:
        services = paths.services().status()
    except ServiceError as err:
        raise OpError(str(err)) from None
    return {"node": socket.gethostname().split(".")[0], "version": VERSION,
            "cluster_name": config.cluster_name if config else None,
            "nodes": [_node_json(n) for n in config.nodes] if config else [],
            "addresses": local_addresses(), "services": services,
            "authkey": paths.authkey.exists(), "conf_problem": problem}


def _node_json(node: conf.NodeEntry) -> dict:
    return {"name": node.name, "nodeid": node.nodeid, "addrs": list(node.addrs)}


def op_read_corosync_conf(args: dict, paths: HostPaths) -> dict:
    """corosync.conf alone (show, diff, pull): no secret, so no need of the authkey."""
    text = _read(paths.corosync_conf)
    if text is None:
        raise OpError(f"no cluster on this host ({paths.corosync_conf} does not exist)", "absent")
    return {"corosync_conf": text}


def op_cluster_files(args: dict, paths: HostPaths) -> dict:
    text = _read(paths.corosync_conf)
    if text is None:
        raise OpError(f"no cluster on this host ({paths.corosync_conf} does not exist)", "absent")
    try:
        key = paths.authkey.read_bytes()
    except OSError as err:
        raise OpError(f"{paths.authkey}: cannot read: {err.strerror}", "absent") from None
    return {"corosync_conf": text, "authkey": base64.b64encode(key).decode()}


# ---- writing ----------------------------------------------------------------------------------

def op_install_cluster(args: dict, paths: HostPaths) -> dict:
    """corosync.conf and the authkey of a cluster this host is to be part of. A host that
    has a cluster already refuses unless `force` (a re-run after a failed join passes it
    for the very files it wrote)."""
    text = _text(args, "corosync_conf")
    checked_conf(text)
    key = _authkey(args)
    force = _flag(args, "force")
    existing, problem = _usable(paths)
    if existing is not None and not force:
        raise OpError(f"this host is already part of cluster '{existing.cluster_name}' "
                      f"({paths.corosync_conf}); 'cluster destroy' it first, or force", "exists")
    previous = _read(paths.corosync_conf)
    backup = None
    if problem is not None:
        # not a cluster we could run (the package's example): kept aside, and a corosync
        # running it is stopped, or `start` would find it running the wrong cluster
        backup = paths.corosync_conf.with_name(paths.corosync_conf.name + ".orig")
        if not backup.exists():
            _write(backup, previous.encode(), 0o644)
        try:
            paths.services().stop()
        except ServiceError as err:
            raise OpError(str(err)) from None
    _write(paths.corosync_conf, text.encode(), 0o644)
    _write_key(paths.authkey, key)
    return {"replaced": previous is not None and problem is None,
            "backup": str(backup) if backup else None}


def op_set_corosync_conf(args: dict, paths: HostPaths) -> dict:
    """A new corosync.conf (checked first); the old text comes back for a rollback."""
    text = _text(args, "text")
    checked_conf(text, "text")
    previous = _read(paths.corosync_conf)
    if previous is None and not _flag(args, "create"):
        raise OpError(f"no cluster on this host ({paths.corosync_conf} does not exist)", "absent")
    _write(paths.corosync_conf, text.encode(), 0o644)
    return {"previous": previous}


def op_remove_cluster_files(args: dict, paths: HostPaths) -> dict:
    """Undo of install-cluster: the two files go (the services must be stopped)."""
    removed = []
    for path in (paths.corosync_conf, paths.authkey):
        try:
            path.unlink()
            removed.append(str(path))
        except FileNotFoundError:
            pass
        except OSError as err:
            raise OpError(f"{path}: cannot remove: {err.strerror}") from None
    return {"removed": removed}


def op_corosync_reload(args: dict, paths: HostPaths) -> dict:
    """corosync re-reads its file (the nodelist) without a restart: `corosync-cfgtool -R`."""
    services = paths.services()
    if not services.active("corosync"):
        return {"reloaded": False}
    try:
        done = subprocess.run(["corosync-cfgtool", "-R"], capture_output=True, text=True,
                              timeout=RELOAD_TIMEOUT_S, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise OpError(f"corosync-cfgtool -R: {err}") from None
    if done.returncode != 0:
        raise OpError(f"corosync-cfgtool -R failed: "
                      f"{(done.stderr or done.stdout).strip() or done.returncode}")
    return {"reloaded": True}


def op_service(args: dict, paths: HostPaths) -> dict:
    action = args.get("action")
    names = _names(args, "services", SERVICES)
    services = paths.services()
    try:
        if action == "start":
            if "corosync" in names and _current(paths) is None:
                raise OpError(f"no cluster on this host ({paths.corosync_conf} does not "
                              "exist): init, join or setup first", "absent")
            changed = services.start(names)
        elif action == "stop":
            changed = services.stop(names)
        elif action == "restart":
            services.stop(names)
            changed = services.start(names)
        elif action in ("enable", "disable"):
            services.set_enabled(action == "enable", names)
            changed = list(names)
        elif action == "status":
            changed = []
        elif action == "boot":   # what init does at boot without systemd: the enabled ones
            enabled = tuple(n for n in names if services.enabled(n))
            changed = services.start(enabled) if enabled and not services.systemd and \
                _current(paths) is not None else []
        else:
            raise OpError("args.action: one of start, stop, restart, enable, disable, status, "
                          "boot",
                          "bad-request", "action")
        return {"changed": changed, "status": services.status()}
    except ServiceError as err:
        raise OpError(str(err)) from None


def op_destroy(args: dict, paths: HostPaths) -> dict:
    """`cluster destroy` on this host: services stopped and disabled, the cluster's files
    and the CIB removed. The remote API's identity and tokens stay, as pcsd's do."""
    services = paths.services()
    try:
        services.stop()
        services.set_enabled(False)
    except ServiceError as err:
        raise OpError(str(err)) from None
    removed = op_remove_cluster_files({}, paths)["removed"]
    for name in CIB_FILES:
        for path in paths.state_dir.glob(f"{name}*"):
            try:
                path.unlink()
                removed.append(str(path))
            except OSError:
                pass
    return {"removed": removed}


def op_store_known_nodes(args: dict, paths: HostPaths) -> dict:
    """The caller's known nodes (addresses, pinned certificates, tokens), so that every node
    of a cluster made by `cluster setup` can reach the others, as pcs shares its tokens."""
    entries = args.get("entries")
    if not isinstance(entries, dict) or not all(isinstance(v, dict) for v in entries.values()):
        raise OpError("args.entries: an object of node name to entry", "bad-request", "entries")
    from daemon.remote.known_nodes import KnownNodes, KnownNodesError

    try:
        store = KnownNodes(paths.known_nodes)
        for name, entry in entries.items():
            address, port, fingerprint, token = (entry.get(key) for key in (
                "address", "port", "fingerprint", "token"))
            if not (isinstance(address, str) and address and isinstance(port, int)
                    and isinstance(fingerprint, str) and isinstance(token, str) and token):
                raise ValueError(f"{name}: address, port, fingerprint and token are needed")
            store.put(name, address, port, fingerprint, token)
        store.save()
    except (KnownNodesError, ValueError, TypeError) as err:
        raise OpError(f"args.entries: {err}", "bad-request", "entries") from None
    return {"stored": sorted(entries)}


def _number(args: dict, name: str, default: float) -> float:
    value = args.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600:
        raise OpError(f"args.{name}: a number of seconds (0 to 3600)", "bad-request", name)
    return float(value)


def op_wait_formed(args: dict, paths: HostPaths) -> dict:
    """Until crmshelld here sees the cluster formed (members, quorum, a DC)."""
    from daemon.remote import cib_steps

    members = args.get("members")
    if members is not None and (isinstance(members, bool) or not isinstance(members, int)
                                or members < 1):
        raise OpError("args.members: a number of nodes", "bad-request", "members")
    try:
        hello = cib_steps.wait_formed(str(paths.socket), members, _number(args, "timeout", 60))
    except cib_steps.CibStepError as err:
        raise OpError(str(err)) from None
    return {"dc": hello.get("dc"), "members": [m.get("name") for m in hello.get("members") or []]}


def op_cib_defaults(args: dict, paths: HostPaths) -> dict:
    from daemon.remote import cib_steps

    name = _text(args, "cluster_name", 64)
    try:
        changed, devices = cib_steps.apply_defaults(str(paths.socket), name,
                                                    rename=_flag(args, "rename"))
    except cib_steps.CibStepError as err:
        raise OpError(str(err)) from None
    return {"changed": changed, "fencing_devices": devices}


def op_cib_forget_node(args: dict, paths: HostPaths) -> dict:
    from daemon.remote import cib_steps

    try:
        return {"changed": cib_steps.forget_node(str(paths.socket), _text(args, "name", 256))}
    except cib_steps.CibStepError as err:
        raise OpError(str(err)) from None


# ---- the table --------------------------------------------------------------------------------

OPS: dict[str, Callable[[dict, HostPaths], dict]] = {
    "info": op_info,
    "cluster-files": op_cluster_files,
    "read-corosync-conf": op_read_corosync_conf,
    "install-cluster": op_install_cluster,
    "set-corosync-conf": op_set_corosync_conf,
    "remove-cluster-files": op_remove_cluster_files,
    "corosync-reload": op_corosync_reload,
    "service": op_service,
    "destroy": op_destroy,
    "store-known-nodes": op_store_known_nodes,
    "wait-formed": op_wait_formed,
    "cib-defaults": op_cib_defaults,
    "cib-forget-node": op_cib_forget_node,
}


def handle(op: str, args: dict, paths: HostPaths | None = None) -> dict:
    """Run one operation; OpError for anything refused or failed."""
    fn = OPS.get(op)
    if fn is None:
        raise OpError(f"op: unknown operation {op!r} (one of {', '.join(sorted(OPS))})",
                      "unknown-op", "op")
    if not isinstance(args, dict):
        raise OpError("args: an object is needed", "bad-request", "args")
    return fn(args, paths or HostPaths())


# ---- helpers ----------------------------------------------------------------------------------

def _write(path: Path, data: bytes, mode: int) -> None:
    from daemon.atomic_write import write_atomically

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data, new_mode=mode)
    except OSError as err:
        raise OpError(f"{path}: cannot write: {err.strerror}") from None


def _write_key(path: Path, key: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conf.write_authkey(path, key)
    except OSError as err:
        raise OpError(f"{path}: cannot write the authkey: {err}") from None


def local_addresses() -> list[str]:
    """This host's IPv4 and IPv6 addresses (not loopback): how peers name it in a nodelist."""
    out: list[str] = []
    try:
        done = subprocess.run(["ip", "-o", "addr", "show", "scope", "global"],
                              capture_output=True, text=True, timeout=5,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return out
    for line in done.stdout.splitlines():
        words = line.split()
        if len(words) > 3 and words[2] in ("inet", "inet6"):
            out.append(words[3].split("/")[0])
    return out

