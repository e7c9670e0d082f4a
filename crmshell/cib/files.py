"""A CIB file as a source: Pacemaker's `CIB_file=PATH`, and shadow CIBs (which are files too).

The compare-and-swap happens here, where the file is: under an exclusive lock on the file's
directory (the file itself is replaced by a rename, so locking it would lock the old inode),
the file is checked against the version the commit was based on. Unchanged since we read it
(same stamp, same version): our tree is written as it is, with no second parse of a large
CIB. Changed only in its status (same epoch): our patch is applied to what is there now, so
status updates survive. Changed in its configuration: refused with the objects that changed,
unless forced, when ours replaces the configuration and the epoch still only grows.
"""

from __future__ import annotations

import copy
import errno
import fcntl
import getpass
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Iterator

from crmshell.cib.source import ChangedMeanwhile, Committed, Loaded
from crmshell.errors import ShellError

LOCK_TIMEOUT = 10.0
_KEPT_BASES = 4  # versions whose bytes are kept to say what changed since (one per session)


@dataclass
class FileSource:
    """A CIB file; a missing file reads as an empty CIB and is created on the first commit."""

    path: Path
    label: str
    live: ClassVar[bool] = False
    # (stamp, version) of the file when we last read or wrote it: the quick path's test.
    _seen: tuple | None = field(default=None, init=False, repr=False)
    # version -> the bytes read at that version, to name what others changed since.
    _bases: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path)

    def load(self) -> Loaded:
        from daemon.cib.document import empty_cib, parse_cib
        from daemon.cib.versions import read_version

        stamp = _stamp(self.path)
        data = self._read()
        root = empty_cib() if data is None else parse_cib(data, source=str(self.path))
        version = read_version(root)
        self._seen = (stamp, version)
        if data is not None:
            self._bases[version] = data
            while len(self._bases) > _KEPT_BASES:
                self._bases.pop(next(iter(self._bases)))
        return Loaded(root, version)

    def _read(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise ShellError(f"{self.path}: cannot read the CIB: {err.strerror}") from None

    def commit(self, base, patch, *, new_root=None, force: bool = False) -> Committed:
        self._check_writable()
        wanted = _patch_target(patch, base)
        with _directory_lock(self.path):
            if new_root is not None and self._seen == (_stamp(self.path), base):
                root, target = new_root, wanted
            else:
                root, target = self._merged(base, patch, new_root, force, wanted)
            self._write(root, target)
        return Committed(target, root)

    def _merged(self, base, patch, new_root, force: bool, wanted):
        """The file as it is now with our change on top; refused if its configuration moved."""
        from daemon.cib.patchset import apply_patchset
        from daemon.cib.versions import CibVersion, read_version

        current = self.load().root
        now = read_version(current)
        moved = (now.admin_epoch, now.epoch) != (base.admin_epoch, base.epoch)
        if moved and not force:
            raise ChangedMeanwhile(base, now, self._changed_since(base, current))
        target = CibVersion(now.admin_epoch, max(now.epoch + 1, wanted.epoch), 0)
        if moved and new_root is not None:  # forced over a concurrent change: ours wins wholesale
            current.replace(current.find("configuration"),
                            copy.deepcopy(new_root.find("configuration")))
            return current, target
        return apply_patchset(current, patch, check_version=False), target

    def _changed_since(self, base, current) -> list[str]:
        from crmshell.cib.changes import changed_object_ids

        data = self._bases.get(base)
        if data is None:
            return []
        return changed_object_ids(_parse(data, self.path), current)

    def _write(self, root, target) -> None:
        from daemon.cib.persist import write_cib_file
        from daemon.cib.versions import stamp_update, write_version

        saved = dict(root.attrib)
        write_version(root, target)
        stamp_update(root, when=time.time(), client="crmshell", user=_user())
        try:
            write_cib_file(self.path, root)
        except BaseException:
            root.attrib.clear()  # the caller's tree stays as it was, ready for a retry
            root.attrib.update(saved)
            raise
        self._seen = (_stamp(self.path), target)

    def replace(self, root) -> None:
        """Write a whole document as it is (a new or reset shadow CIB)."""
        from daemon.cib.persist import write_cib_file
        from daemon.cib.versions import read_version

        self._check_writable()
        with _directory_lock(self.path):
            write_cib_file(self.path, root)
            self._seen = (_stamp(self.path), read_version(root))

    def wait(self, timeout: float | None = None) -> None:
        """Nothing runs a CIB file: there is no transition to wait for."""

    def _check_writable(self) -> None:
        if not self.path.exists():
            folder = self.path.parent
            if not os.access(folder, os.W_OK):
                raise ShellError(f"{self.path}: cannot create the CIB file: the directory "
                                 f"{folder} is not writable") from None
            return
        if not os.access(self.path, os.W_OK):
            raise ShellError(f"{self.path}: the CIB file is read-only: nothing was written "
                             "(make it writable, or work on a copy with --cib-file)")


def _patch_target(patch, base):
    """The version the patch asks for; a configuration change moves the epoch at least one."""
    from daemon.cib.patchset import patch_versions
    from daemon.cib.versions import CibVersion

    versions = patch_versions(patch)
    target = versions[1] if versions else base
    return max(target, CibVersion(base.admin_epoch, base.epoch + 1, 0))


def _parse(data: bytes, path: Path):
    from daemon.cib.document import parse_cib

    return parse_cib(data, source=str(path))


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


@contextmanager
def _directory_lock(path: Path) -> Iterator[None]:
    """Serialise committers of one CIB file (other crmshell processes, other sessions)."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as err:
        raise ShellError(f"{folder}: cannot open the CIB file's directory: {err.strerror}") from None
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as err:
                if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise ShellError(f"{folder}: cannot lock: {err.strerror}") from None
                if time.monotonic() > deadline:
                    raise ShellError(f"{path}: another process has been committing to this CIB "
                                     f"for {LOCK_TIMEOUT:.0f} s; try again") from None
                time.sleep(0.01)
        yield
    finally:
        os.close(fd)  # closing drops the lock


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())
