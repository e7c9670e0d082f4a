"""The shell's side of the local API: blocking sockets, no asyncio, lazy and reused.

The shell is a short-lived process that must start in about 0.1 s, so this module imports
only light standard modules. One connection is opened on first use and kept for the next
calls; a connection the daemon closed while idle (it restarted) is replaced once, and only
when the request could not have reached it.
"""

from __future__ import annotations

import os
import socket

from daemon.api.errors import ApiError, DaemonUnavailable
from daemon.api.frames import EVENT, MAX_BODY, REQUEST, FrameError, encode_frame, read_frame
from daemon.api.protocol import Reply

DEFAULT_SOCKET = "/run/crmshell/crmshelld.sock"
WAIT_MARGIN = 5.0           # a `wait` with a timeout gets this long beyond it for the reply


def default_socket_path(env=os.environ) -> str:
    return env.get("CRMSHELL_SOCKET") or DEFAULT_SOCKET


class ApiClient:
    def __init__(self, path: str | None = None, timeout: float | None = 30.0):
        self.path = str(path) if path else default_socket_path()
        self.timeout = timeout
        self._sock: socket.socket | None = None
        self._next_id = 1

    def __enter__(self) -> "ApiClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def call(self, op: str, args: dict | None = None, body: bytes = b"", *,
             timeout: float | None = None) -> Reply:
        """One request, one reply; error replies are raised as ApiError."""
        rid, sock = self._send(op, args, body, self._timeout_for(args, timeout))
        frame = self._read(sock)
        if frame.kind == EVENT:
            self.close()
            raise ApiError("bad-request", f"op {op} streams events: use events()")
        return self._reply(frame, rid, sock)

    def events(self, op: str, args: dict | None = None, *,
               timeout: float | None = None) -> "EventStream":
        """Start a streaming op. The stream takes the connection over; closing the stream
        (or leaving its `with`) is what ends the subscription on the daemon's side."""
        rid, sock = self._send(op, args, b"", timeout)
        self._sock = None
        return EventStream(self, rid, sock)

    # -- internals ---------------------------------------------------------------------

    def _timeout_for(self, args, timeout):
        chosen = self.timeout if timeout is None else timeout
        wait = (args or {}).get("timeout")
        if chosen is not None and isinstance(wait, (int, float)) and not isinstance(wait, bool):
            chosen = max(chosen, wait + WAIT_MARGIN)
        return chosen

    def _connect(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
        except FileNotFoundError:
            reason = "no socket there"
        except ConnectionRefusedError:
            reason = "connection refused (a stale socket: nothing listens)"
        except PermissionError:
            sock.close()
            raise ApiError("denied", f"{self.path}: permission denied (the API is for root and "
                           "members of group haclient)", {"socket": self.path}) from None
        except socket.timeout:
            reason = f"no answer within {self.timeout} s"
        except OSError as err:
            reason = err.strerror or str(err)
        else:
            return sock
        sock.close()
        raise DaemonUnavailable(self.path, reason)

    def _send(self, op: str, args, body: bytes, timeout):
        if len(body) > MAX_BODY:
            raise ApiError("too-large", f"body of {len(body)} bytes is over the API's limit of "
                           f"{MAX_BODY}", {"field": "body"})
        rid = self._next_id
        self._next_id += 1
        data = encode_frame(REQUEST, {"id": rid, "op": op, "args": args or {}}, body)
        for attempt in (1, 2):
            reused = self._sock is not None
            if not reused:
                self._sock = self._connect()
            sock = self._sock
            sock.settimeout(timeout)
            try:
                sock.sendall(data)
                return rid, sock
            except socket.timeout:
                self.close()
                raise ApiError("timeout", f"the daemon at {self.path} did not take the request "
                               f"within {timeout} s") from None
            except ConnectionError:
                if self._answered_anyway(sock):
                    return rid, sock        # refused or too large: the answer is waiting
                self.close()
                if not reused or attempt == 2:
                    raise DaemonUnavailable(self.path, "the daemon closed the connection") from None
        raise AssertionError("unreachable")

    def _answered_anyway(self, sock) -> bool:
        """After a failed send: did the daemon answer before it closed (a refusal)?"""
        try:
            sock.settimeout(0.5)
            return bool(sock.recv(1, socket.MSG_PEEK))
        except OSError:
            return False

    def _read(self, sock):
        try:
            frame = read_frame(sock)
        except socket.timeout:
            self._forget(sock)
            raise ApiError("timeout", f"no reply from the daemon at {self.path} within "
                           f"{sock.gettimeout()} s") from None
        except ConnectionError as err:
            self._forget(sock)
            raise DaemonUnavailable(self.path, f"connection lost ({err.strerror or err})") from None
        except FrameError as err:
            self._forget(sock)
            raise ApiError("version" if err.code == "version" else "internal",
                           f"unreadable reply from the daemon at {self.path}: {err}") from None
        if frame is None:
            self._forget(sock)
            raise DaemonUnavailable(self.path, "the daemon closed the connection")
        return frame

    def _forget(self, sock) -> None:
        sock.close()
        if sock is self._sock:
            self._sock = None

    def _reply(self, frame, rid: int, sock) -> Reply:
        header = frame.header
        if header.get("close"):
            self._forget(sock)
        if header.get("ok") is False:
            raise ApiError.from_json(header.get("error"))
        if header.get("id") != rid:
            self._forget(sock)
            raise ApiError("internal", f"reply for request {header.get('id')!r} while waiting "
                           f"for {rid}")
        result = header.get("result")
        if not isinstance(result, dict):
            raise ApiError("internal", f"reply result is not an object: {result!r:.100}")
        return Reply(result, frame.body)


class EventStream:
    """The events of one streaming request; iterating ends when the daemon ends the stream."""

    def __init__(self, client: ApiClient, rid: int, sock: socket.socket):
        self._client = client
        self._rid = rid
        self._sock = sock

    def __iter__(self):
        return self

    def __next__(self) -> Reply:
        if self._sock is None:
            raise StopIteration
        try:
            frame = self._client._read(self._sock)
            if frame.kind == EVENT and frame.header.get("ok", True):
                return self._client._reply(frame, self._rid, self._sock)
            self._client._reply(frame, self._rid, self._sock)     # the end, or its error
        except BaseException:
            self.close()
            raise
        self.close()
        raise StopIteration

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> "EventStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
