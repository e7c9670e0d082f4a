"""Commands over the nodes of an existing cluster: services started, stopped, enabled on some
or all nodes (`cluster start --all`), `destroy`, `rename`, and corosync.conf compared,
pushed and pulled between nodes, each node reached the way connect.peer chooses.
"""

from __future__ import annotations

import difflib

from daemon.corosync import conf

from crmshell.bootstrap import plan
from crmshell.bootstrap.connect import ConnectOptions, is_this_host, peer
from crmshell.bootstrap.peers import LocalPeer, PeerError
from crmshell.bootstrap.progress import Progress, StepFailed

SERVICE_WORDS = {"start": "starting", "stop": "stopping", "restart": "restarting",
                 "enable": "enabling", "disable": "disabling"}


def local_config(local: LocalPeer | None = None) -> conf.ClusterConfig:
    local = local or LocalPeer()
    try:
        text = local.call("read-corosync-conf")["corosync_conf"]
    except PeerError as err:
        raise StepFailed(local.name, "reading corosync.conf", err.reason) from None
    try:
        return conf.ClusterConfig.from_tree(conf.parse(text, source="corosync.conf"))
    except conf.ConfError as err:
        raise StepFailed(local.name, "reading corosync.conf", str(err)) from None


def targets(all_nodes: bool, nodes: list[str]) -> list[str]:
    """The nodes a command is for: those named, all of this cluster's, or this host."""
    if all_nodes and nodes:
        raise StepFailed("-", "choosing the nodes", "give --all or node names, not both")
    if all_nodes:
        return plan.node_names(local_config())
    return nodes or [LocalPeer().name]


def services(progress: Progress, action: str, names: list[str], options: ConnectOptions, *,
             wait: bool = False, timeout: float = 60.0) -> None:
    """start, stop, restart, enable or disable the cluster's services on `names`. Stops
    go to all nodes at once only in the sense that each is asked in turn; every node is
    asked even when one fails, and the failures are reported together."""
    failures = []
    for name in names:
        try:
            with progress.step(name, f"{SERVICE_WORDS[action]} corosync and crmshelld"):
                peer(name, options).call("service", {"action": action})
        except StepFailed as err:
            failures.append(err)
    if wait and action in ("start", "restart") and not failures:
        first = names[0]
        with progress.step(first, "waiting for the cluster to form"):
            peer(first, options).call("wait-formed", {"timeout": timeout})
    _raise_all(failures, action)


def _raise_all(failures: list[StepFailed], what: str) -> None:
    if len(failures) == 1:
        raise failures[0]
    if failures:
        raise StepFailed(", ".join(f.host for f in failures), what,
                         "; ".join(f"{f.host}: {f.cause}" for f in failures))


def destroy(progress: Progress, names: list[str], options: ConnectOptions) -> None:
    failures = []
    for name in names:
        try:
            with progress.step(name, "stopping the services and removing the cluster's files"):
                peer(name, options).call("destroy")
        except StepFailed as err:
            failures.append(err)
    _raise_all(failures, "destroy")


def rename(progress: Progress, new_name: str, options: ConnectOptions) -> conf.ClusterConfig:
    config = local_config()
    try:
        renamed = plan.rename(config, new_name)
    except plan.PlanError as err:
        raise StepFailed("-", "renaming", str(err)) from None
    push_config(progress, renamed, plan.node_names(config), options, reload=False)
    local = LocalPeer()
    try:
        with progress.step(local.name, "setting the cluster-name property"):
            local.call("cib-defaults", {"cluster_name": new_name, "rename": True})
    except StepFailed:
        progress.say("(crmshelld is not running here: run 'cluster rename' again once it "
                     "runs, to set the cluster-name property)")
    progress.say("corosync takes a new cluster name at its next start: "
                 "'cluster restart --all' when convenient")
    return renamed


# ---- corosync.conf between nodes ------------------------------------------------------------

def push_config(progress: Progress, config: conf.ClusterConfig | str, names: list[str],
                options: ConnectOptions, *, reload: bool = True) -> None:
    text = config if isinstance(config, str) else conf.render(config)
    failures = []
    for name in names:
        try:
            target = peer(name, options)
            with progress.step(name, "writing corosync.conf"):
                target.call("set-corosync-conf", {"text": text, "create": True})
            if reload:
                with progress.step(name, "reloading corosync"):
                    target.call("corosync-reload")
        except (StepFailed, PeerError) as err:
            failures.append(err if isinstance(err, StepFailed)
                            else StepFailed(err.host, "connecting", err.reason))
    _raise_all(failures, "push")


def pull_config(progress: Progress, name: str, options: ConnectOptions) -> str:
    with progress.step(name, "reading corosync.conf"):
        text = peer(name, options).call("read-corosync-conf")["corosync_conf"]
    local = LocalPeer()
    with progress.step(local.name, "writing corosync.conf"):
        local.call("set-corosync-conf", {"text": text, "create": True})
    return text


def diff_config(names: list[str], options: ConnectOptions) -> list[str]:
    """A unified diff of this host's corosync.conf against each named node's."""
    local = LocalPeer()
    mine = local.call("read-corosync-conf")["corosync_conf"].splitlines(keepends=True)
    out: list[str] = []
    for name in names:
        if is_this_host(name):
            continue
        theirs = peer(name, options).call("read-corosync-conf")["corosync_conf"]
        out.extend(difflib.unified_diff(mine, theirs.splitlines(keepends=True),
                                        f"{local.name}:corosync.conf", f"{name}:corosync.conf"))
    return [line.rstrip("\n") for line in out]


def add_node_entry(progress: Progress, name: str, addrs: tuple[str, ...],
                   options: ConnectOptions) -> conf.ClusterConfig:
    """`corosync add-node`: the nodelist of every node gets `name` (the host itself is not
    touched; `cluster add` does that); corosync reloaded."""
    config = local_config()
    try:
        new = plan.add_node(config, name, addrs)
    except plan.PlanError as err:
        raise StepFailed(name, "planning the new nodelist", str(err)) from None
    push_config(progress, new, plan.node_names(config), options)
    return new


def remove_node_entry(progress: Progress, name: str,
                      options: ConnectOptions) -> conf.ClusterConfig:
    """`corosync remove-node`: every other node's nodelist without `name`, corosync
    reloaded, and the CIB's entry of the node gone (kept consistent with corosync)."""
    config = local_config()
    try:
        new = plan.remove_node(config, name)
    except plan.PlanError as err:
        raise StepFailed(name, "planning the new nodelist", str(err)) from None
    push_config(progress, new, plan.node_names(new), options)
    local = LocalPeer()
    try:
        with progress.step(local.name, f"removing {name} from the CIB"):
            local.call("cib-forget-node", {"name": name})
    except StepFailed:
        progress.say("(crmshelld is not running here: remove the node entry with "
                     "'configure delete' once it runs)")
    return new
