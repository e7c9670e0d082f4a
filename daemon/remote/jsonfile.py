"""The private JSON files of the remote API (the node's tokens, the caller's known nodes):
read with every fault named after the file, written atomically and 0600.

A file that cannot be read is an error, never taken as empty: the next save would otherwise
drop every token or credential in it without a word.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from daemon.atomic_write import write_atomically


def load(path: Path, what: str, error, fix: str):
    """The JSON document at `path`, or None when there is no file. `error` is the exception
    class raised, `what` names the file in messages ("token store"), `fix` says what to do."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise error(f"{what} {path}: {err.strerror}") from None
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise corrupt(path, what, error, fix, f"not JSON ({err})") from None


def corrupt(path: Path, what: str, error, fix: str, message: str) -> Exception:
    return error(f"{what} {path} is corrupt: {message} ({fix})")


def save(path: Path, doc, what: str, error, parent_mode: int = 0o700) -> None:
    data = json.dumps(doc, indent=1).encode() + b"\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=parent_mode)
        write_atomically(path, data, new_mode=0o600)
        os.chmod(path, 0o600)     # also when an older file was looser
    except OSError as err:
        raise error(f"{what} {path}: cannot write: {err.strerror}") from None
