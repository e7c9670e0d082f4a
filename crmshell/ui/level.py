"""A level of the shell (root, configure, cib, ...): a class whose `do_*` methods are commands.

The command table is built once per class from the methods, so adding a command is adding a
method. Sub-levels are named in `sublevels`; navigation (cd, up, ls, help, quit) belongs to
the walker, not to any level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from crmshell.ui.command import CommandSpec, spec_for

if TYPE_CHECKING:
    from crmshell.ui.context import ShellContext


class Level:
    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    sublevels: ClassVar[dict[str, type["Level"]]] = {}
    _table: ClassVar[dict[str, CommandSpec] | None] = None

    def __init__(self, ctx: "ShellContext") -> None:
        self.ctx = ctx

    @classmethod
    def commands(cls) -> dict[str, CommandSpec]:
        """Command name -> spec (aliases not included: see `lookup_names`)."""
        table = cls.__dict__.get("_table")
        if table is None:
            table = {}
            for attr in sorted(dir(cls)):
                if attr.startswith("do_"):
                    spec = spec_for(attr, getattr(cls, attr))
                    table[spec.name] = spec
            table.update(cls.extra_commands())
            cls._table = table
        return table

    @classmethod
    def extra_commands(cls) -> dict[str, CommandSpec]:
        """Commands not written as methods (configure's definition keywords)."""
        return {}

    @classmethod
    def lookup_names(cls) -> dict[str, str]:
        """Every name a user may type at this level (commands, aliases, sub-levels) -> canonical."""
        names: dict[str, str] = {}
        for spec in cls.commands().values():
            names[spec.name] = spec.name
            for alias in spec.aliases:
                names[alias] = spec.name
        for sub in cls.sublevels:
            names[sub] = sub
        return names

    # Hooks the walker calls around navigation.
    def on_enter(self) -> None:
        pass

    def on_leave(self) -> None:
        """Called before the level is left; may raise ShellError to stay (pending changes)."""
