"""The node's store of the tokens it issued after a good password (`cluster auth`).

A token is 256 random bits, handed out once and kept here only as its SHA-256, so the file
alone lets nobody in. Every token expires (pcsd's never do); revoking one removes it, so
"revoked" and "never issued" look the same to the caller. The file is re-read when it changed
on disk, so an administrator (or a test) may edit it while the server runs; a file that is not
a token store is an error naming it, never silently emptied.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import namedtuple
from pathlib import Path

from daemon.remote import jsonfile

DEFAULT_TTL_S = 30 * 24 * 3600
FORMAT_VERSION = 1
WHAT = "token store"
FIX = "fix it, or remove it to revoke every token"

TokenInfo = namedtuple("TokenInfo", "user issued expires")


class TokenRejected(Exception):
    """The token cannot be used: `reason` is "unknown or revoked" or "expired"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TokenStoreError(Exception):
    """The store file cannot be read or written; the message names it."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    def __init__(self, path, clock=time.time):
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.Lock()      # the server calls it from worker threads
        self._entries: list[dict] = []
        self._seen = None                  # (inode, mtime, size) of the file last read

    def issue(self, user: str, ttl_s: float = DEFAULT_TTL_S) -> str:
        if not ttl_s > 0:
            raise ValueError(f"token lifetime must be positive, got {ttl_s!r}")
        token = secrets.token_urlsafe(32)
        now = int(self.clock())
        with self._lock:
            entries = self._load()
            entries.append({"sha256": digest(token), "user": user, "issued": now,
                            "expires": now + int(ttl_s)})
            self._save(entries)
        return token

    def check(self, token: str) -> TokenInfo:
        if not isinstance(token, str) or not token:
            raise TokenRejected("unknown or revoked")
        wanted = digest(token)
        with self._lock:
            entry = self._find(self._load(), wanted)
        if entry is None:
            raise TokenRejected("unknown or revoked")
        if entry["expires"] <= self.clock():
            raise TokenRejected("expired")
        return TokenInfo(entry["user"], entry["issued"], entry["expires"])

    def revoke(self, token: str) -> bool:
        """Remove the token; False if it was not there."""
        wanted = digest(token)
        with self._lock:
            entries = self._load()
            entry = self._find(entries, wanted)
            if entry is None:
                return False
            self._save([e for e in entries if e is not entry])
        return True

    def revoke_all(self) -> int:
        with self._lock:
            count = len(self._load())
            self._save([])
        return count

    def entries(self) -> list[TokenInfo]:
        with self._lock:
            return [TokenInfo(e["user"], e["issued"], e["expires"]) for e in self._load()]

    # -- the file ------------------------------------------------------------------------

    @staticmethod
    def _find(entries: list[dict], wanted: str) -> dict | None:
        found = None
        for entry in entries:          # every entry compared, in constant time each
            if hmac.compare_digest(entry["sha256"], wanted):
                found = entry
        return found

    def _load(self) -> list[dict]:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._entries, self._seen = [], None
            return self._entries
        except OSError as err:
            raise TokenStoreError(f"{WHAT} {self.path}: {err.strerror}") from None
        seen = (st.st_ino, st.st_mtime_ns, st.st_size)
        if seen != self._seen:
            doc = jsonfile.load(self.path, WHAT, TokenStoreError, FIX)
            self._entries, self._seen = parse(doc, self.path), seen
        return self._entries

    def _save(self, entries: list[dict]) -> None:
        now = self.clock()
        kept = [e for e in entries if e["expires"] > now]      # expired ones pruned here
        jsonfile.save(self.path, {"version": FORMAT_VERSION, "tokens": kept}, WHAT,
                      TokenStoreError)
        self._entries, self._seen = kept, None


def parse(doc, path) -> list[dict]:
    """The entries of a store file's document, every one checked; TokenStoreError names the
    file and the place."""
    def bad(message: str) -> TokenStoreError:
        return jsonfile.corrupt(path, WHAT, TokenStoreError, FIX, message)

    if not isinstance(doc, dict) or doc.get("version") != FORMAT_VERSION \
            or not isinstance(doc.get("tokens"), list):
        raise bad(f'expected {{"version": {FORMAT_VERSION}, "tokens": [...]}}')
    entries = []
    for i, entry in enumerate(doc["tokens"]):
        if not isinstance(entry, dict):
            raise bad(f"tokens[{i}] is not an object")
        for key, kind in (("sha256", str), ("user", str), ("issued", (int, float)),
                          ("expires", (int, float))):
            value = entry.get(key)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise bad(f"tokens[{i}].{key} is missing or not a {getattr(kind, '__name__', 'number')}")
        if len(entry["sha256"]) != 64:
            raise bad(f"tokens[{i}].sha256 is not a SHA-256 in hex")
        entries.append({k: entry[k] for k in ("sha256", "user", "issued", "expires")})
    return entries
