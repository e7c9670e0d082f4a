"""What completion may look at: the staged CIB's objects, agents, nodes, shadows, files.

`CompletionEnv` is the interface the matchers read; `ContextEnv` serves it from a
`ShellContext` (the REPL and the bash entry point), `StaticEnv` (static_env.py) from plain lists (tests). Both
load only what a question needs: listing agents never reads the CIB, and a command name never
touches either. Object lists are rebuilt only when the staged CIB's index changes, so a Tab on
a CIB of 10,000 resources filters a ready list.
"""

from __future__ import annotations

import _thread
import os
from typing import TYPE_CHECKING, NamedTuple, Protocol, Sequence

if TYPE_CHECKING:
    from crmshell.agents import AgentCatalog
    from crmshell.completion.grammar_table import TableParser
    from crmshell.ui.context import ShellContext
    from crmshell.ui.level import Level


class ObjectRef(NamedTuple):
    """A configuration object as completion sees it: crmsh kind, id, for primitives and
    templates the agent (`class:provider:type`, or `@template`), and the id of the group,
    clone or bundle holding it."""

    kind: str
    id: str
    agent: str = ""
    container: str = ""


class CompletionEnv(Protocol):
    root: type["Level"]

    def grammar(self) -> "TableParser": ...

    def objects(self) -> Sequence[ObjectRef]: ...

    def nodes(self) -> Sequence[str]: ...

    def shadows(self) -> Sequence[str]: ...

    def catalog(self) -> "AgentCatalog | None": ...

    def list_dir(self, path: str) -> list[tuple[str, bool]]: ...


def list_dir(path: str) -> list[tuple[str, bool]]:
    """(name, is a directory) of the entries of `path` ('' is the working directory), sorted;
    [] when it cannot be read."""
    try:
        with os.scandir(os.path.expanduser(path) or ".") as it:
            entries = [(e.name, e.is_dir()) for e in it]
    except OSError:
        return []
    return sorted(entries)


def default_root():
    from crmshell.levels.root import RootLevel

    return RootLevel


class ContextEnv:
    """The environment of a running shell: its staged CIB, agent catalogue and shadow dir."""

    def __init__(self, ctx: "ShellContext", root: type | None = None) -> None:
        self.ctx = ctx
        self.root = root or default_root()
        self._grammar: "TableParser | None" = None
        self._index = None
        self._objects: list[ObjectRef] = []
        self._nodes: list[str] = []
        # Held while the object lists are built, and by the REPL while a command runs: the
        # background refresh never reads the tree while a command edits it.
        self.lock = _thread.RLock()

    def refresh_in_background(self, *, load: bool = False) -> None:
        """List the objects again in a thread (as pgcli refreshes its metadata) when the staged
        CIB changed, so the next Tab finds them ready: on 10,000 resources listing takes
        longer than a Tab may. With `load`, a CIB not loaded yet is loaded (the REPL's start,
        on a CIB file); otherwise nothing happens until a command has loaded it."""
        if self.ctx.staged_if_loaded is None and not load:
            return
        import threading

        threading.Thread(target=self._refresh, name="crmshell-completion-refresh",
                         daemon=True).start()

    def grammar(self) -> "TableParser":
        if self._grammar is None:
            from crmshell.completion.grammar_table import load_table

            self._grammar = load_table(self.ctx.env)
        return self._grammar

    def _refresh(self) -> None:
        with self.lock:
            try:
                staged = self.ctx.staged
                index = staged.index
            except Exception as err:  # noqa: BLE001 - a CIB that cannot be read has no ids to
                # offer; the command that needs it reports why (this may run in a background thread)
                from crmshell.errors import swallowed

                swallowed(err, "reading the CIB for the ids that complete")
                self._index, self._objects, self._nodes = None, [], []
                return
            if index is self._index:
                return
            self._objects = objects_of(index)
            self._nodes = node_names(staged.doc, index)
            self._index = index

    def objects(self) -> Sequence[ObjectRef]:
        self._refresh()
        return self._objects

    def nodes(self) -> Sequence[str]:
        self._refresh()
        return self._nodes

    def shadows(self) -> Sequence[str]:
        from crmshell.cib.shadow import shadow_dir

        folder = shadow_dir(self.ctx.env)
        return sorted(name[len("shadow."):] for name, is_dir in list_dir(str(folder))
                      if name.startswith("shadow.") and not is_dir)

    def catalog(self) -> "AgentCatalog | None":
        return self.ctx.catalog

    def list_dir(self, path: str) -> list[tuple[str, bool]]:
        return list_dir(path)


def objects_of(index) -> list[ObjectRef]:
    """ObjectRefs of a staged CIB's object index, sorted by id."""
    from crmshell.staging.objects import container_of, object_kind

    refs: list[ObjectRef] = []
    for oid, elem in index.by_id.items():
        kind = object_kind(elem)
        if kind is None:
            continue
        agent = ""
        if elem.tag in ("primitive", "template"):
            tmpl = elem.get("template")
            if tmpl:
                agent = "@" + tmpl
            else:
                cls, prov = elem.get("class", ""), elem.get("provider")
                agent = f"{cls}:{prov}:{elem.get('type', '')}" if prov else \
                    f"{cls}:{elem.get('type', '')}"
        parent = container_of(elem)
        refs.append(ObjectRef(kind, oid, agent, "" if parent is None else parent.get("id", "")))
    seen: set[int] = set()
    for elem in index.nodes.values():
        if id(elem) not in seen:
            seen.add(id(elem))
            refs.append(ObjectRef("node", elem.get("uname") or elem.get("id", "")))
    refs.sort(key=lambda r: r.id)
    return refs


def node_names(doc, index) -> list[str]:
    """Node names from the configuration and from the status section."""
    names = {elem.get("uname") or elem.get("id", "") for elem in index.nodes.values()}
    if doc is not None:
        status = doc.find("status")
        if status is not None:
            names.update(s.get("uname") for s in status.iterfind("node_state") if s.get("uname"))
    names.discard("")
    return sorted(names)
