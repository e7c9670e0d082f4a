"""CIB files on disk: loading, and writing that is atomic and durable.

A write goes through daemon.atomic_write: to a temporary file in the same directory, flushed
to the disk, then one rename and a flush of the directory. A reader therefore sees either the
old document or the new one, never a part, also after a crash. The new file keeps the old
one's permissions (and owner, when we may set it), since Pacemaker's tools and daemons read it
under their own accounts. A new CIB file that an administrator asked for (`write_cib_file`:
--cib-file, shadows) follows the umask, as Pacemaker's tools create theirs; any other new file
(the daemon's own CIB, keys) is 0600.
"""

from __future__ import annotations

import os
from pathlib import Path

from lxml import etree

from daemon.atomic_write import PRIVATE_MODE, write_atomically
from daemon.cib.document import empty_cib, parse_cib, serialize_cib
from daemon.cib.errors import CibError

NEW_FILE_MODE = PRIVATE_MODE


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
    """Replace the file at `path` with `data` (daemon.atomic_write: temporary file, fsync,
    rename, fsync of the directory); a failure is a CibError naming the file and the reason.

    An existing file keeps its mode and owner; a new one gets `new_mode`."""
    try:
        write_atomically(path, data, new_mode=new_mode)
    except OSError as err:
        raise CibError(f"{os.fspath(path)}: cannot write: {err.strerror}") from None
