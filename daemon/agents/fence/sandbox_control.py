"""The sandbox's control channel: what `crmshell sandbox` and `fence_sandbox` say to its supervisor.

A sandbox (crmshell/sandbox/) is run by one supervisor process that owns the namespaces of
all its nodes. Every node has its own PID namespace, so a fence agent running in node2 cannot
even see node1's processes; it asks the supervisor instead, through a Unix socket at a path
in the sandbox directory (paths are reachable from every network namespace, abstract names
are not). The shell's `sandbox kill/start/status` use the same channel; `reboot` (kill, then
start) is one request, for an agent that reboots the node it runs on.

The protocol: the client sends one JSON object on one line (`{"op": "kill", "node":
"node1"}`); the supervisor answers with any number of `{"event": ...}` lines (progress) and
then one final line with `"ok": true` (and the op's results) or `"ok": false` and `"error"`.
Standard library only: the fence agent imports this file by path.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable

CONTROL_SOCKET = "control.sock"
STATE_FILE = "sandbox.json"
NODE_HINT = "/run/crmshell-sandbox.json"  # inside a node: {"dir": ..., "node": ...}
MAX_LINE = 1 << 20


class ControlError(Exception):
    """The supervisor cannot be reached, broke the protocol, or refused the request."""


def encode(message: dict) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes) -> dict:
    """One message; ControlError for anything but a JSON object."""
    try:
        message = json.loads(line)
    except ValueError as err:
        raise ControlError(f"not a JSON line: {err}") from None
    if not isinstance(message, dict):
        raise ControlError("a message is a JSON object")
    return message


def socket_path(directory: str | os.PathLike[str]) -> str:
    return os.path.join(os.fspath(directory), CONTROL_SOCKET)


def request(directory: str | os.PathLike[str], message: dict, timeout: float,
            on_event: Callable[[dict], None] | None = None) -> dict:
    """Send `message` to the supervisor of the sandbox in `directory` and return its final
    answer; progress events go to `on_event`. ControlError says what went wrong in words
    (nothing running there, no answer within `timeout` seconds, or the supervisor's error)."""
    path = socket_path(directory)
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        try:
            conn.connect(path)
        except (FileNotFoundError, ConnectionRefusedError):
            raise ControlError(f"no sandbox is running in {os.fspath(directory)} "
                               f"(nothing answers on {path})") from None
        except OSError as err:
            raise ControlError(f"cannot reach the sandbox supervisor at {path}: "
                               f"{err.strerror or err}") from None
        conn.sendall(encode(message))
        reader = conn.makefile("rb")
        while True:
            conn.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                line = reader.readline(MAX_LINE + 1)
            except TimeoutError:
                raise ControlError(f"the sandbox supervisor did not answer "
                                   f"'{message.get('op')}' within {timeout:g} s") from None
            except OSError as err:
                raise ControlError(f"the sandbox supervisor went away: {err}") from None
            if not line:
                raise ControlError("the sandbox supervisor closed the connection "
                                   f"before answering '{message.get('op')}'")
            answer = decode(line)
            if "event" in answer:
                if on_event is not None:
                    on_event(answer)
                continue
            if not answer.get("ok"):
                raise ControlError(str(answer.get("error", "request refused")))
            return answer
