"""An environment from plain values: for tests, and for callers that already hold the data."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from crmshell.completion.env import ObjectRef, default_root, list_dir

if TYPE_CHECKING:
    from crmshell.agents import AgentCatalog
    from crmshell.completion.grammar_table import TableParser


@dataclass
class StaticEnv:
    """An environment from plain values (tests, and callers that already hold the data)."""

    objects_: list[ObjectRef] = field(default_factory=list)
    nodes_: list[str] = field(default_factory=list)
    shadows_: list[str] = field(default_factory=list)
    catalog_: "AgentCatalog | None" = None
    files: dict[str, list[tuple[str, bool]]] | None = None
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    root: type = field(default_factory=default_root)
    _grammar: "TableParser | None" = None

    def grammar(self) -> "TableParser":
        if self._grammar is None:
            from crmshell.completion.grammar_table import load_table

            self._grammar = load_table(self.env)
        return self._grammar

    def objects(self) -> Sequence[ObjectRef]:
        return self.objects_

    def nodes(self) -> Sequence[str]:
        return self.nodes_

    def shadows(self) -> Sequence[str]:
        return self.shadows_

    def catalog(self) -> "AgentCatalog | None":
        return self.catalog_

    def list_dir(self, path: str) -> list[tuple[str, bool]]:
        if self.files is not None:
            return self.files.get(path, [])
        return list_dir(path)
