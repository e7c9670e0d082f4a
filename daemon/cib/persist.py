"""CIB files on disk: loading, and writing that is atomic and durable.

A write goes to a temporary file in the same directory, is flushed to the disk, and
replaces the old file with one rename, after which the directory itself is flushed. A
reader therefore sees either the old document or the new one, never a part, also after a
crash. The new file keeps the old one's permissions (and owner, when we may set it), since
Pacemaker's tools and daemons read it under their own accounts. A new CIB file that an
administrator asked for (`write_cib_file`: --cib-file, shadows) follows the umask, as
Pacemaker's tools create theirs; any other new file (the daemon's own CIB, keys) is 0600.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from lxml import etree

from daemon.cib.document import empty_cib, parse_cib, serialize_cib
from daemon.cib.errors import CibError

NEW_FILE_MODE = 0o600


def load_cib_file(path: str | os.PathLike[str]) -> etree._Element:
    """Read and parse a CIB file; a file that does not exist reads as `empty_cib()`."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return empty_cib()
    except OSError as err:
        raise CibError(f"{os.fspath(path)}: cannot read: {err.strerror}") from None
    return parse_cib(data, source=os.fspath(path))


def write_cib_file(path: str | os.PathLike[str], root: etree._Element) -> None:
    """Replace the CIB file at `path` with `root`, atomically (see the module docstring).

    On any failure the old file is left as it was, the temporary file is removed, and
    CibError names the file and the reason. A new file gets 0666 less the umask.
    """
    write_file_atomically(path, serialize_cib(root), new_mode=0o666 & ~current_umask())


def current_umask() -> int:
    """The process's umask, read without changing it where Linux tells it (/proc), since
    setting it to read it back is a process-wide change another thread could see."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def write_file_atomically(path: str | os.PathLike[str], data: bytes, *,
                          new_mode: int = NEW_FILE_MODE) -> None:
    """Replace the file at `path` with `data`: temporary file, fsync, rename, fsync dir.

    An existing file keeps its mode and owner; a new one gets `new_mode`."""
    target = Path(os.path.realpath(path))
    try:
        old = target.stat()
    except FileNotFoundError:
        old = None
    except OSError as err:
        raise CibError(f"{os.fspath(path)}: cannot write: {err.strerror}") from None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as err:
        raise CibError(f"{os.fspath(path)}: cannot write: {err.strerror}") from None
    try:
        try:
            _fill(fd, data, old, new_mode)
        finally:
            os.close(fd)
        os.replace(tmp_name, target)
    except BaseException as err:
        _remove_quietly(tmp_name)
        if isinstance(err, OSError):
            raise CibError(f"{os.fspath(path)}: cannot write: {err.strerror}") from None
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
