"""On-disk cache of parsed meta-data, so only the first process ever runs an agent for it.

One JSON file per agent, named after its spec, holding the fingerprint (path, mtime, size) of
the file the meta-data came from. A changed agent file changes the fingerprint and the entry is
refetched and replaced, so the cache never grows past one file per agent. Files are written
atomically (daemon.atomic_write: temporary file, fsync, rename): a reader sees the old entry or the new one, whole.
The cache is an optimisation: unreadable or unwritable entries are ignored, never reported.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Mapping
from urllib.parse import quote

from crmshell.agents.model import AgentMeta

FORMAT = 1
Fingerprint = tuple[str, int, int]


def default_cache_dir(env: Mapping[str, str]) -> Path:
    """`$XDG_CACHE_HOME/crmshell/agents`, else `~/.cache/crmshell/agents` (from `env`)."""
    base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"),
                                                     ".cache")
    return Path(base) / "crmshell" / "agents"


def fingerprint(path: Path) -> Fingerprint:
    """What identifies one version of an agent file; raises OSError when it is missing."""
    st = os.stat(path)
    return (str(path), st.st_mtime_ns, st.st_size)


class MetadataCache:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _file(self, spec: str) -> Path:
        return self.directory / f"{quote(spec, safe='')}.json"

    def load(self, spec: str, source: Fingerprint) -> AgentMeta | None:
        """The cached meta-data of `spec` if it was taken from this very `source`, else None."""
        try:
            with open(self._file(spec), "rb") as fh:
                entry = json.load(fh)
            if entry.get("format") != FORMAT or tuple(entry.get("source", ())) != source:
                return None
            return AgentMeta.from_dict(entry["meta"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store(self, spec: str, source: Fingerprint, meta: AgentMeta) -> None:
        from daemon.atomic_write import write_atomically

        entry = {"format": FORMAT, "spec": spec, "source": list(source), "meta": meta.to_dict()}
        data = json.dumps(entry, separators=(",", ":")).encode()
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_atomically(self._file(spec), data)
        except OSError:
            pass
