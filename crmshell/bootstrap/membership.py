"""crmsh's way of making a cluster: `init` on one host, `join -c SEED` from each other one
(or `add HOST` from a member), `remove NODE`, with SSH to the peers.

Every step is reported per host, and the steps of a join or add that were done are undone,
last first, when a later one fails: the hosts' corosync.conf as it was, corosync reloaded,
the newcomer's files and services gone. A retry then starts from where the first try did.
"""

from __future__ import annotations

import base64
import socket
from pathlib import Path

from daemon.corosync import conf
from daemon.settings import DEFAULT_REMOTE_DIR

from crmshell.bootstrap import plan
from crmshell.bootstrap.connect import ConnectOptions, is_this_host, peer, ssh_peer
from crmshell.bootstrap.peers import LocalPeer, PeerError
from crmshell.bootstrap.progress import Progress, StepFailed

FORM_TIMEOUT_S = 60.0

FENCING_WARNING = (
    "warning: fencing is enabled and no fencing device is configured: resources will not "
    "start until one is (e.g. 'configure primitive fence-ipmi stonith:fence_ipmilan ...'); "
    "a test cluster can turn it off with 'configure property stonith-enabled=false'")


def choose_address(name: str, info: dict) -> str:
    """The ring address of host `name`: what its name resolves to when that is one of its
    own addresses, else its first global address, else its name (left to corosync)."""
    own = info.get("addresses") or []
    try:
        resolved = {a[4][0] for a in socket.getaddrinfo(name, None, type=socket.SOCK_DGRAM)}
    except OSError:
        resolved = set()
    for addr in own:
        if addr in resolved:
            return addr
    return own[0] if own else name


def _config_of(host: str, text: str) -> conf.ClusterConfig:
    try:
        return conf.ClusterConfig.from_tree(conf.parse(text, source=f"{host}:corosync.conf"))
    except conf.ConfError as err:
        raise StepFailed(host, "reading corosync.conf", str(err)) from None


# ---- init -------------------------------------------------------------------------------------

def init(progress: Progress, name: str, *, token: int | None = plan.DEFAULT_TOKEN_MS,
         force: bool = False, local: LocalPeer | None = None,
         timeout: float = FORM_TIMEOUT_S) -> conf.ClusterConfig:
    """A new one-node cluster on this host, started and formed."""
    local = local or LocalPeer()
    host = local.name
    with progress.step(host, "checking this host"):
        plan.check_cluster_name(name)
        info = local.call("info")
        if info.get("cluster_name") and not force:
            raise PeerError(host, f"already part of cluster '{info['cluster_name']}' "
                            f"(nodes {', '.join(n['name'] for n in info.get('nodes', []))}); "
                            "'cluster destroy' it first, or init --force")
    if info.get("cluster_name"):
        with progress.step(host, "removing the old cluster (--force)"):
            local.call("destroy")
    _say_replaced(progress, host, info)
    config = plan.new_cluster(name, [(host, (choose_address(host, info),))], token)
    with progress.step(host, "writing the corosync authkey and corosync.conf"):
        local.call("install-cluster", {"corosync_conf": conf.render(config),
                                       "authkey": _new_key(), "force": force})
    _tls_identity(progress, host)
    with progress.step(host, "starting corosync and crmshelld"):
        local.call("service", {"action": "start"})
        local.call("service", {"action": "enable"})
    with progress.step(host, "waiting for the cluster to form"):
        local.call("wait-formed", {"members": 1, "timeout": timeout})
    with progress.step(host, "setting the cluster's defaults"):
        done = local.call("cib-defaults", {"cluster_name": name})
    if not done.get("fencing_devices"):
        progress.say(FENCING_WARNING)
    return config


def _say_replaced(progress: Progress, host: str, info: dict) -> None:
    if info.get("conf_problem"):
        progress.say(f"{host}: the corosync.conf there is not a cluster crmshell runs "
                     f"({info['conf_problem']}); it is kept as corosync.conf.orig and replaced")


def _new_key() -> str:
    return base64.b64encode(conf.new_authkey()).decode()


def _tls_identity(progress: Progress, host: str) -> None:
    """The node's certificate for the remote API, made now if its service has not yet."""
    try:
        from daemon.remote.identity import ensure_identity
    except ImportError:
        return
    with progress.step(host, "making the TLS identity of the remote API"):
        ensure_identity(Path(DEFAULT_REMOTE_DIR), host)


# ---- join and add -----------------------------------------------------------------------------

def join(progress: Progress, seed: str, options: ConnectOptions, *, force: bool = False,
         timeout: float = FORM_TIMEOUT_S) -> conf.ClusterConfig:
    """This host joins the cluster `seed` is a node of."""
    local = LocalPeer()
    with progress.step(local.name, "checking this host"):
        info = local.call("info")
        if info.get("cluster_name") and not force:
            raise PeerError(local.name, f"already part of cluster '{info['cluster_name']}'; "
                            "'cluster destroy' it first, or join --force")
    with progress.step(seed, "connecting over SSH"):
        seed_peer = ssh_peer(seed, options)
    with progress.step(seed, "reading the cluster's configuration"):
        files = seed_peer.call("cluster-files")
    config = _config_of(seed, files["corosync_conf"])
    _say_replaced(progress, local.name, info)
    return _grow(progress, config, files["authkey"], local, info, options, {seed: seed_peer},
                 timeout=timeout)


def add(progress: Progress, host: str, options: ConnectOptions, *,
        timeout: float = FORM_TIMEOUT_S) -> conf.ClusterConfig:
    """`host` joins the cluster this host is a node of (driven from here, over SSH)."""
    local = LocalPeer()
    with progress.step(local.name, "reading the cluster's configuration"):
        files = local.call("cluster-files")
    config = _config_of(local.name, files["corosync_conf"])
    with progress.step(host, "connecting over SSH"):
        newcomer = ssh_peer(host, options)
    with progress.step(host, "checking the host"):
        info = newcomer.call("info")
        if info.get("cluster_name"):
            raise PeerError(host, f"already part of cluster '{info['cluster_name']}'; run "
                            "'crmshell cluster destroy' there first")
    return _grow(progress, config, files["authkey"], newcomer, info, options,
                 {local.name: local}, timeout=timeout)


def _grow(progress: Progress, config: conf.ClusterConfig, authkey: str, newcomer, info: dict,
          options: ConnectOptions, known: dict, *, timeout: float) -> conf.ClusterConfig:
    name = info.get("node") or newcomer.name
    try:
        new = plan.add_node(config, name, (choose_address(newcomer.name, info),))
    except plan.PlanError as err:
        raise StepFailed(name, "planning the new nodelist", str(err)) from None
    text = conf.render(new)
    members = []
    for node in config.nodes:
        if node.name in known:
            members.append(known[node.name])
            continue
        with progress.step(node.name, "connecting"):
            members.append(_member_peer(node, options))
    try:
        with progress.step(name, "writing the corosync authkey and corosync.conf"):
            done = newcomer.call("install-cluster", {"corosync_conf": text, "authkey": authkey,
                                                     "force": True})
        if not done.get("replaced"):
            progress.on_failure(name, "the cluster's files",
                                lambda: newcomer.call("remove-cluster-files"))
        for member in members:
            with progress.step(member.name, f"adding {name} to corosync.conf"):
                before = member.call("set-corosync-conf", {"text": text})["previous"]
            progress.on_failure(member.name, f"adding {name}",
                                _restore(member, before))
        for member in members:
            with progress.step(member.name, "reloading corosync"):
                member.call("corosync-reload")
        with progress.step(name, "starting corosync and crmshelld"):
            progress.on_failure(name, "starting the services",
                                lambda: newcomer.call("service", {"action": "stop"}))
            newcomer.call("service", {"action": "start"})
        with progress.step(name, f"waiting to join the cluster ({len(new.nodes)} nodes)"):
            newcomer.call("wait-formed", {"members": len(new.nodes), "timeout": timeout})
        with progress.step(name, "enabling the services at boot"):
            newcomer.call("service", {"action": "enable"})
    except StepFailed:
        progress.say("rolling back what was done, so that a retry starts clean:")
        progress.rollback()
        raise
    progress.commit()
    return new


def _restore(member, before: str | None):
    def undo() -> None:
        if before is not None:
            member.call("set-corosync-conf", {"text": before})
            member.call("corosync-reload")

    return undo


def _member_peer(node: conf.NodeEntry, options: ConnectOptions):
    if is_this_host(node.name):
        return LocalPeer(name=node.name)
    try:
        return peer(node.name, options)
    except PeerError:
        if node.addrs and node.addrs[0] != node.name:
            found = peer(node.addrs[0], options)
            found.name = node.name
            return found
        raise


# ---- remove -----------------------------------------------------------------------------------

def remove(progress: Progress, name: str, options: ConnectOptions, *,
           force: bool = False) -> conf.ClusterConfig:
    """Node `name` leaves the cluster: its services stopped and its files removed (when it
    answers; `force` goes on without it), every other node's nodelist without it, and the
    CIB's entry of it gone."""
    local = LocalPeer()
    with progress.step(local.name, "reading the cluster's configuration"):
        files = local.call("read-corosync-conf")
    config = _config_of(local.name, files["corosync_conf"])
    entry = plan.find_node(config, name)
    if entry is None:
        raise StepFailed(name, "finding the node", f"not a node of cluster "
                         f"'{config.cluster_name}' (its nodes: "
                         f"{', '.join(plan.node_names(config))})")
    if is_this_host(entry.name):
        raise StepFailed(entry.name, "removing this host", "a node cannot remove itself: run "
                         "'cluster remove' on another node (or 'cluster destroy' here)")
    try:
        new = plan.remove_node(config, entry.name)
    except plan.PlanError as err:
        raise StepFailed(entry.name, "planning the new nodelist", str(err)) from None
    gone = None
    try:
        with progress.step(entry.name, "connecting"):
            gone = _member_peer(entry, options)
        with progress.step(entry.name, "stopping the cluster services"):
            gone.call("service", {"action": "stop"})
    except StepFailed as err:
        if not force:
            raise StepFailed(entry.name, err.step, f"{err.cause}; if the node is gone for "
                             "good, 'cluster remove --force' removes it without asking it") from None
        progress.say(f"{entry.name}: going on without it (--force)")
        gone = None
    text = conf.render(new)
    for node in new.nodes:
        member = LocalPeer(name=node.name) if is_this_host(node.name) else None
        with progress.step(node.name, f"removing {entry.name} from corosync.conf"):
            member = member or _member_peer(node, options)
            member.call("set-corosync-conf", {"text": text})
        with progress.step(node.name, "reloading corosync"):
            member.call("corosync-reload")
    with progress.step(local.name, f"removing {entry.name} from the CIB"):
        local.call("cib-forget-node", {"name": entry.name})
    if gone is not None:
        with progress.step(entry.name, "removing the cluster's files"):
            gone.call("destroy")
    return new
