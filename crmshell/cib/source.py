"""The CIB source interface and its one "changed meanwhile" error.

Kept free of lxml and of the shell's UI so that any layer (levels, staging, simulate) can
type against it without pulling the rest in, which is what used to make import cycles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from crmshell.errors import ShellError

if TYPE_CHECKING:
    from lxml.etree import _Element

    from daemon.cib.versions import CibVersion


@dataclass
class Loaded:
    """A whole `<cib>` and the version it was read at (the base of a later commit)."""

    root: "_Element"
    version: "CibVersion"


@dataclass
class Committed:
    """What a commit produced: the new version, and the document when the source already
    holds it (a file written from our own tree), so the caller need not read it back."""

    version: "CibVersion"
    root: "_Element | None" = None


class ChangedMeanwhile(ShellError):
    """Someone else changed the configuration since it was loaded: nothing was written.

    crmsh refuses with "CIB changed in the meantime: won't touch it!"; we say the same, then
    which objects changed and the two ways on (refresh, or commit force).
    """

    def __init__(self, base, current, changed: list[str] | None) -> None:
        """`changed` is None when the owner of the CIB no longer knows what changed."""
        self.base, self.current = base, current
        self.changed = None if changed is None else sorted(changed)
        epochs = f" (epoch {base.epoch} -> {current.epoch})" if base and current else ""
        names = "unknown" if self.changed is None else (", ".join(self.changed) or "none")
        super().__init__(
            f"CIB changed in the meantime: won't touch it!{epochs}; objects changed "
            f"meanwhile: {names}. Use 'refresh' to start from the current CIB, or "
            "'commit force' to overwrite them")


class CibSource(Protocol):
    label: str  # what the prompt shows: live, the shadow name, or the file name
    live: bool  # True for the running cluster (status, cleanup and waits go to crmshelld)

    def load(self) -> Loaded: ...

    def commit(self, base: "CibVersion", patch: "_Element", *, new_root: "_Element | None" = None,
               force: bool = False) -> Committed: ...

    def replace(self, root: "_Element") -> None: ...  # the whole document (shadow copies)

    def wait(self, timeout: float | None = None) -> None: ...
