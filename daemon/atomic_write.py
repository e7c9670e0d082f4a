"""Writing a file atomically and durably: the one helper for every file crmshell and the
daemon keep (CIB files, keys, the sandbox's state, the shell's preferences and caches).

The data goes to a temporary file in the same directory, is flushed to the disk, and replaces
the old file with one rename, after which the directory itself is flushed. A reader therefore
sees either the old file or the new one, never a part, also after a crash. The new file keeps
the old one's permissions (and owner, when we may set it); a file that did not exist gets
`new_mode`. Only the standard library is imported here, so a caller as light as the shell's
completion may use it.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

PRIVATE_MODE = 0o600


def write_atomically(path: str | os.PathLike[str], data: bytes, *,
                     new_mode: int = PRIVATE_MODE) -> None:
    """Replace the file at `path` (through a symbolic link: its target) with `data`.

    On failure the old file is left as it was, the temporary file is removed, and the OSError
    is raised for the caller to report (or, for a cache, to ignore)."""
    target = Path(os.path.realpath(path))
    try:
        old = target.stat()
    except FileNotFoundError:
        old = None
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        try:
            _fill(fd, data, old, new_mode)
        finally:
            os.close(fd)
        os.replace(tmp_name, target)
    except BaseException:
        _remove_quietly(tmp_name)
        raise
    _sync_directory(target.parent)


def _fill(fd: int, data: bytes, old: os.stat_result | None, new_mode: int) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    if old is None:
        os.fchmod(fd, new_mode)
    else:
        os.fchmod(fd, stat.S_IMODE(old.st_mode))
        if (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
            try:
                os.fchown(fd, old.st_uid, old.st_gid)
            except PermissionError:
                pass  # not ours to give away; the mode is kept all the same
    os.fsync(fd)


def _sync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    try:
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the data itself is synced
    finally:
        os.close(dir_fd)


def _remove_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass
