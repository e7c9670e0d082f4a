"""Where the command history lives: `$XDG_STATE_HOME/crmshell/history` (else
`~/.local/state/crmshell/history`), created private on first use."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping


def history_path(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_STATE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"),
                                                     ".local", "state")
    return Path(base) / "crmshell" / "history"


def file_history(env: Mapping[str, str]):
    """A prompt_toolkit FileHistory on the history file, or an in-memory one when the state
    directory cannot be created (a read-only home must not stop the shell)."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    path = history_path(env)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.touch(mode=0o600, exist_ok=True)
    except OSError:
        return InMemoryHistory()
    return FileHistory(str(path))
