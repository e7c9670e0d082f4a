"""The remote API server: asyncio over TLS, one task per connection, requests in sequence.

It runs before any cluster exists (`crmshelld --remote`, pcsd's role), so it imports nothing of
the cluster machinery. `ping` needs nothing, `auth` needs the password (checked by PAM in a
worker thread, a failure answered only after a fixed delay against guessing), everything else
needs a token and goes to `dispatch(op, args)` in a worker thread. Every fault stays at its
connection: a malformed message is answered (or, with broken framing, the connection closed)
and the server keeps serving. The log says op, peer and outcome; never arguments of `auth`,
tokens or passwords.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import pwd
import socket
import ssl
import time
from pathlib import Path

from daemon import __version__
from daemon.remote import pam, protocol
from daemon.remote.identity import ensure_identity
from daemon.remote.tokens import DEFAULT_TTL_S, TokenRejected, TokenStore, TokenStoreError

log = logging.getLogger("crmshelld.remote")

DEFAULT_PORT = 2224
DEFAULT_ADDRESS = "::"
DEFAULT_DIR = Path("/var/lib/crmshell/remote")
IDLE_TIMEOUT_S = 60.0
AUTH_FAIL_DELAY_S = 1.0
MAX_CONNECTIONS = 64           # each may buffer a 4 MiB message
MAX_AUTH_AT_ONCE = 4
MAX_USER, MAX_PASSWORD = 64, 4096


class SetupError(Exception):
    """The server cannot start (port taken, identity unreadable); the message says where."""


class OpFailure(Exception):
    """What a dispatcher raises for an error reply: any exception with a string `code` (and
    optionally `field`) is answered that way, node_ops.OpError among them."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.field = code, field


def default_dispatch(op: str, args: dict) -> dict:
    """The node operations (daemon/remote/node_ops.py), imported on first use only."""
    try:
        from daemon.remote import node_ops
    except ImportError as err:
        log.error("remote: cannot load the node operations: %s", err)
        raise OpFailure("failed", f"{op}: this node cannot carry out operations (its node "
                        f"operations do not load: {err})") from None
    return node_ops.handle(op, args, node_ops.HostPaths())


class RemoteServer:
    def __init__(self, directory=DEFAULT_DIR, *, address: str = DEFAULT_ADDRESS,
                 port: int = DEFAULT_PORT, node_name: str | None = None, dispatch=None,
                 authenticate=None, group: str = "haclient", token_ttl_s: float = DEFAULT_TTL_S,
                 idle_timeout: float = IDLE_TIMEOUT_S, auth_fail_delay: float = AUTH_FAIL_DELAY_S,
                 max_message: int = protocol.MAX_MESSAGE, clock=time.time):
        self.directory = Path(directory)
        self.address, self.requested_port = address, port
        self.node_name = node_name or socket.gethostname()
        self.dispatch = dispatch or default_dispatch
        self.authenticate = authenticate or pam.authenticate
        self.group, self.token_ttl_s = group, token_ttl_s
        self.idle_timeout, self.auth_fail_delay = idle_timeout, auth_fail_delay
        self.max_message = max_message
        self.tokens = TokenStore(self.directory / "tokens.json", clock=clock)
        self.identity = None
        self._sock: socket.socket | None = None
        self._ctx: ssl.SSLContext | None = None
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task] = set()
        self._auth_slots: asyncio.Semaphore | None = None

    @property
    def port(self) -> int:
        """The port listened on (the one the system chose, for port 0)."""
        return self._sock.getsockname()[1] if self._sock is not None else self.requested_port

    # -- start and stop ------------------------------------------------------------------

    def bind(self) -> None:
        """Everything that can fail at start, done synchronously (before a daemon detaches,
        so the error reaches the terminal): the identity, the TLS context, the socket."""
        try:
            self.identity = ensure_identity(self.directory, self.node_name)
        except Exception as err:  # IdentityError, or cryptography failing to make a key
            raise SetupError(str(err)) from None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.options |= ssl.OP_NO_COMPRESSION
        try:
            ctx.load_cert_chain(self.identity.cert_path, self.identity.key_path)
        except (ssl.SSLError, OSError) as err:
            raise SetupError(f"cannot use {self.identity.cert_path} with "
                             f"{self.identity.key_path}: {err}") from None
        self._ctx = ctx
        self._sock = listening_socket(self.address, self.requested_port)
        log.info("remote API on %s port %d, certificate %s", self.address, self.port,
                 self.identity.fingerprint)

    async def start(self) -> None:
        if self._sock is None:
            self.bind()
        self._auth_slots = asyncio.Semaphore(MAX_AUTH_AT_ONCE)
        self._server = await asyncio.start_server(
            self._accept, sock=self._sock, ssl=self._ctx, ssl_handshake_timeout=10.0,
            ssl_shutdown_timeout=5.0, limit=1 << 16)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    # -- connections ---------------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        peer = _peer(writer)
        if len(self._tasks) >= MAX_CONNECTIONS:
            log.warning("remote: %s refused: %d connections open", peer, len(self._tasks))
            writer.close()
            return
        self._tasks.add(task)
        try:
            await self._serve(reader, writer, peer)
        except (ConnectionError, ssl.SSLError, OSError, asyncio.IncompleteReadError,
                TimeoutError) as err:
            log.debug("remote: %s: connection ended: %s", peer, err.__class__.__name__)
        except asyncio.CancelledError:
            pass
        except Exception:  # noqa: BLE001 - one connection's bug must not stop the server
            log.exception("remote: %s: connection failed", peer)
        finally:
            self._tasks.discard(task)
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), 5.0)
            except (Exception, asyncio.CancelledError):  # noqa: BLE001 - closing anyway
                pass

    async def _serve(self, reader, writer, peer: str) -> None:
        while True:
            try:
                prefix = await asyncio.wait_for(reader.readexactly(4), self.idle_timeout)
            except asyncio.IncompleteReadError as err:
                if err.partial:
                    log.info("remote: %s: closed inside a message", peer)
                return
            except TimeoutError:
                log.debug("remote: %s: idle for %g s, closing", peer, self.idle_timeout)
                return
            try:
                size = protocol.message_length(prefix, self.max_message)
            except protocol.ProtocolError as err:
                log.info("remote: %s: %s; closing", peer, err.message)
                await self._send(writer, protocol.error_reply(None, err.code, err.message,
                                                              err.field))
                return          # the rest of the stream cannot be framed any more
            body = await asyncio.wait_for(reader.readexactly(size), self.idle_timeout)
            reply = await self._answer(body, peer)
            await self._send(writer, reply)

    async def _send(self, writer, doc: dict) -> None:
        try:
            data = protocol.frame(doc)
        except ValueError as err:
            data = protocol.frame(protocol.error_reply(doc.get("id"), "too-large",
                                                       f"the reply cannot be sent: {err}"))
        writer.write(data)
        await asyncio.wait_for(writer.drain(), self.idle_timeout)

    async def _answer(self, body: bytes, peer: str) -> dict:
        try:
            request = protocol.parse_request(protocol.decode(body))
        except protocol.ProtocolError as err:
            log.info("remote: %s: malformed request: %s", peer, err.message)
            return protocol.error_reply(err.request_id, err.code, err.message, err.field)
        try:
            result = await self._handle(request, peer)
        except _Refusal as err:
            log.info("remote: %s %s: %s", request.op, peer, err.log or err.code)
            return protocol.error_reply(request.id, err.code, err.message, err.field)
        except Exception as err:  # noqa: BLE001 - a bug here is answered, the server goes on
            log.error("remote: %s %s: internal error: %s", request.op, peer,
                      type(err).__name__, exc_info=request.op != "auth")
            return protocol.error_reply(request.id, "failed", f"{request.op} failed on "
                                        f"{self.node_name}: internal error (see its log)")
        log.info("remote: %s %s: ok", request.op, peer)
        return protocol.ok_reply(request.id, result)

    # -- operations ----------------------------------------------------------------------

    async def _handle(self, request: protocol.Request, peer: str) -> dict:
        if request.op == "ping":
            _no_args(request.args, ())
            return {"node": self.node_name, "version": __version__,
                    "fingerprint": self.identity.fingerprint}
        if request.op == "auth":
            return await self._auth(request.args, peer)
        user = await self._check_token(request)
        if request.op == "deauth":
            return await self._deauth(request, user)
        try:
            result = await asyncio.to_thread(self.dispatch, request.op, request.args)
        except Exception as err:  # noqa: BLE001 - an op's failure is the caller's answer
            code = getattr(err, "code", None)
            if not isinstance(code, str):
                log.exception("remote: %s from %s failed", request.op, peer)
                raise _Refusal("failed", f"{request.op} failed on {self.node_name}: internal "
                               f"error ({type(err).__name__}; see its log)") from None
            field = getattr(err, "field", None)
            raise _Refusal(code, str(err), field if isinstance(field, str) else None) from None
        if not isinstance(result, dict):
            log.error("remote: %s returned %s, not a dict", request.op, type(result).__name__)
            raise _Refusal("failed", f"{request.op} failed on {self.node_name}: internal error "
                           "(no result; see its log)")
        return result

    async def _auth(self, args: dict, peer: str) -> dict:
        _no_args(args, ("user", "password"))
        user, password = args.get("user"), args.get("password")
        if not isinstance(user, str) or not 0 < len(user) <= MAX_USER:
            raise _Refusal("bad-request", f"auth: user must be a name of 1 to {MAX_USER} "
                           "characters", "args.user")
        if not isinstance(password, str) or not 0 < len(password) <= MAX_PASSWORD:
            raise _Refusal("bad-request", f"auth: password must be a string of 1 to "
                           f"{MAX_PASSWORD} characters", "args.password")
        shown = _loggable_user(user)
        async with self._auth_slots:       # a few at once, delay included: bounds guessing
            start = time.monotonic()
            try:
                await asyncio.to_thread(self.authenticate, user, password,
                                        group=self.group, rhost=peer.rpartition(":")[0].strip("[]"))
            except pam.AuthFailed as err:
                # a refusal always takes the delay, however long PAM took: an unknown user
                # (no hash computed) cannot be told from a wrong password by the time
                await asyncio.sleep(max(0.0, start + self.auth_fail_delay - time.monotonic()))
                raise _Refusal("denied", str(err), log=f"denied for {shown}") from None
        def issue():
            token = self.tokens.issue(user, self.token_ttl_s)
            return token, self.tokens.check(token).expires

        try:
            token, expires = await asyncio.to_thread(issue)
        except TokenStoreError as err:
            log.error("remote: %s", err)
            raise _Refusal("failed", f"{self.node_name} cannot keep tokens: {err}") from None
        log.info("remote: token issued to %s from %s", shown, peer)
        return {"token": token, "expires": int(expires), "node": self.node_name}

    async def _check_token(self, request: protocol.Request) -> str:
        node = self.node_name
        if request.token is None:
            raise _Refusal("unauthenticated", f"{request.op} needs a token: run "
                           f"'crmshell cluster auth {node}' first", "token", log="no token")
        try:
            info = await asyncio.to_thread(self.tokens.check, request.token)
        except TokenRejected as err:
            what = "has expired" if err.reason == "expired" else \
                "is unknown or revoked (a token from another cluster, or deauthenticated)"
            raise _Refusal("unauthenticated", f"the token presented to {node} {what}: run "
                           f"'crmshell cluster auth {node}' again", "token",
                           log=f"token {err.reason}") from None
        except TokenStoreError as err:
            log.error("remote: %s", err)
            raise _Refusal("failed", f"{node} cannot check tokens: {err}") from None
        return info.user

    async def _deauth(self, request: protocol.Request, user: str) -> dict:
        _no_args(request.args, ("all",))
        every = request.args.get("all", False)
        if not isinstance(every, bool):
            raise _Refusal("bad-request", "deauth: all must be true or false", "args.all")
        try:
            if every:
                count = await asyncio.to_thread(self.tokens.revoke_all)
            else:
                count = int(await asyncio.to_thread(self.tokens.revoke, request.token))
        except TokenStoreError as err:
            raise _Refusal("failed", f"{self.node_name} cannot revoke: {err}") from None
        log.info("remote: %s revoked %s by %s", "every token" if every else "a token",
                 f"({count})", _loggable_user(user))
        return {"revoked": count, "node": self.node_name}


class _Refusal(Exception):
    """An error reply; `log` is what the log says instead of the message (no secrets)."""

    def __init__(self, code: str, message: str, field: str | None = None, log: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field, self.log = code, message, field, log


def _no_args(args: dict, allowed: tuple) -> None:
    for key in args:
        if key not in allowed:
            raise _Refusal("bad-request", f"unknown argument {key[:64]!r}"
                           + (f" (expected {', '.join(allowed)})" if allowed else
                              " (this op takes none)"), f"args.{key[:64]}")


def _loggable_user(user: str) -> str:
    """The user name for the log only when such an account exists: a password typed into
    the user field must not end up in the log."""
    try:
        pwd.getpwnam(user)
    except (KeyError, ValueError):
        return "an unknown user"
    return f"user {user}"


def _peer(writer) -> str:
    peer = writer.get_extra_info("peername")
    if not peer:
        return "?"
    host, port = peer[0], peer[1]
    if host.startswith("::ffff:"):
        host = host[7:]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listening_socket(address: str, port: int) -> socket.socket:
    """A listening TCP socket; "::" is dual-stack (IPv4 too) and falls back to 0.0.0.0 on a
    host without IPv6. asyncio's own create_server would make "::" IPv6-only."""
    try:
        if address == "::" and socket.has_dualstack_ipv6():
            try:
                return socket.create_server(("::", port), family=socket.AF_INET6,
                                            dualstack_ipv6=True, backlog=128)
            except OSError as err:
                if err.errno == errno.EADDRINUSE:     # no fallback hides that
                    raise
            address = "0.0.0.0"
        elif address == "::":
            address = "0.0.0.0"
        infos = socket.getaddrinfo(address, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
        family = infos[0][0]
        return socket.create_server((address, port), family=family, backlog=128)
    except socket.gaierror as err:
        raise SetupError(f"remote API address {address}: {err.strerror}") from None
    except OSError as err:
        raise SetupError(f"cannot listen on {address} port {port}: {err.strerror}") from None
