"""The live cluster as a CIB source: crmshelld's local API on its Unix socket.

Reads are `query`; commits send the v2 patch from the loaded base to the staged CIB, and the
daemon, which owns the CIB, checks that base itself ("changed-meanwhile" comes back with the
ids). Everything else the shell asks of a running cluster (status, cleanup, transient node
attributes, waiting for the transition) goes through `call`, which turns the API's errors
into messages a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from crmshell.cib.source import ChangedMeanwhile, Committed, Loaded
from crmshell.errors import ShellError

WAIT_TIMEOUT = 120.0


class DaemonMissing(ShellError):
    """No crmshelld answers at the socket."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(
            f"no crmshelld at {path}: is it running? There is no cluster daemon to talk to "
            f"({reason}). Start it (systemctl start "
            "crmshelld, or crmshell sandbox up), point the shell at another node with "
            "--socket PATH or CRMSHELL_SOCKET, or use --cib-file FILE to work on a CIB file")


@dataclass
class DaemonSource:
    socket: str
    label: str = "live"
    timeout: float = 30.0
    live: ClassVar[bool] = True
    _client: object = field(default=None, init=False, repr=False)

    def call(self, op: str, args: dict | None = None, body: bytes = b"", *,
             timeout: float | None = None):
        """One request; returns the API's Reply (result dict, body bytes)."""
        from daemon.api.client import ApiClient
        from daemon.api.errors import ApiError, DaemonUnavailable

        if self._client is None:  # one connection for the session, opened on first use
            self._client = ApiClient(self.socket, timeout=self.timeout)
        try:
            return self._client.call(op, args or {}, body, timeout=timeout)
        except DaemonUnavailable as err:
            raise DaemonMissing(self.socket, _reason(err)) from None
        except ApiError as err:
            raise _shell_error(op, self.socket, err) from None

    def hello(self) -> dict:
        return self.call("hello").result

    def load(self) -> Loaded:
        from daemon.cib.document import parse_cib
        from daemon.cib.versions import read_version

        root = parse_cib(self.call("query").body, source=f"crmshelld at {self.socket}")
        return Loaded(root, read_version(root))

    def commit(self, base, patch, *, new_root=None, force: bool = False) -> Committed:
        from lxml import etree

        reply = self.call("apply-patch", {"force": force}, etree.tostring(patch))
        return Committed(_version(reply.result.get("version"), "apply-patch"))

    def replace(self, root) -> None:
        from daemon.cib.document import serialize_cib

        self.call("replace", {"force": True}, serialize_cib(root))

    def wait(self, timeout: float | None = None) -> None:
        """Until the cluster has carried out what the last change asked for."""
        limit = WAIT_TIMEOUT if timeout is None else timeout
        self.call("wait", {"timeout": limit})


def _reason(err) -> str:
    text = err.message
    marker = ": "
    return text.split(marker, 1)[1].split(";", 1)[0] if marker in text else text


def _version(value, op: str):
    from daemon.cib.versions import CibVersion

    if not (isinstance(value, list) and len(value) == 3 and all(isinstance(v, int) for v in value)):
        raise ShellError(f"crmshelld answered {op} with no valid version ({value!r})")
    return CibVersion(*value)


def _shell_error(op: str, path: str, err) -> ShellError:
    details = err.details or {}
    if err.code == "changed-meanwhile":
        base, current = details.get("base"), details.get("current")
        changed = details.get("changed", details.get("changed_ids"))
        return ChangedMeanwhile(_maybe_version(base), _maybe_version(current),
                                None if changed is None else [str(i) for i in changed])
    if err.code == "denied":
        return ShellError(f"crmshelld at {path} refused {op}: {err.message} (run as root or "
                          "as a member of the haclient group)")
    if err.code == "failed":
        return ShellError(err.message)
    if err.code in ("timeout", "unavailable"):
        return ShellError(f"crmshelld could not finish {op}: {err.message}")
    return ShellError(f"crmshelld refused {op}: {err.message}")


def _maybe_version(value):
    from daemon.cib.versions import CibVersion

    if isinstance(value, list) and len(value) == 3 and all(isinstance(v, int) for v in value):
        return CibVersion(*value)
    return None
