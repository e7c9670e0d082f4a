"""The caller's side of the remote API: blocking, standard library only, light to import.

Nodes have self-signed certificates, so TLS is not verified against a CA; trust comes from the
fingerprint pinned at `cluster auth` (`.fingerprint` is what the node presented). With a pinned
fingerprint the certificate is compared right after the handshake, before one byte of a request
(a token, a password) is sent, and a changed one is refused with what to do about it.
"""

from __future__ import annotations

import socket
import ssl
import time

from daemon.remote import protocol

DEFAULT_PORT = 2224
REUSE_IDLE_S = 45.0         # the server closes idle connections after 60 s: reconnect before


class RemoteError(Exception):
    """The node answered with an error (`code` as in protocol.CODES, or "bad-reply")."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


class Unreachable(RemoteError):
    def __init__(self, host: str, reason: str, port: int = DEFAULT_PORT):
        super().__init__("unreachable", f"cannot reach {host} at {_where(host, port)}: {reason}")
        self.host, self.port, self.reason = host, port, reason


class CertificateChanged(RemoteError):
    def __init__(self, host: str, expected: str, got: str):
        super().__init__(
            "certificate-changed",
            f"the certificate of {host} changed: pinned {expected}, now {got}; if this is "
            f"expected (node reinstalled), run 'crmshell cluster deauth {host}' and "
            f"'cluster auth {host}' again")
        self.host, self.expected, self.got = host, expected, got


def _where(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class RemoteClient:
    """One node. The connection is opened on first use and kept for the next calls."""

    def __init__(self, host: str, port: int = DEFAULT_PORT, fingerprint: str | None = None,
                 timeout: float = 10, name: str | None = None):
        self.host, self.port, self.pinned, self.timeout = host, port, fingerprint, timeout
        self.name = name or host          # how messages call the node
        self._sock: ssl.SSLSocket | None = None
        self._fingerprint: str | None = None
        self._last_use = 0.0
        self._next_id = 1

    def __enter__(self) -> "RemoteClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the certificate the node presented (connecting if need be)."""
        if self._fingerprint is None:
            self.connect()
        return self._fingerprint

    def connect(self) -> None:
        self.close()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE         # self-signed: the pinned fingerprint decides
        try:
            raw = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except socket.gaierror as err:
            raise Unreachable(self.name, f"unknown host ({err.strerror})", self.port) from None
        except (TimeoutError, socket.timeout):
            raise Unreachable(self.name, f"no answer within {self.timeout:g} s", self.port) from None
        except ConnectionRefusedError:
            raise Unreachable(self.name, "connection refused (is crmshelld --remote running "
                              "there, and the port open?)", self.port) from None
        except OSError as err:
            raise Unreachable(self.name, err.strerror or str(err), self.port) from None
        try:
            sock = ctx.wrap_socket(raw)
            der = sock.getpeercert(binary_form=True)
        except (ssl.SSLError, OSError) as err:
            raw.close()
            raise Unreachable(self.name, f"TLS handshake failed ({_reason(err)})", self.port) from None
        got = protocol.fingerprint(der)
        self._fingerprint = got
        if self.pinned is not None and not protocol.same_fingerprint(self.pinned, got):
            sock.close()
            raise CertificateChanged(self.name, self.pinned, got)
        self._sock = sock
        self._last_use = time.monotonic()

    def call(self, op: str, args: dict | None = None, token: str | None = None) -> dict:
        """One request, its result; RemoteError for an error reply."""
        if self._sock is None or time.monotonic() - self._last_use > REUSE_IDLE_S:
            self.connect()
        rid, self._next_id = self._next_id, self._next_id + 1
        message = protocol.frame(protocol.Request(rid, op, token, args or {}).to_json())
        sock = self._sock
        try:
            sock.sendall(message)
            doc = self._read(sock)
        except (TimeoutError, socket.timeout):
            self.close()
            raise Unreachable(self.name, f"no reply to {op} within {self.timeout:g} s",
                              self.port) from None
        except (OSError, EOFError) as err:
            self.close()
            raise Unreachable(self.name, f"connection lost during {op} ({_reason(err)}); it "
                              "may or may not have been carried out", self.port) from None
        except protocol.ProtocolError as err:
            self.close()
            raise RemoteError("bad-reply", f"{self.name} sent a malformed reply: {err}") from None
        self._last_use = time.monotonic()
        try:
            ok, value = protocol.parse_reply(doc, rid)
        except protocol.ProtocolError as err:
            self.close()
            raise RemoteError("bad-reply", f"{self.name} sent a malformed reply: {err}") from None
        if ok:
            return value
        raise RemoteError(*value)

    def _read(self, sock) -> dict:
        size = protocol.message_length(_recv_exact(sock, protocol.LENGTH.size))
        return protocol.decode(_recv_exact(sock, size))


def _recv_exact(sock, size: int) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        chunk = sock.recv(min(size - len(buf), 1 << 20))
        if not chunk:
            raise EOFError("the node closed the connection")
        buf += chunk
    return bytes(buf)


def _reason(err: BaseException) -> str:
    if isinstance(err, ssl.SSLError):
        return err.reason or str(err)
    return getattr(err, "strerror", None) or str(err) or type(err).__name__
