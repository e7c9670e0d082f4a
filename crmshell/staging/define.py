"""Definitions into the staged CIB: typed statements, and whole texts (edit, filter, load).

Single definitions go straight through the language's `place` (which checks before it
touches anything). Texts that replace a selection of objects (edit, filter, load push) follow
crmsh's set update: objects that disappeared from the text are deleted, new ones created,
the rest replaced in place; either all of it happens or none (the configuration is restored
on any refusal).
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterable

from crmshell.errors import ShellError
from crmshell.staging import objects as obj

if TYPE_CHECKING:
    from crmshell.staging.staged import StagedCib

Log = Callable[[str], None] | None


def define(staged: "StagedCib", statements: Iterable, *, log: Log = None) -> None:
    """`configure primitive ...` and friends: create (or merge, for nodes and property sets)."""
    from crmshell.lang.errors import DefinitionError
    from crmshell.lang.place import define as place_statement

    for stmt in statements:
        staged.begin_change()
        try:
            changed = place_statement(staged.doc, stmt, staged.ids, mode="create",
                                      providers=staged.providers)
        except DefinitionError as err:
            raise ShellError(str(err)) from None
        staged.mark_changed(changed)


@contextmanager
def all_or_nothing(staged: "StagedCib"):
    """Restore the configuration (and its ids) if the block raises."""
    had_changes = staged.has_changes()
    before = copy.deepcopy(staged.configuration)
    changed = dict(staged.changed)
    try:
        yield
    except BaseException:
        staged.doc.replace(staged.configuration, before)
        staged.forget_ids()
        staged.changed = changed
        if not had_changes:
            staged.discard_base()
        raise


def _statements(text: str, source: str, as_xml: bool) -> list:
    from crmshell.lang.parser import parse_document

    if not as_xml:
        return parse_document(text, source=source)
    return parse_document(_xml_as_statements(text, source), source=source)


def _xml_as_statements(text: str, source: str) -> str:
    """An XML document (a <cib>, a <configuration> or objects) as `xml <...>` statements."""
    from lxml import etree

    try:
        root = etree.fromstring(text.encode(), etree.XMLParser(remove_blank_text=True, huge_tree=True))
    except etree.XMLSyntaxError as err:
        line, column = err.position if err.position else (1, 1)
        raise ShellError(f"{source}:{line}:{column}: not well-formed XML: {err.msg}") from None
    conf = root.find("configuration") if root.tag == "cib" else root
    if conf.tag == "configuration":
        elems = [e for e in obj.iter_objects(conf) if obj.container_of(e) is None]
        elems = [e.getparent() if e.tag == "meta_attributes" else e for e in elems]
    else:
        elems = [root]
    lines = []
    for elem in dict.fromkeys(elems):
        xml = etree.tostring(elem, encoding="unicode", with_tail=False)
        lines.append("xml " + " ".join(xml.split("\n")))
    return "\n".join(lines) + "\n"


def update_selection(staged: "StagedCib", chosen: list, text: str, *, source: str,
                     as_xml: bool = False, remove: bool = True, method: str = "replace",
                     log: Log = None) -> None:
    """Make the `chosen` objects be what `text` says (crmsh's edit/filter set update)."""
    from crmshell.lang.errors import DefinitionError
    from crmshell.lang.place import define as place_statement
    from crmshell.lang.place import processing_order
    from crmshell.staging.delete import delete

    stmts = _statements(text, source, as_xml)
    existing = {_key_of_elem(e): e for e in chosen}
    chosen_ids = {id(e) for e in chosen}
    locked = {_key_of_elem(e) for e in obj.iter_objects(staged.configuration)
              if id(e) not in chosen_ids}
    incoming: dict[tuple[str, str], object] = {}
    for stmt in stmts:
        key = _key_of_stmt(stmt)
        if key is not None:
            incoming.setdefault(key, stmt)
    clash = [k[1] for k in incoming if k in locked and k not in existing]
    if clash:
        raise ShellError(f"{', '.join(sorted(clash))}: already defined outside the objects being "
                         "edited; select them too or use other ids")
    gone = [k for k in existing if k not in incoming] if remove else []
    with all_or_nothing(staged):
        staged.begin_change()
        try:
            first = [existing[k] for k in gone if existing[k].tag in obj.CONSTRAINT_KINDS]
            first += [existing[k] for k in gone if existing[k].tag in obj.CONTAINER_TAGS]
            if first:
                delete(staged, [obj.object_id(e) for e in first], log=log)
            creates = [s for s in stmts if _key_of_stmt(s) not in existing]
            # Updates go in the order the objects were selected, as crmsh applies them: a
            # member moving between two edited containers must leave the first one edited.
            rank = {k: i for i, k in enumerate(existing)}
            updates = sorted((s for s in stmts if _key_of_stmt(s) in existing),
                             key=lambda s: rank[_key_of_stmt(s)])
            for stmt in processing_order(creates):
                staged.mark_changed(place_statement(staged.doc, stmt, staged.ids, mode="create",
                                                    providers=staged.providers))
            for stmt in updates:
                mode = "update"
                if method == "replace" and stmt.kind in ("property", "rsc_defaults", "op_defaults"):
                    _drop_set(staged, stmt.id)
                    mode = "create"
                staged.mark_changed(place_statement(staged.doc, stmt, _HoldReleased(staged.ids),
                                                    mode=mode, providers=staged.providers))
            rest = [obj.object_id(existing[k]) for k in gone
                    if existing[k].tag not in obj.CONSTRAINT_KINDS
                    and existing[k].tag not in obj.CONTAINER_TAGS]
            present = [r for r in rest if staged.find(r) is not None]
            if present:
                delete(staged, list(reversed(present)), log=log)
        except DefinitionError as err:
            raise ShellError(str(err)) from None


class _HoldReleased:
    """The staged ids, except that replacing an object does not give its old ids back.

    crmsh keeps every id it has seen until the CIB is reloaded (after a commit), so an edit
    that drops an expression and a later one that adds it again yields `...-expression-1`, not
    `-0`. Generated ids are what the recorded configurations compare, so we do the same.
    """

    def __init__(self, ids) -> None:
        self._ids = ids

    def __getattr__(self, name):
        return getattr(self._ids, name)

    def __contains__(self, ident: object) -> bool:
        return ident in self._ids

    def release(self, ident: str) -> None:
        pass

    def release_tree(self, elem) -> None:
        pass


def _drop_set(staged: "StagedCib", set_id: str) -> None:
    elem = staged.find(set_id)
    if elem is not None:
        staged.ids.release_tree(elem)
        elem.getparent().remove(elem)


def _key_of_elem(elem) -> tuple[str, str]:
    return ("node" if elem.tag == "node" else "object", obj.object_id(elem))


def _key_of_stmt(stmt) -> tuple[str, str] | None:
    if stmt.kind == "monitor":
        return None
    ident = stmt.id or ("fencing_topology" if stmt.kind == "fencing_topology" else None)
    if ident is None:
        return None
    return ("node" if stmt.kind == "node" else "object", ident)


def load_text(staged: "StagedCib", text: str, *, method: str, source: str, as_xml: bool = False,
              log: Log = None) -> None:
    """`load replace|update|push`: a whole configuration file into the staged CIB."""
    from crmshell.lang.errors import DefinitionError
    from crmshell.lang.place import define_all
    from crmshell.staging.delete import erase

    if method == "push":
        update_selection(staged, list(obj.iter_objects(staged.configuration)), text,
                         source=source, as_xml=as_xml, remove=True, method="update", log=log)
        return
    stmts = _statements(text, source, as_xml)
    with all_or_nothing(staged):
        staged.begin_change()
        if method == "replace":
            erase(staged)
        try:
            ids = _HoldReleased(staged.ids) if method == "update" else staged.ids
            changed = define_all(staged.doc, stmts, ids,
                                 mode="update" if method == "update" else "create",
                                 providers=staged.providers)
        except DefinitionError as err:
            raise ShellError(str(err)) from None
        staged.mark_changed(changed)
