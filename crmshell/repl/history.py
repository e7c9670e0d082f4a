"""Where the command history lives: `$XDG_STATE_HOME/crmshell/history` (else
`~/.local/state/crmshell/history`), created private on first use. A password given on a
command line (`cluster auth -p ...`) is masked before the line is kept, in the file and in
the session's own recall alike."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping


def history_path(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_STATE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"),
                                                     ".local", "state")
    return Path(base) / "crmshell" / "history"


_SECRET = re.compile(r"((?:^|\s)(?:-p|--password)(?:=|\s+))(\"[^\"]*\"|'[^']*'|\S+)")


def mask_secrets(line: str) -> str:
    return _SECRET.sub(lambda m: m.group(1) + "********", line)


def file_history(env: Mapping[str, str]):
    """A prompt_toolkit FileHistory on the history file, or an in-memory one when the state
    directory cannot be created (a read-only home must not stop the shell)."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    class MaskedFileHistory(FileHistory):
        def append_string(self, string: str) -> None:
            super().append_string(mask_secrets(string))

    class MaskedMemoryHistory(InMemoryHistory):
        def append_string(self, string: str) -> None:
            super().append_string(mask_secrets(string))

    path = history_path(env)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.touch(mode=0o600, exist_ok=True)
    except OSError:
        return MaskedMemoryHistory()
    return MaskedFileHistory(str(path))
