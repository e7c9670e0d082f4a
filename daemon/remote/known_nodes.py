"""The caller's store of the nodes it authenticated with: where they are, the fingerprint
pinned at `cluster auth`, and the token each handed out.

The tokens here are this host's credentials for the others (pcs keeps them the same way in
/var/lib/pcsd/known-hosts), so the file is 0600 and written atomically. Changes are in memory
until `save()`, so a `cluster auth` of several nodes writes once; a file that cannot be read
is an error naming it, never treated as empty (that would drop every credential on save).
"""

from __future__ import annotations

from collections import namedtuple
from pathlib import Path

from daemon.remote import jsonfile

DEFAULT_PATH = Path("/var/lib/crmshell/known-nodes.json")

KnownNode = namedtuple("KnownNode", "address port fingerprint token")
WHAT = "known nodes"
FIX = "fix it, or remove it and run 'cluster auth' again"
_FIELDS = (("address", str), ("port", int), ("fingerprint", str), ("token", str))


class KnownNodesError(Exception):
    """The file cannot be read or written; the message names it."""


class KnownNodes:
    def __init__(self, path=DEFAULT_PATH):
        self.path = Path(path)
        self._nodes = self._read()

    def get(self, name: str) -> KnownNode | None:
        return self._nodes.get(name)

    def put(self, name: str, address: str, port: int, fingerprint: str, token: str) -> None:
        self._nodes[name] = KnownNode(address, int(port), fingerprint, token)

    def remove(self, name: str) -> bool:
        return self._nodes.pop(name, None) is not None

    def all(self) -> dict[str, KnownNode]:
        return dict(self._nodes)

    def save(self) -> None:
        doc = {name: node._asdict() for name, node in sorted(self._nodes.items())}
        jsonfile.save(self.path, doc, WHAT, KnownNodesError, parent_mode=0o750)

    def _read(self) -> dict[str, KnownNode]:
        doc = jsonfile.load(self.path, WHAT, KnownNodesError, FIX)
        if doc is None:
            return {}

        def bad(message: str) -> KnownNodesError:
            return jsonfile.corrupt(self.path, WHAT, KnownNodesError, FIX, message)

        if not isinstance(doc, dict):
            raise bad("expected an object of node names")
        nodes = {}
        for name, entry in doc.items():
            if not isinstance(entry, dict):
                raise bad(f"{name}: expected an object")
            for key, kind in _FIELDS:
                value = entry.get(key)
                if not isinstance(value, kind) or isinstance(value, bool):
                    raise bad(f"{name}.{key} is missing or not a "
                              f"{'number' if kind is int else 'string'}")
            if not 0 < entry["port"] < 65536:
                raise bad(f"{name}.port {entry['port']} is not a port number")
            nodes[name] = KnownNode(*(entry[key] for key, _ in _FIELDS))
        return nodes
