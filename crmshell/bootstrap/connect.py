"""Reaching a host for bootstrap: SSH as crmsh does, or the remote API with the token
`cluster auth` left (pcs's way), whichever this host has for it; this host itself directly.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path

from crmshell.bootstrap.peers import ApiPeer, LocalPeer, PeerError, SshPeer, this_host

from daemon.remote.client import DEFAULT_PORT as DEFAULT_REMOTE_PORT
from daemon.remote.known_nodes import DEFAULT_PATH as KNOWN_NODES


@dataclass
class ConnectOptions:
    accept_new_host_key: bool = False
    user: str = "root"
    ssh_port: int = 22
    password: object = None            # callable(prompt) -> str, for SSH password auth
    key_files: tuple = ()
    known_nodes: Path = KNOWN_NODES
    prefer_ssh: bool = False
    _peers: dict = field(default_factory=dict)

    def close(self) -> None:
        for peer in self._peers.values():
            try:
                peer.close()
            except Exception:   # noqa: BLE001 - closing is best effort
                pass
        self._peers.clear()


def is_this_host(name: str) -> bool:
    return name in (this_host(), socket.gethostname(), "localhost")


def ssh_peer(name: str, options: ConnectOptions):
    key = ("ssh", name)
    if key not in options._peers:
        from crmshell.bootstrap import ssh

        session = ssh.SshSession(ssh.SshTarget(name, options.user, options.ssh_port),
                                 accept_new_host_key=options.accept_new_host_key,
                                 key_files=tuple(options.key_files), password=options.password)
        try:
            session.connect()
        except ssh.SshError as err:
            raise PeerError(name, str(err).removeprefix(f"{name}: ")) from None
        options._peers[key] = SshPeer(name, session)
    return options._peers[key]


def known_entry(name: str, options: ConnectOptions):
    """This host's KnownNode for `name` (address, port, pinned fingerprint, token), or None."""
    from daemon.remote.known_nodes import KnownNodes, KnownNodesError

    try:
        return KnownNodes(options.known_nodes).get(name)
    except (KnownNodesError, OSError):
        return None


def api_peer(name: str, options: ConnectOptions, entry: dict | None = None):
    """The remote API with this host's token for `name`; PeerError when there is none."""
    key = ("api", name)
    if key not in options._peers:
        entry = entry or known_entry(name, options)
        if entry is None or not entry.token:
            raise PeerError(name, f"not authenticated: run 'crmshell cluster auth {name}' first")
        from crmshell.bootstrap.peers import NODE_OP_TIMEOUT_S
        from daemon.remote.client import RemoteClient

        client = RemoteClient(entry.address or name, int(entry.port or DEFAULT_REMOTE_PORT),
                              fingerprint=entry.fingerprint, timeout=NODE_OP_TIMEOUT_S,
                              name=name)
        options._peers[key] = ApiPeer(name, client, entry.token)
    return options._peers[key]


def peer(name: str, options: ConnectOptions):
    """This host directly; else the remote API when authenticated to it; else SSH."""
    if is_this_host(name):
        return LocalPeer(name=this_host())
    if not options.prefer_ssh and known_entry(name, options):
        return api_peer(name, options)
    return ssh_peer(name, options)
