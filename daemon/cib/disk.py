"""The CIB a node keeps on disk: `cib.xml` with its digest, and numbered backups.

The layout is Pacemaker's (based keeps `cib.xml`, `cib.xml.sig`, `cib-N.raw` with their
`.sig` and the last number in `cib.last`), with a sha256 digest of the file's bytes. Before a
new version is written, the current one is kept as the next backup (a hard link, so it
costs nothing), and only the newest `keep` backups stay. Every file is written through
persist.write_file_atomically, so a crash leaves either version, never a part; a crash
between the document and its digest leaves a mismatch, which loading reports and survives
by taking the newest good backup, i.e. the version before.

Loading never turns stored files into an empty CIB: a missing state (no file at all) is a
fresh cluster and says so; files that are all bad raise CibCorrupt naming each one.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from daemon.cib.document import empty_cib, parse_cib, serialize_cib
from daemon.cib.errors import CibCorrupt, CibError, CibParseError
from daemon.cib.persist import write_file_atomically
from daemon.cib.schema import validate

CIB_FILE = "cib.xml"
COUNTER_FILE = "cib.last"
DIR_MODE = 0o750
KEEP = 10
_BACKUP = re.compile(r"cib-(\d+)\.raw")


@dataclass
class Loaded:
    """The CIB loaded, where from (None: a fresh empty one), and what was wrong on the way."""

    root: etree._Element
    source_path: Path | None
    problems: list[str] = field(default_factory=list)

    @property
    def fresh(self) -> bool:
        return self.source_path is None

    def summary(self) -> str:
        if self.fresh:
            return "no CIB stored yet: starting with an empty one"
        return f"loaded {self.source_path}" + (f" ({len(self.problems)} problem(s) on the way)"
                                               if self.problems else "")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class CibDisk:
    """A node's CIB files in `state_dir` (made 0750 when absent)."""

    def __init__(self, state_dir: str | os.PathLike[str], *, keep: int = KEEP) -> None:
        if keep < 1:
            raise ValueError("keep: at least one backup is kept")
        self.dir = Path(state_dir)
        self.keep = keep

    @property
    def cib_path(self) -> Path:
        return self.dir / CIB_FILE

    def backups(self) -> list[tuple[int, Path]]:
        """The backups there are, newest first."""
        try:
            names = os.listdir(self.dir)
        except FileNotFoundError:
            return []
        except OSError as err:
            raise CibError(f"{self.dir}: cannot list: {err.strerror}") from None
        found = [(int(m.group(1)), self.dir / name) for name in names if (m := _BACKUP.fullmatch(name))]
        return sorted(found, reverse=True)

    def save(self, root: etree._Element) -> Path:
        """Keep the current file as the next backup, then write `root` and its digest."""
        return self.save_bytes(serialize_cib(root))

    def save_bytes(self, data: bytes) -> Path:
        """`save` of a CIB already serialised (the daemon serialises on its event loop and
        writes from a thread, so the live document is never read while it changes)."""
        self._make_dir()
        if self.cib_path.exists():
            number = self._next_number()
            backup = self.dir / f"cib-{number}.raw"
            self._keep_copy(self.cib_path, backup)
            self._keep_copy(_sig(self.cib_path), _sig(backup))
            write_file_atomically(self.dir / COUNTER_FILE, f"{number}\n".encode())
            self._prune(number)
        write_file_atomically(self.cib_path, data)
        write_file_atomically(_sig(self.cib_path), f"{digest(data)}\n".encode())
        return self.cib_path

    def load(self) -> Loaded:
        """The newest good CIB: cib.xml, else the newest good backup (see the module doc)."""
        candidates = [self.cib_path] + [path for _, path in self.backups()]
        traces = candidates + [_sig(self.cib_path), self.dir / COUNTER_FILE]
        if not any(p.exists() for p in traces):
            return Loaded(empty_cib(), None)
        faults: list[tuple[str, str]] = []
        for path in candidates:
            root, fault, note = _check(path)
            if root is not None:
                return Loaded(root, path,
                              [f"{p}: {reason}" for p, reason in faults] + ([note] if note else []))
            faults.append((str(path), fault))
        raise CibCorrupt(faults)

    # ---- helpers ------------------------------------------------------------------------------

    def _make_dir(self) -> None:
        try:
            self.dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
            os.chmod(self.dir, DIR_MODE)
        except OSError as err:
            raise CibError(f"{self.dir}: cannot make the state directory: {err.strerror}") from None

    def _next_number(self) -> int:
        last = -1
        try:
            text = (self.dir / COUNTER_FILE).read_text().strip()
            last = int(text) if text.isdigit() else -1
        except (OSError, UnicodeDecodeError):
            pass
        newest = self.backups()
        return max(last, newest[0][0] if newest else -1) + 1

    def _keep_copy(self, source: Path, backup: Path) -> None:
        if not source.exists():
            return
        try:
            backup.unlink(missing_ok=True)
            os.link(source, backup)
        except OSError:
            try:
                write_file_atomically(backup, source.read_bytes())
            except OSError as err:
                raise CibError(f"{backup}: cannot keep a backup: {err.strerror}") from None

    def _prune(self, newest: int) -> None:
        for number, path in self.backups():
            if number <= newest - self.keep:
                for old in (path, _sig(path)):
                    try:
                        old.unlink(missing_ok=True)
                    except OSError as err:
                        raise CibError(f"{old}: cannot remove an old backup: {err.strerror}") from None


def _sig(path: Path) -> Path:
    return path.with_name(path.name + ".sig")


def _check(path: Path) -> tuple[etree._Element | None, str, str]:
    """(document, "", note) for a good file; (None, fault, "") for a bad one."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, "missing", ""
    except OSError as err:
        return None, f"cannot read: {err.strerror}", ""
    note = ""
    try:
        stored = _sig(path).read_text().strip()
    except FileNotFoundError:
        stored = None
        note = f"{path}: no digest file {_sig(path).name}; the document was checked, not its digest"
    except (OSError, UnicodeDecodeError) as err:
        return None, f"cannot read its digest file: {getattr(err, 'strerror', None) or err}", ""
    if stored is not None and stored != digest(data):
        return None, (f"digest mismatch: {_sig(path).name} says {stored[:16]}..., the file has "
                      f"{digest(data)[:16]}... (damaged, or a write was interrupted)"), ""
    try:
        root = parse_cib(data, source=str(path))
    except CibParseError as err:
        return None, f"not a CIB: {err}", ""
    problems = validate(root)
    if problems:
        return None, f"invalid: {problems[0]}" + (f" (and {len(problems) - 1} more)"
                                                  if len(problems) > 1 else ""), ""
    return root, "", note
