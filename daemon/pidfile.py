"""The daemon's pid file (`--pid-file`), for init systems and scripts that want one.

Written after detaching (the pid of the process that stays), removed on a clean exit, and
only when it still names this process (a second daemon may have taken it over).
"""

from __future__ import annotations

import os
from pathlib import Path

from daemon.atomic_write import write_atomically


def write_pid_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
    write_atomically(path, f"{os.getpid()}\n".encode(), new_mode=0o644)


def remove_pid_file(path: Path) -> None:
    try:
        if path.read_text().strip() == str(os.getpid()):
            path.unlink()
    except (OSError, ValueError):
        pass
