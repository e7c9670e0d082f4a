"""The staged CIB: the document `configure` edits, and the commit that turns edits into a patch.

The loaded document is edited in place; the configuration as loaded is copied once, on the
first change, so a session that only looks (show, verify) never copies a large CIB. A commit
is a v2 patchset from that base to the staged configuration, applied to the CIB as it is now:
if the CIB's epoch moved since it was loaded, someone else changed the configuration and the
commit is refused (naming what they changed) unless forced.
"""

from __future__ import annotations

import copy
import getpass
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from crmshell.errors import ShellError
from crmshell.staging import objects as obj
from crmshell.staging.objects import ObjectIndex

if TYPE_CHECKING:
    from crmshell.cibsource import CibSource


@dataclass
class CommitResult:
    committed: bool
    message: str
    epoch: int | None = None
    patch: object = None


@dataclass
class _FileStamp:
    mtime_ns: int
    size: int


def _stamp(source) -> _FileStamp | None:
    path = getattr(source, "path", None)
    try:
        st = os.stat(path) if path is not None else None
    except OSError:
        return None
    return _FileStamp(st.st_mtime_ns, st.st_size) if st else None


@dataclass
class StagedCib:
    source: "CibSource"
    doc: object = None
    changed: dict[str, None] = field(default_factory=dict)  # ids changed since load, in order
    _base_config: object = None
    _ids: object = None
    _index: ObjectIndex | None = None
    _stamp: _FileStamp | None = None
    # Lists the OCF providers of an agent type, so a bare `Dummy` resolves as crmsh resolves it.
    providers: object = None

    def __post_init__(self) -> None:
        self.reload()

    # -- state -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Start again from the CIB as it is now (refresh; after a commit)."""
        self._stamp = _stamp(self.source)
        self._adopt(self.source.load())

    def _adopt(self, doc) -> None:
        from daemon.cib.versions import read_version

        self.doc = doc
        self.base_version = read_version(doc)
        self._base_attrs = dict(doc.attrib)
        self._base_config = None
        self._ids = None
        self._index = None
        self.changed = {}

    @property
    def configuration(self):
        conf = self.doc.find("configuration")
        if conf is None:  # the loader guarantees one; keep a clear message if it ever does not
            raise ShellError("the CIB has no <configuration> element")
        return conf

    @property
    def base_configuration(self):
        return self._base_config if self._base_config is not None else self.configuration

    @property
    def ids(self):
        if self._ids is None:
            from daemon.cib.ids import IdAllocator

            self._ids = IdAllocator.from_tree(self.configuration)
        return self._ids

    @property
    def index(self) -> ObjectIndex:
        if self._index is None:
            self._index = ObjectIndex(self.configuration)
        return self._index

    def forget_ids(self) -> None:
        """The configuration was swapped wholesale: rebuild ids and the index on next use."""
        self._ids = None
        self._index = None

    def discard_base(self) -> None:
        self._base_config = None

    def has_changes(self) -> bool:
        return self._base_config is not None

    def begin_change(self) -> None:
        """Call before any edit: keeps the configuration as loaded for the patch and `show changed`."""
        if self._base_config is None:
            self._base_config = copy.deepcopy(self.configuration)
        self._index = None

    def mark_changed(self, ids: Iterable[str]) -> None:
        for oid in ids:
            self.changed[oid] = None
        self._index = None

    def find(self, oid: str):
        return self.index.find(oid)

    def require(self, oid: str):
        elem = self.find(oid)
        if elem is None:
            raise ShellError(f"object {oid} does not exist")
        return elem

    # -- committing ------------------------------------------------------------------------
    def commit(self, *, force: bool = False) -> CommitResult:
        from daemon.cib.patchset import apply_patchset, changed_objects, make_patchset
        from daemon.cib.versions import CibVersion, read_version, stamp_update, write_version

        if not self.has_changes():
            return CommitResult(False, "nothing to commit")
        staged_config = self.configuration
        fast = self._stamp is not None and self._stamp == _stamp(self.source)
        current = self.doc if fast else self.source.load()
        now = read_version(current)
        moved = (now.admin_epoch, now.epoch) != (self.base_version.admin_epoch, self.base_version.epoch)
        if moved and not force:
            theirs = make_patchset(_shell(self._base_attrs, self.base_version, self.base_configuration),
                                   _shell(current.attrib, now, current.find("configuration")))
            names = sorted({oid for tag, oid in changed_objects(theirs) if tag in _OBJECT_TAGS})
            raise ShellError(
                f"the CIB changed since it was loaded (epoch {self.base_version.epoch} -> "
                f"{now.epoch}); objects changed meanwhile: {', '.join(names) or 'none'}. "
                "Use 'commit force' to overwrite them, or 'refresh' to start from the current CIB")
        target = CibVersion(now.admin_epoch, max(now.epoch, self.base_version.epoch) + 1, 0)
        patch = make_patchset(_shell(current.attrib, now, self.base_configuration),
                              _shell(current.attrib, target, staged_config))
        if fast:
            result = self.doc
            saved_version = dict(result.attrib)
            write_version(result, target)
        elif moved:  # forced over a concurrent change: ours wins wholesale
            result = current
            result.replace(result.find("configuration"), copy.deepcopy(staged_config))
            write_version(result, target)
        else:
            result = apply_patchset(current, patch)
        saved = saved_version if fast else dict(result.attrib)
        stamp_update(result, when=time.time(), client="crmshell", user=_user())
        try:
            self.source.store(result)
        except BaseException:
            if result is self.doc:  # the staged document stays as it was, ready for a retry
                result.attrib.clear()
                result.attrib.update(saved)
            raise
        self._stamp = _stamp(self.source)
        self._adopt(result)
        return CommitResult(True, f"committed (epoch {target.epoch})", target.epoch, patch)


_OBJECT_TAGS = frozenset({*obj.RESOURCE_KINDS, *obj.CONSTRAINT_KINDS, *obj.ACL_KINDS, "node",
                          "cluster_property_set", "meta_attributes", "tag", "alert"})


def _shell(attrs, version, configuration):
    """A <cib> with the document's attributes, a version and a configuration: what a
    configuration patch compares (a v2 patch carries the whole attribute set of <cib>)."""
    from lxml import etree

    from daemon.cib.versions import write_version

    root = etree.Element("cib", dict(attrs))
    write_version(root, version)
    root.append(copy.deepcopy(configuration))
    return root


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())
