"""Applying a v2 patchset to a CIB, with the semantics of Pacemaker's own code.

Changes are taken in two rounds, as Pacemaker takes them. The first round, in the order of
the patch, deletes and modifies elements and finds the targets of creations and moves (a
moved element waits at the end of its parent). The second round, in the order of the
`position` values, inserts the created elements and puts the moved ones in place. Paths are
Pacemaker's simple form: `/tag` steps with an optional `[@id='ID']`, the first match
winning; a comment is `comment` and is found by its position.

Unlike Pacemaker, a path that does not resolve is always an error (Pacemaker skips a
delete whose target is gone), the result must carry the target version when versions are
checked, and the input document is never modified: the patch is applied to a copy.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from lxml import etree

from daemon.cib.errors import PatchError, VersionMismatch
from daemon.cib.versions import CibVersion, read_version

_Node = etree._Element

_STEP = re.compile(r"([^\[\]/]+)(?:\[@id='([^']*)'\])?")


def parse_path(path: str) -> list[tuple[str, str | None]]:
    """Split a patch path into (tag, id or None) steps; PatchError if it is not one."""
    if not path.startswith("/") or path == "/":
        raise PatchError("malformed path (it must start with /tag)", path)
    steps = []
    for text in path[1:].split("/"):
        match = _STEP.fullmatch(text)
        if match is None:
            raise PatchError(f"malformed path step {text!r}", path)
        steps.append((match.group(1), match.group(2)))
    return steps


def apply_patchset(root: _Node, patch: _Node, *, check_version: bool = True) -> _Node:
    """Apply a v2 patchset to a copy of `root` and return the copy; `root` is not touched.

    With `check_version`, the patch must state the version it was made from and it must
    be the document's version (VersionMismatch otherwise, naming both), its target must not
    be older, and the result must have the target version. Any change that does not fit
    raises PatchError naming its path.
    """
    if patch.tag != "diff" or patch.get("format") != "2":
        raise PatchError(
            f"not a v2 patchset (<{patch.tag} format={patch.get('format')!r}>); only format 2 is supported"
        )
    target_version = _check_versions(root, patch) if check_version else None
    work = copy.deepcopy(root)
    placements = _first_round(work, patch)
    _second_round(placements)
    if target_version is not None and read_version(work) != target_version:
        raise PatchError(
            f"the patched document is at version {read_version(work)}, "
            f"but the patch's target is {target_version}"
        )
    return work


def patch_versions(patch: etree._Element) -> tuple[CibVersion, CibVersion] | None:
    """The (source, target) versions a patchset states, or None when it has none."""
    version = patch.find("version")
    if version is None:
        return None
    source, target = version.find("source"), version.find("target")
    if source is None or target is None:
        raise PatchError("the patch's <version> needs both <source> and <target>")
    return (
        CibVersion.from_attributes(source, "diff/version/source"),
        CibVersion.from_attributes(target, "diff/version/target"),
    )


def _check_versions(root: _Node, patch: _Node) -> CibVersion:
    versions = patch_versions(patch)
    if versions is None:
        raise PatchError("the patch states no version; cannot check it against the document")
    source, target = versions
    current = read_version(root)
    if current != source:
        age = "older" if current < source else "newer"
        raise VersionMismatch(
            f"the patch was made for CIB version {source}, but the document is at "
            f"version {current} ({age})",
            document=current,
            source=source,
        )
    if target < source:
        raise VersionMismatch(
            f"the patch would take the CIB back from version {source} to {target}",
            document=current,
            source=source,
        )
    return target


@dataclass
class _Placement:
    """A creation or a move, done in the second round."""

    position: int
    order: int
    parent: _Node
    node: _Node
    is_move: bool
    path: str


class _Finder:
    """Resolves patch paths; each parent's children are indexed by (tag, id) and by tag,
    in document order, the first time a path goes through it, and kept up to date."""

    def __init__(self, root: _Node) -> None:
        self.root = root
        self._index: dict[_Node, dict[tuple[str, str | None], dict[_Node, None]]] = {}

    def removed(self, parent: _Node, node: _Node) -> None:
        index = self._index.get(parent)
        if index is None or not isinstance(node.tag, str):
            return
        for key in ((node.tag, node.get("id")), (node.tag, None)):
            members = index.get(key)
            if members is not None:
                members.pop(node, None)

    def appended(self, parent: _Node, node: _Node) -> None:
        index = self._index.get(parent)
        if index is not None and isinstance(node.tag, str):
            for key in ((node.tag, node.get("id")), (node.tag, None)):
                index.setdefault(key, {})[node] = None

    def forget(self, parent: _Node | None) -> None:
        """Drop a parent's index (after a change of a child's id); rebuilt when needed."""
        self._index.pop(parent, None)

    def find(self, path: str, position: int | None) -> _Node:
        steps = parse_path(path)
        tag, elem_id = steps[0]
        node = self.root
        if tag != node.tag or (elem_id is not None and node.get("id") != elem_id):
            raise PatchError("no such element (the root differs)", path)
        for number, (tag, elem_id) in enumerate(steps[1:], start=2):
            last = number == len(steps)
            found = self._child(node, tag, elem_id, position if last else None)
            if found is None:
                raise PatchError("no such element", path)
            node = found
        return node

    def _child(self, parent: _Node, tag: str, elem_id: str | None, position: int | None) -> _Node | None:
        if tag == "comment":
            for index, child in enumerate(parent):
                if child.tag is etree.Comment and (position is None or index == position):
                    return child
                if child.tag == "comment" and elem_id in (None, child.get("id")):
                    return child
            return None
        index = self._index.get(parent)
        if index is None:
            index = {}
            for child in parent:
                if isinstance(child.tag, str):
                    index.setdefault((child.tag, child.get("id")), {})[child] = None
                    index.setdefault((child.tag, None), {})[child] = None
            self._index[parent] = index
        members = index.get((tag, elem_id))
        return next(iter(members), None) if members else None


def _position_of(change: _Node, path: str, required: bool) -> int | None:
    text = change.get("position")
    if text is None:
        if required:
            raise PatchError(f"{change.get('operation')} without a position", path)
        return None
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise PatchError(f"position={text!r} is not a non-negative integer", path)
    return value


def _first_round(work: _Node, patch: _Node) -> list[_Placement]:
    finder = _Finder(work)
    placements: list[_Placement] = []
    for order, change in enumerate(patch.iterchildren("change")):
        operation = change.get("operation")
        path = change.get("path")
        if path is None:
            raise PatchError(f"a <change operation={operation!r}> has no path")
        if operation == "delete":
            node = finder.find(path, _position_of(change, path, required=False))
            parent = node.getparent()
            if parent is None:
                raise PatchError("cannot delete the root element", path)
            parent.remove(node)
            finder.removed(parent, node)
        elif operation == "modify":
            node = finder.find(path, None)
            old_id = node.get("id")
            _modify(node, change, path)
            if node.get("id") != old_id:
                finder.forget(node.getparent())
        elif operation == "create":
            position = _position_of(change, path, required=True)
            content = next((c for c in change if isinstance(c.tag, str) or c.tag is etree.Comment), None)
            if content is None:
                raise PatchError("create without an element to create", path)
            parent = finder.find(path, None)
            placements.append(_Placement(position, order, parent, content, False, path))
        elif operation == "move":
            position = _position_of(change, path, required=True)
            node = finder.find(path, None)
            parent = node.getparent()
            if parent is None:
                raise PatchError("cannot move the root element", path)
            finder.removed(parent, node)
            parent.append(node)  # waits at the end until the second round
            finder.appended(parent, node)
            placements.append(_Placement(position, order, parent, node, True, path))
        else:
            raise PatchError(f"unknown operation {operation!r}", path)
    return placements


def _modify(node: _Node, change: _Node, path: str) -> None:
    result = change.find("change-result")
    attributes = None if result is None else next((c for c in result if isinstance(c.tag, str)), None)
    if attributes is None:
        raise PatchError("modify without a <change-result> element", path)
    if not isinstance(node.tag, str):
        raise PatchError("cannot modify a comment", path)
    node.attrib.clear()
    for name, value in attributes.attrib.items():
        node.set(name, value)


def _second_round(placements: list[_Placement]) -> None:
    """Insert created elements and settle moved ones, by ascending position per parent."""
    placements.sort(key=lambda p: (p.position, p.order))
    by_parent: dict[_Node, list[_Placement]] = {}
    for placement in placements:
        by_parent.setdefault(placement.parent, []).append(placement)
    for parent, todo in by_parent.items():
        children = list(parent)
        for placement in todo:
            if placement.is_move:
                _settle_move(children, placement)
            else:
                created = copy.deepcopy(placement.node)
                created.tail = None
                children.insert(min(placement.position, len(children)), created)
        for child in children:
            parent.append(child)


def _settle_move(children: list[_Node], placement: _Placement) -> None:
    node, position = placement.node, placement.position
    current = _identity_index(children, node)
    if position != current:
        # Pacemaker's rule: the slot is counted with the moving node still in the list.
        slot = position + 1 if position > current else position
        del children[current]
        if slot < len(children) + 1:
            anchor = slot if slot <= current else slot - 1
            children.insert(anchor, node)
        else:
            children.append(node)
    if _identity_index(children, node) != position:
        raise PatchError(f"cannot move the element to position {position}", placement.path)


def _identity_index(children: list[_Node], node: _Node) -> int:
    try:
        return children.index(node)  # lxml nodes compare by identity
    except ValueError:
        raise PatchError("a moved element left its parent") from None
