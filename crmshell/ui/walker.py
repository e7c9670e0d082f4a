"""The context walker: resolves words against the current level and runs commands.

One walker serves the REPL, one-shot argv and batch input, so a command behaves the same in
all three. It owns navigation (cd, up/end/back, ls, help, quit); levels own their commands.
Resolution is by exact name or unique prefix; anything else is refused with a suggestion,
never guessed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crmshell.errors import ShellError, UsageError
from crmshell.ui.command import CommandSpec
from crmshell.ui.level import Level
from crmshell.ui.names import NAVIGATION, Resolved, resolve_word  # noqa: F401 (the walker's names)
from crmshell.ui.words import Word, split_words

if TYPE_CHECKING:
    from crmshell.ui.context import ShellContext


class QuitSession(Exception):
    """Raised by quit/exit/bye; the front end unwinds the levels and stops."""


class Walker:
    def __init__(self, ctx: "ShellContext", root: type[Level]) -> None:
        self.ctx = ctx
        self.stack: list[Level] = [root(ctx)]

    @property
    def level(self) -> Level:
        return self.stack[-1]

    def path(self) -> list[str]:
        return [lvl.name for lvl in self.stack[1:]]

    def names_here(self) -> list[str]:
        return [*self.level.lookup_names(), *NAVIGATION]

    # -- running ---------------------------------------------------------------------------
    def execute(self, text: str, *, column: int = 1, dry: bool = False) -> None:
        """Run one logical statement; `dry` only checks it (used after a failed transaction)."""
        words = split_words(text.replace("\\\n", "  "))
        if not words:
            return
        self._run(words, text, 0, column, dry)

    def _run(self, words: list[Word], text: str, index: int, column: int, dry: bool) -> None:
        word = words[index]
        try:
            resolved = resolve_word(word.text, self.names_here())
        except ShellError as err:
            err.column = column + word.start
            raise
        if resolved.expanded_from is not None:
            self.ctx.note(f"'{resolved.expanded_from}' expanded to '{resolved.name}'")
        name = resolved.name
        rest = words[index + 1 :]
        if self._asked_for_help(name, rest):
            from crmshell.ui.help import help_for
            from crmshell.ui.showing import show_text

            show_text(self.ctx, help_for(type(self.level), [name]))
            return
        if name in NAVIGATION:
            self._navigate(name, [w.text for w in rest], dry)
            return
        level = self.level
        canonical = level.lookup_names()[name]
        if canonical in level.sublevels and self._runs_bare(level.sublevels[canonical], rest):
            sub_class = level.sublevels[canonical]
            spec = sub_class.commands()[sub_class.bare_command]
            self._call(sub_class(self.ctx), spec, words, index, text, column, dry)
            return
        if canonical in level.sublevels:
            depth = len(self.stack)
            sub = level.sublevels[canonical](self.ctx)
            self.stack.append(sub)
            sub.on_enter()
            if rest:
                # `configure show` runs and comes back (to where we were, even if the command
                # itself navigated: `configure up` must not leave the top level)
                try:
                    self._run(words, text, index + 1, column, dry)
                except ShellError:
                    # A failed command poisons the transaction, so leaving does not commit it.
                    self.ctx.transaction.fail()
                    self._unwind_to(depth, dry)
                    raise
                self._unwind_to(depth, dry)
            return
        spec = level.commands()[canonical]
        self._call(level, spec, words, index, text, column, dry)

    @staticmethod
    def _runs_bare(sub_class: type[Level], rest: list[Word]) -> bool:
        """A level that is also a command (`status`, `status bynode`): run it unless the next
        word is one of the level's own commands (`status show`)."""
        if getattr(sub_class, "bare_command", None) is None:
            return False
        if not rest:
            return True
        try:
            resolve_word(rest[0].text, [*sub_class.lookup_names(), *NAVIGATION])
        except ShellError:
            return True
        return False

    def _asked_for_help(self, name: str, rest: list[Word]) -> bool:
        """`<command> ... --help` (a level takes only `<level> --help`)."""
        if not rest or rest[-1].text != "--help":
            return False
        names = self.level.lookup_names()
        if name in names and names[name] in self.level.sublevels:
            return len(rest) == 1
        return True

    def _call(self, level: Level, spec: CommandSpec, words: list[Word], index: int,
              text: str, column: int, dry: bool) -> None:
        word = words[index]
        if spec.raw:
            statement = spec.name + text[word.end :]
            offset = column + word.start
            if dry:
                check = getattr(level, "check_statement", None)
                if check is not None:
                    check(spec, statement, offset)
                return
            spec.func(level, self.ctx, statement, offset)
            return
        args = [w.text for w in words[index + 1 :]]
        try:
            spec.check_arity(args)
        except UsageError as err:
            err.column = column + word.start
            raise
        if dry:
            return
        spec.func(level, self.ctx, *args)

    # -- navigation ------------------------------------------------------------------------
    def _navigate(self, name: str, args: list[str], dry: bool) -> None:
        if name in ("quit", "exit", "bye"):
            raise QuitSession()
        if name in ("up", "end", "back"):
            if len(self.stack) > 1:
                self._leave(dry)
            return
        if name == "ls":
            self.ctx.write_lines(self.listing())
            return
        if name == "help":
            from crmshell.ui.help import help_for
            from crmshell.ui.showing import show_text

            show_text(self.ctx, help_for(type(self.level), args, root=type(self.stack[0])))
            return
        # cd: a path of levels; a leading "/" (or no argument) starts from the top
        if len(args) > 1:
            raise UsageError("cd: too many arguments; usage: cd [<level>|..|/]")
        target = args[0] if args else "/"
        if target.startswith("/"):
            self.leave_all(dry)
        for part in (p for p in target.split("/") if p):
            if part == "..":
                if len(self.stack) > 1:
                    self._leave(dry)
                continue
            sub = resolve_word(part, list(self.level.sublevels), "level").name
            lvl = self.level.sublevels[sub](self.ctx)
            self.stack.append(lvl)
            lvl.on_enter()

    def _leave(self, dry: bool = False) -> None:
        level = self.stack[-1]
        if not dry:
            level.on_leave()
        self.stack.pop()

    def leave_all(self, dry: bool = False) -> None:
        """Unwind to the root, running each level's leave hook (end of batch, quit)."""
        self._unwind_to(1, dry)

    def _unwind_to(self, depth: int, dry: bool = False) -> None:
        while len(self.stack) > max(depth, 1):
            self._leave(dry)

    def listing(self) -> list[str]:
        """`ls`: the sub-levels and commands, each with the summary its help gives."""
        from crmshell.ui.help import entry_for, level_summary

        level = self.level
        lines = [f"{name:<16} level: {level_summary(cls)}"
                 for name, cls in sorted(level.sublevels.items())]
        for spec in sorted(level.commands().values(), key=lambda s: s.name):
            entry = entry_for(type(level), spec.name)
            lines.append(f"{spec.name:<16} {entry.summary if entry else spec.summary}")
        return lines
