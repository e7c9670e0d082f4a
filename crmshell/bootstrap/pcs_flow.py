"""pcs's way of making a cluster, from one host: `cluster auth` once per node (the password
goes to that node only, which checks it with PAM and returns a token), then `cluster setup
NAME NODE...` and `cluster start --all` through the nodes' remote APIs.

At auth time the node's certificate fingerprint is pinned; every later connection refuses a
changed certificate before the token is sent. `setup` gives every node the known-nodes
entries of all of them (as pcs shares its tokens), so any node can run `start --all` later.
"""

from __future__ import annotations

import base64

from daemon.corosync import conf

from crmshell.bootstrap import plan
from crmshell.bootstrap.connect import DEFAULT_REMOTE_PORT, ConnectOptions, api_peer, is_this_host
from crmshell.bootstrap.membership import choose_address
from crmshell.bootstrap.peers import LocalPeer, PeerError
from crmshell.bootstrap.progress import Progress, StepFailed

SETUP_FORM_TIMEOUT_S = 60.0


def _store(options: ConnectOptions):
    from daemon.remote.known_nodes import KnownNodes

    return KnownNodes(options.known_nodes)


def auth(progress: Progress, nodes: list[str], user: str, password: str,
         options: ConnectOptions, port: int = DEFAULT_REMOTE_PORT) -> list[str]:
    """A token from each node for `user`'s password; the names authenticated."""
    from daemon.remote import client as remote

    store = _store(options)
    done = []
    failures = []
    for node in nodes:
        known = store.get(node)
        pinned = known.fingerprint if known is not None else None
        try:
            with progress.step(node, f"authenticating as {user}"):
                link = remote.RemoteClient(node, port, fingerprint=pinned)
                try:
                    answer = link.call("auth", {"user": user, "password": password})
                    seen = link.fingerprint
                finally:
                    link.close()
                if not isinstance(answer.get("token"), str):
                    raise PeerError(node, "the node answered without a token")
                store.put(node, node, port, seen, answer["token"])
                store.save()
        except StepFailed as err:
            failures.append(err)
            continue
        done.append(node)
    if failures:
        raise StepFailed(failures[0].host if len(failures) == 1 else
                         ", ".join(f.host for f in failures), "authenticating",
                         "; ".join(f.cause for f in failures))
    return done


def deauth(progress: Progress, nodes: list[str], options: ConnectOptions) -> list[str]:
    """Revoke this host's token on each node (when it answers) and forget the node."""
    store = _store(options)
    names = nodes or sorted(store.all())
    for node in names:
        if store.get(node) is None:
            progress.say(f"{node}: not authenticated here")
            continue
        try:
            with progress.step(node, "revoking the token"):
                api_peer(node, options).call("deauth")
        except StepFailed:
            progress.say(f"{node}: forgetting it here all the same")
        store.remove(node)
        store.save()
    return names


def setup(progress: Progress, name: str, nodes: list[str], options: ConnectOptions, *,
          token: int | None = plan.DEFAULT_TOKEN_MS, start: bool = False, enable: bool = False,
          wait: bool = False, force: bool = False,
          timeout: float = SETUP_FORM_TIMEOUT_S) -> conf.ClusterConfig:
    if len(set(nodes)) != len(nodes) or not nodes:
        raise StepFailed(", ".join(nodes) or "-", "checking the nodes",
                         "give each node once")
    plan.check_cluster_name(name)
    peers = {}
    infos = {}
    for node in nodes:
        with progress.step(node, "checking the node"):
            peers[node] = LocalPeer(name=node) if is_this_host(node) else api_peer(node, options)
            infos[node] = peers[node].call("info")
            if infos[node].get("cluster_name") and not force:
                raise PeerError(node, f"already part of cluster "
                                f"'{infos[node]['cluster_name']}'; 'cluster destroy' it "
                                "first, or setup --force")
    config = plan.new_cluster(name, [(n, (choose_address(n, infos[n]),)) for n in nodes], token)
    text = conf.render(config)
    key = base64.b64encode(conf.new_authkey()).decode()
    store = _store(options)
    shared = {n: e._asdict() for n, e in store.all().items() if n in nodes}
    for node in nodes:
        if infos[node].get("cluster_name"):
            with progress.step(node, "removing the old cluster (--force)"):
                peers[node].call("destroy")
        with progress.step(node, "writing the corosync authkey and corosync.conf"):
            peers[node].call("install-cluster", {"corosync_conf": text, "authkey": key,
                                                 "force": force})
        if shared and not peers[node].local:
            with progress.step(node, "sharing the cluster's known nodes"):
                peers[node].call("store-known-nodes", {"entries": shared})
    if start:
        for node in nodes:
            with progress.step(node, "starting corosync and crmshelld"):
                peers[node].call("service", {"action": "start"})
    if enable:
        for node in nodes:
            with progress.step(node, "enabling the services at boot"):
                peers[node].call("service", {"action": "enable"})
    if start and wait:
        first = nodes[0]
        with progress.step(first, f"waiting for the cluster to form ({len(nodes)} nodes)"):
            peers[first].call("wait-formed", {"members": len(nodes), "timeout": timeout})
        with progress.step(first, "setting the cluster's defaults"):
            peers[first].call("cib-defaults", {"cluster_name": name})
    return config

