"""The staged CIB: the document `configure` edits, and the commit that turns edits into a patch.

The loaded document is edited in place; the configuration as loaded is copied once, on the
first change, so a session that only looks (show, verify) never copies a large CIB. A commit
is a v2 patchset from that base to the staged configuration, applied to the CIB as it is now:
if the CIB's epoch moved since it was loaded, someone else changed the configuration and the
commit is refused (naming what they changed) unless forced.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from crmshell.errors import ShellError
from crmshell.staging.objects import ObjectIndex

if TYPE_CHECKING:
    from crmshell.cib.source import CibSource


@dataclass
class CommitResult:
    committed: bool
    message: str
    epoch: int | None = None
    patch: object = None


@dataclass
class StagedCib:
    source: "CibSource"
    doc: object = None
    changed: dict[str, None] = field(default_factory=dict)  # ids changed since load, in order
    _base_config: object = None
    _ids: object = None
    _index: ObjectIndex | None = None
    # Lists the OCF providers of an agent type, so a bare `Dummy` resolves as crmsh resolves it.
    providers: object = None

    def __post_init__(self) -> None:
        self.reload()

    # -- state -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Start again from the CIB as it is now (refresh; after a commit)."""
        loaded = self.source.load()
        self._adopt(loaded.root, loaded.version)

    def _adopt(self, doc, version) -> None:
        self.doc = doc
        self.base_version = version
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
        """Send the patch from the CIB as loaded to the staged one; the source checks that
        nobody changed the configuration meanwhile (ChangedMeanwhile otherwise)."""
        from daemon.cib.patchset import make_patchset
        from daemon.cib.versions import CibVersion

        if not self.has_changes():
            return CommitResult(False, "nothing to commit")
        base = self.base_version
        target = CibVersion(base.admin_epoch, base.epoch + 1, 0)
        patch = make_patchset(_shell(self._base_attrs, base, self.base_configuration),
                              _shell(self.doc.attrib, target, self.configuration))
        done = self.source.commit(base, patch, new_root=self.doc, force=force)
        if done.root is not None:
            self._adopt(done.root, done.version)
        else:
            self.reload()
        return CommitResult(True, f"committed (epoch {done.version.epoch})", done.version.epoch,
                            patch)


def _shell(attrs, version, configuration):
    """A <cib> with the document's attributes, a version and a configuration: what a
    configuration patch compares (a v2 patch carries the whole attribute set of <cib>)."""
    from lxml import etree

    from daemon.cib.versions import write_version

    root = etree.Element("cib", dict(attrs))
    write_version(root, version)
    root.append(copy.deepcopy(configuration))
    return root
