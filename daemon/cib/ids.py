"""The ids in use in a CIB configuration, and crmsh's way of making new ones.

crmsh derives every generated id from a base (`<rsc>-instance_attributes`, `<rsc>-monitor-30s`,
`cib-bootstrap-options-<name>`, ...): the base itself when it is free, otherwise the first free
`<base>-0`, `<base>-1`, ... Users see and script against these ids, so we make them the same way.

An id can be held more than once: Pacemaker lets a node and a resource share a name (node ids
are not XML IDs), and crmsh's store simply holds the name. `IdAllocator` therefore counts holders
and only frees an id when the last one lets go. Every operation is O(1) (amortised for `make`),
so a configuration of tens of thousands of objects costs nothing to keep track of.
"""

from __future__ import annotations

from typing import Iterable


class DuplicateIdError(ValueError):
    """`reserve` was asked for an id that is already in use."""

    def __init__(self, ident: str) -> None:
        super().__init__(f"id {ident!r} is already in use")
        self.ident = ident


# Elements whose `id` attribute names another element instead of defining an id.
_REFERENCE_TAGS = frozenset({"resource_ref", "obj_ref", "role_ref", "crmsh-ref"})
_REFERENCE_UNDER = {"role": frozenset({"acl_target", "acl_group"})}


def is_reference(elem) -> bool:
    """True for `<resource_ref id=...>` and the like: their id points elsewhere."""
    tag = elem.tag
    if tag in _REFERENCE_TAGS:
        return True
    parents = _REFERENCE_UNDER.get(tag)
    if parents is None:
        return False
    parent = elem.getparent()
    return parent is not None and parent.tag in parents


def defined_ids(elem) -> Iterable[str]:
    """The ids `elem` and its descendants define (references are not definitions)."""
    for node in elem.iter():
        if isinstance(node.tag, str):
            value = node.get("id")
            if value and not is_reference(node):
                yield value


_id_values = defined_ids


class IdAllocator:
    """The multiset of ids in use, with crmsh's generation rule."""

    __slots__ = ("_count", "_next")

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._count: dict[str, int] = {}
        # For a base whose plain form is taken: every `<base>-<n>` with n below this is taken
        # too, so the search for a free suffix starts here instead of at 0.
        self._next: dict[str, int] = {}
        for ident in ids:
            self.hold(ident)

    @classmethod
    def from_tree(cls, root) -> "IdAllocator":
        """Every id defined below (and on) `root`, usually a `<configuration>` element."""
        return cls(_id_values(root))

    def __contains__(self, ident: object) -> bool:
        return ident in self._count

    def __len__(self) -> int:
        return len(self._count)

    def __iter__(self):
        return iter(self._count)

    def holders(self, ident: str) -> int:
        return self._count.get(ident, 0)

    def reserve(self, ident: str) -> str:
        """Take an id that must be free; raises DuplicateIdError if it is not."""
        if ident in self._count:
            raise DuplicateIdError(ident)
        self._count[ident] = 1
        return ident

    def hold(self, ident: str) -> None:
        """Take an id whether or not it is already held (a node and a resource sharing a name)."""
        self._count[ident] = self._count.get(ident, 0) + 1

    def release(self, ident: str) -> None:
        """Let go of one hold on `ident`; unknown ids are ignored (releasing is idempotent)."""
        count = self._count.get(ident)
        if count is None:
            return
        if count > 1:
            self._count[ident] = count - 1
            return
        del self._count[ident]
        base, sep, suffix = ident.rpartition("-")
        if sep and suffix.isdigit() and base in self._next:
            number = int(suffix)
            if str(number) == suffix and number < self._next[base]:
                self._next[base] = number

    def release_tree(self, elem) -> None:
        """Release the id of `elem` and of every element below it."""
        for ident in _id_values(elem):
            self.release(ident)

    def hold_tree(self, elem) -> None:
        for ident in _id_values(elem):
            self.hold(ident)

    def make(self, base: str) -> str:
        """A new id from `base`, reserved: `base` if free, else the first free `base-N`.

        (crmsh stops looking after `base-98` and hands out a duplicate; we keep counting.)
        """
        if base not in self._count:
            self._count[base] = 1
            return base
        number = self._next.get(base, 0)
        while f"{base}-{number}" in self._count:
            number += 1
        ident = f"{base}-{number}"
        self._count[ident] = 1
        self._next[base] = number + 1
        return ident
