"""The hosts a bootstrap command talks to, all behind one call: `peer.call(op, args)`.

The operations are daemon/remote/node_ops.py's; only the way there differs: this host
(called directly), SSH as root (`crmshell __node-op OP` on the peer, its arguments as JSON
on standard input, so no secret is ever in an argv), or the remote API with the token and
pinned certificate `cluster auth` stored. A failure is a PeerError naming the host.
"""

from __future__ import annotations

import json
import os
import socket
import sys

from daemon.remote import node_ops

NODE_OP_TIMEOUT_S = 180.0     # a service stop waits for the node's resources to stop


class PeerError(Exception):
    """An operation on `host` that failed; `code` is node_ops' (exists, absent, failed...)."""

    def __init__(self, host: str, message: str, code: str = "failed") -> None:
        super().__init__(f"{host}: {message}")
        self.host = host
        self.reason = message
        self.code = code


def peer_command() -> list[str]:
    """How crmshell is run on a peer: the same installation as here (the same path on every
    node, as packages and the sandbox have it); CRMSHELL_PEER_COMMAND (a JSON list) says
    otherwise."""
    override = os.environ.get("CRMSHELL_PEER_COMMAND")
    if override:
        try:
            argv = json.loads(override)
        except ValueError:
            argv = None
        if not (isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv)):
            raise PeerError("this host", "CRMSHELL_PEER_COMMAND: a JSON list of strings")
        return argv
    return [sys.executable, "-m", "crmshell"]


def this_host() -> str:
    return socket.gethostname().split(".")[0]


class LocalPeer:
    """This host: the operations run in this process (as root)."""

    def __init__(self, paths: node_ops.HostPaths | None = None, name: str | None = None) -> None:
        self.paths = paths or node_ops.HostPaths()
        self.name = name or this_host()
        self.local = True

    def call(self, op: str, args: dict | None = None) -> dict:
        try:
            return node_ops.handle(op, args or {}, self.paths)
        except node_ops.OpError as err:
            raise PeerError(self.name, str(err), err.code) from None

    def close(self) -> None:
        pass


class SshPeer:
    """A host reached over SSH (crmsh's way): root there runs the operation."""

    def __init__(self, name: str, session) -> None:
        self.name = name
        self.session = session
        self.local = False

    def call(self, op: str, args: dict | None = None) -> dict:
        from crmshell.bootstrap import ssh

        # coreutils' timeout bounds the step on the peer too: sshd does not pass a signal
        # on when the channel closes, so our own timeout alone would leave it running
        argv = ["timeout", "--kill-after=10", str(int(NODE_OP_TIMEOUT_S)), *peer_command(),
                "__node-op", op]
        try:
            done = self.session.run(argv, stdin=json.dumps(args or {}).encode(),
                                    timeout=NODE_OP_TIMEOUT_S + 15)
        except ssh.SshError as err:
            raise PeerError(self.name, str(err).removeprefix(f"{self.name}: ")) from None
        return decode_reply(self.name, done.returncode, done.stdout, done.stderr)

    def close(self) -> None:
        self.session.close()


class ApiPeer:
    """A host reached through its remote API with this host's token for it (pcs's way)."""

    def __init__(self, name: str, client, token: str) -> None:
        self.name = name
        self.client = client
        self.token = token
        self.local = False

    def call(self, op: str, args: dict | None = None) -> dict:
        from daemon.remote import client as remote

        try:
            return self.client.call(op, args or {}, token=self.token)
        except remote.RemoteError as err:   # Unreachable and CertificateChanged among them
            raise PeerError(self.name, str(err), err.code) from None

    def close(self) -> None:
        close = getattr(self.client, "close", None)
        if close is not None:
            close()


def decode_reply(host: str, returncode: int, stdout: bytes, stderr: bytes) -> dict:
    """The JSON answer of `crmshell __node-op` on a peer, or why there is none."""
    try:
        reply = json.loads(stdout.decode("utf-8", errors="replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        reply = None
    if isinstance(reply, dict) and reply.get("ok") is True and isinstance(reply.get("result"), dict):
        return reply["result"]
    if isinstance(reply, dict) and isinstance(reply.get("error"), dict):
        error = reply["error"]
        raise PeerError(host, str(error.get("message")), str(error.get("code", "failed")))
    why = stderr.decode("utf-8", errors="replace").strip().splitlines()
    if returncode == 124:
        raise PeerError(host, f"the step did not finish within {NODE_OP_TIMEOUT_S:g} s there")
    if returncode == 127 or any("No module named" in line for line in why):
        raise PeerError(host, "crmshell is not installed there (the peer command "
                        f"{' '.join(peer_command())} was not found)")
    raise PeerError(host, f"no answer from crmshell there (exit status {returncode}"
                    f"{': ' + why[-1] if why else ''})")


def serve_node_op(argv: list[str], stdin, stdout) -> int:
    """`crmshell __node-op OP`: what SshPeer runs on a peer (as root)."""
    if len(argv) != 1:
        stdout.write(json.dumps({"ok": False, "error": {
            "code": "bad-request", "message": "usage: crmshell __node-op OP < ARGS.json"}}) + "\n")
        return 2
    if os.geteuid() != 0:
        stdout.write(json.dumps({"ok": False, "error": {
            "code": "denied", "message": "bootstrap operations run as root"}}) + "\n")
        return 1
    try:
        text = stdin.read()
        args = json.loads(text) if text.strip() else {}
    except ValueError as err:
        stdout.write(json.dumps({"ok": False, "error": {
            "code": "bad-request", "message": f"arguments: not JSON: {err}"}}) + "\n")
        return 2
    try:
        result = node_ops.handle(argv[0], args)
    except node_ops.OpError as err:
        stdout.write(json.dumps({"ok": False, "error": {
            "code": err.code, "message": str(err), "field": err.field}}) + "\n")
        return 1
    stdout.write(json.dumps({"ok": True, "result": result}) + "\n")
    return 0
