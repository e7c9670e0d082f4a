"""Which elements of two CIBs match, changed, moved, appeared or went: Pacemaker's rules.

This follows what Pacemaker 2.1 does when it tracks changes between two documents, so that
our patchsets read like its own:

* children match by tag and id; a comment matches a comment with the same text standing
  at the same place (counting the old siblings that stay);
* attributes are compared in order, and an attribute that only moved is listed as set;
* a matched child counts as moved when the number of siblings before it differs between
  the two documents, counting only siblings not already explained by a move, a creation or
  a deletion; positions are indexes among all children (elements and comments);
* the deletions come first, in the old document's order, then, walking the new document,
  each element's modification, its children's changes and its own move.

Two deviations keep the result correct where Pacemaker's format cannot say the change:
an element whose children cannot all be named by a path (see `_names_clash`), whose text
changed, or whose moved comment is not the only one, is deleted and created again as a
whole (by its parent; at the root that is an error); and comments compare case-sensitively.
Unchanged subtrees are recognised by their serialisation, which keeps the work close to
linear in the size of what changed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from lxml import etree

from daemon.cib.errors import PatchError
from daemon.cib.paths import id_predicate

_Node = etree._Element


@dataclass
class Modify:
    path: str
    change_list: list[tuple[str, str | None]]  # (name, new value or None for unset)
    tag: str
    attributes: list[tuple[str, str]]

    def render(self, patch: _Node) -> None:
        change = etree.SubElement(patch, "change", operation="modify", path=self.path)
        listing = etree.SubElement(change, "change-list")
        for name, value in self.change_list:
            if value is None:
                etree.SubElement(listing, "change-attr", name=name, operation="unset")
            else:
                etree.SubElement(listing, "change-attr", name=name, operation="set", value=value)
        result = etree.SubElement(etree.SubElement(change, "change-result"), self.tag)
        for name, value in self.attributes:
            result.set(name, value)


@dataclass
class Create:
    path: str
    position: int
    node: _Node

    def render(self, patch: _Node) -> None:
        change = etree.SubElement(
            patch, "change", operation="create", path=self.path, position=str(self.position)
        )
        created = copy.deepcopy(self.node)
        created.tail = None
        change.append(created)


@dataclass
class Move:
    path: str
    position: int

    def render(self, patch: _Node) -> None:
        etree.SubElement(
            patch, "change", operation="move", path=self.path, position=str(self.position)
        )


@dataclass
class DiffResult:
    deletes: list[tuple[str, int | None]] = field(default_factory=list)
    changes: list[Modify | Create | Move] = field(default_factory=list)


class _Unaddressable(Exception):
    """Raised out of the comparison of an element that must be replaced as a whole."""


def compute_diff(old: _Node, new: _Node) -> DiffResult:
    """Compare two documents (same root tag) and list the changes in Pacemaker's order."""
    marks = _Marks()
    root_path = "/" + old.tag
    try:
        marks.compare(old, new, root_path)
    except _Unaddressable as why:
        raise PatchError(f"cannot express this change in a v2 patchset: {why}", root_path) from None
    result = DiffResult(deletes=marks.deletes)
    _emit(new, root_path, marks, result.changes)
    return result


def _serialised(node: _Node) -> bytes:
    return etree.tostring(node, with_tail=False)


def _is_comment(node: _Node) -> bool:
    return node.tag is etree.Comment


def _step(node: _Node) -> str:
    if _is_comment(node):
        return "comment"
    elem_id = node.get("id")
    return node.tag if elem_id is None else node.tag + id_predicate(elem_id)


def _kind_check(nodes: list[_Node], where: str) -> None:
    for node in nodes:
        if not isinstance(node.tag, str) and not _is_comment(node):
            raise PatchError("processing instructions and entities are not supported", where)


def _names_clash(children: list[_Node]) -> str | None:
    """Why a path could not name every element among these siblings (None if it can).

    Pacemaker resolves `tag[@id='x']` to the first child with that tag and id, and a bare
    `tag` to the first child with that tag, whatever its id; its path parser also stops at
    quotes and slashes. So each id must be unique per tag, an element without id must be
    the only one of its tag, and ids must not hold `'` or `/`.
    """
    seen: set[tuple[str, str | None]] = set()
    tags: dict[str, int] = {}
    idless: list[str] = []
    for child in children:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        elem_id = child.get("id")
        if tag == "comment":
            return "an element is named 'comment'"
        if elem_id is None:
            idless.append(tag)
        elif "'" in elem_id or "/" in elem_id:
            return f"the id {elem_id!r} holds a quote or a slash"
        key = (tag, elem_id)
        if key in seen:
            return f"two <{tag}> siblings share the id {elem_id!r}" if elem_id else f"two <{tag}> siblings have no id"
        seen.add(key)
        tags[tag] = tags.get(tag, 0) + 1
    for tag in idless:
        if tags[tag] > 1:
            return f"a <{tag}> without id has <{tag}> siblings"
    return None


class _SkipCounter:
    """Counts marked positions before an index (a Fenwick tree over sibling indexes)."""

    def __init__(self, size: int) -> None:
        self._tree = [0] * (size + 1)

    def mark(self, index: int) -> None:
        i = index + 1
        while i < len(self._tree):
            self._tree[i] += 1
            i += i & -i

    def before(self, index: int) -> int:
        total, i = 0, index
        while i > 0:
            total += self._tree[i]
            i -= i & -i
        return total


class _Marks:
    """What the comparison found, keyed by the nodes of the new document."""

    def __init__(self) -> None:
        self.deletes: list[tuple[str, int | None]] = []
        self.created: set[_Node] = set()
        self.moved: set[_Node] = set()
        self.unchanged: set[_Node] = set()
        self.modified: dict[_Node, Modify] = {}

    def compare(self, old: _Node, new: _Node, path: str) -> None:
        """Mark the changes between two matched elements (both at `path`)."""
        if (old.text or "").strip() != (new.text or "").strip():
            raise _Unaddressable(f"the text of {path} changed")
        self._compare_attributes(old, new, path)
        old_children, new_children = list(old), list(new)
        _kind_check(old_children, path)
        _kind_check(new_children, path)
        clash = _names_clash(old_children) or _names_clash(new_children)
        if clash is not None:
            if len(old_children) == len(new_children) and all(
                _serialised(a) == _serialised(b) for a, b in zip(old_children, new_children)
            ):
                self.unchanged.update(new_children)
                return
            raise _Unaddressable(f"under {path}, {clash}")
        self._compare_children(old_children, new_children, path)

    def _compare_attributes(self, old: _Node, new: _Node, path: str) -> None:
        old_items, new_items = list(old.attrib.items()), list(new.attrib.items())
        if old_items == new_items:
            return
        old_values, new_values = dict(old_items), dict(new_items)
        old_names, new_names = [n for n, _ in old_items], [n for n, _ in new_items]
        dirty = {name for name in new_names if name not in old_values}
        old_skip: set[str] = set()
        new_skip: set[str] = set()
        for name in old_names:
            if name not in new_values:
                continue
            if old_values[name] != new_values[name]:
                dirty.add(name)
                continue
            old_pos = _position(old_names, name, old_skip)
            new_pos = _position(new_names, name, new_skip)
            if old_pos != new_pos:
                dirty.add(name)
                (old_skip if old_pos > new_pos else new_skip).add(name)
        change_list: list[tuple[str, str | None]] = [
            (name, new_values[name]) for name in new_names if name in dirty
        ]
        change_list += [(name, None) for name in old_names if name not in new_values]
        self.modified[new] = Modify(path, change_list, new.tag, new_items)

    def _compare_children(self, old_children: list[_Node], new_children: list[_Node], path: str) -> None:
        new_by_key = {(c.tag, c.get("id")): c for c in new_children if not _is_comment(c)}
        pairs: dict[_Node, _Node] = {}  # new child -> old child
        old_index: dict[_Node, int] = {}
        replaced: set[_Node] = set()
        deleted = _SkipCounter(len(old_children))
        deletes_before = 0
        for index, child in enumerate(old_children):
            old_index[child] = index
            slot = index - deletes_before  # the child's place among the old siblings that stay
            if _is_comment(child):
                partner = new_children[slot] if slot < len(new_children) else None
                if partner is not None and not (_is_comment(partner) and partner.text == child.text):
                    partner = None
            else:
                partner = new_by_key.get((child.tag, child.get("id")))
            if partner is not None and self._compare_pair(child, partner, path):
                pairs[partner] = child
                continue
            if partner is not None:
                replaced.add(partner)
            self.deletes.append((f"{path}/{_step(child)}", slot if _is_comment(child) else None))
            deleted.mark(index)
            deletes_before += 1
        self._mark_moves(old_children, new_children, pairs, old_index, deleted, path)

    def _compare_pair(self, old: _Node, new: _Node, parent_path: str) -> bool:
        """Compare a matched pair; False when it must be replaced as a whole instead."""
        if _serialised(old) == _serialised(new):
            self.unchanged.add(new)
            return True
        if _is_comment(old):
            return True
        mark = len(self.deletes)
        try:
            self.compare(old, new, f"{parent_path}/{_step(new)}")
        except _Unaddressable:
            del self.deletes[mark:]
            return False
        return True

    def _mark_moves(
        self,
        old_children: list[_Node],
        new_children: list[_Node],
        pairs: dict[_Node, _Node],
        old_index: dict[_Node, int],
        skipped_old: _SkipCounter,
        path: str,
    ) -> None:
        kept_new = 0  # new siblings seen so far that count for positions
        moved_comment = False
        for child in new_children:
            partner = pairs.get(child)
            if partner is None:
                self.created.add(child)
                continue
            index = old_index[partner]
            old_pos = index - skipped_old.before(index)
            if old_pos == kept_new:
                kept_new += 1
                continue
            self.moved.add(child)
            moved_comment = moved_comment or _is_comment(child)
            if old_pos > kept_new:
                skipped_old.mark(index)
                kept_new += 1
        if moved_comment and sum(1 for c in old_children if _is_comment(c)) > 1:
            raise _Unaddressable(f"a comment under {path} moved among others")


def _position(names: list[str], name: str, skip: set[str]) -> int:
    position = 0
    for other in names:
        if other == name:
            return position
        if other not in skip:
            position += 1
    return position


def _emit(node: _Node, path: str, marks: _Marks, out: list[Modify | Create | Move]) -> None:
    """Walk the new document and list modifications, creations and moves in order."""
    modify = marks.modified.get(node)
    if modify is not None:
        out.append(modify)
    if node not in marks.unchanged:
        for position, child in enumerate(node):
            if child in marks.created:
                out.append(Create(path, position, child))
            else:
                _emit(child, f"{path}/{_step(child)}", marks, out)
    if node in marks.moved:
        parent = node.getparent()
        out.append(Move(path, parent.index(node) if parent is not None else 0))
