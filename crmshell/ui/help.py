"""`help`, `help <command|level|topic>` and `<command> --help`, rendered from the help data.

The texts live in `crmshell/help/*.txt`; usage lines there override the usage generated from
a command's signature (for keyword-shaped syntax). `command_doc` gathers what is known about a
command (its help entry, its spec) into one `CommandDoc`; `render_command` writes it as the
text `help` and `--help` print, and the man page generator writes the same `CommandDoc` as
roff, so the three cannot drift apart. Everything returns text; the walker writes it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crmshell.errors import ShellError
from crmshell.help import Block, Entry, Terms, load_help

if TYPE_CHECKING:
    from crmshell.ui.level import Level

WIDTH = 78
TERM_COLUMN = 22  # where the text of a short term starts
NAVIGATION_NAMES = ("cd", "up", "ls", "help", "quit")
NEEDS_DAEMON = "This command needs the node daemon, which this version does not run yet."


def topic_names() -> list[str]:
    return list(load_help().topics)


def _wrap(paragraph: str, indent: str = "", first: str | None = None) -> list[str]:
    return textwrap.wrap(paragraph, WIDTH, initial_indent=indent if first is None else first,
                         subsequent_indent=indent, break_on_hyphens=False) or [""]


def level_summary(level: type["Level"]) -> str:
    """A level's line in lists of levels: the summary of its help."""
    entry = load_help().entry(level.name, ".")
    return entry.summary if entry else level.summary


def entry_for(level: type["Level"], name: str) -> Entry | None:
    data = load_help()
    return data.entry(level.name, name) or data.entry("", name)


@dataclass
class CommandDoc:
    """Everything the help says about one command, for every renderer."""
    level: str  # "" for the top level (and navigation)
    names: tuple[str, ...]  # the command, then its aliases
    usage: list[str]
    summary: str
    description: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    see_also: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.names[0]


def command_doc(level: type["Level"], name: str) -> CommandDoc:
    entry = entry_for(level, name)
    spec = level.commands().get(name)
    usage = (entry.usage if entry and entry.usage
             else spec.usage.splitlines() if spec else [name])
    summary = entry.summary if entry and entry.summary else (spec.summary if spec else "")
    names = list(entry.names if entry else (name,))
    for alias in (spec.aliases if spec else ()):
        if alias not in names:
            names.append(alias)
    notes = [NEEDS_DAEMON] if spec is not None and spec.needs_daemon else []
    return CommandDoc(level=level.name if spec is not None else "", names=tuple(names),
                      usage=list(usage), summary=summary,
                      description=list(entry.description) if entry else [], notes=notes,
                      examples=list(entry.examples) if entry else [],
                      see_also=list(entry.see_also) if entry else [])


def render_terms(block: Terms) -> list[str]:
    lines = [f"{block.heading}:"]
    pad = TERM_COLUMN
    for term, text in block.items:
        head = f"    {term}"
        if len(head) < pad - 1:
            lines += _wrap(text, " " * pad, first=head.ljust(pad))
        else:
            lines += [head, *_wrap(text, " " * pad)]
    return lines


def render_blocks(blocks: list[Block]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        lines += ["", *(render_terms(block) if isinstance(block, Terms) else _wrap(block))]
    return lines


def render_command(doc: CommandDoc) -> str:
    """The text of `help <command>` and `<command> --help`."""
    lines = [f"usage: {u}" for u in doc.usage]
    lines += ["", *_wrap(doc.summary)]
    lines += render_blocks(doc.description)
    for note in doc.notes:
        lines += ["", *_wrap(note)]
    if doc.examples:
        lines += ["", "example:", *(f"    {e}" for e in doc.examples)]
    if len(doc.names) > 1:
        lines += ["", "aliases: " + ", ".join(doc.names[1:])]
    if doc.see_also:
        lines += ["", *_wrap(", ".join(doc.see_also), " " * 10, first="see also: ")]
    return "\n".join(lines)


def command_help(level: type["Level"], name: str) -> str:
    """usage, summary, description, examples and related commands of one command (or
    sub-level) of `level`."""
    return render_command(command_doc(level, name))


def level_help(level: type["Level"]) -> str:
    """What a level is for, its commands and sub-levels, navigation and the topics."""
    entry = load_help().entry(level.name, ".")
    lines: list[str] = []
    if entry:
        lines += _wrap(entry.summary)
        lines += render_blocks(entry.description)
    if level.sublevels:
        lines += ["", "levels:"]
        lines += [f"    {name:<17} {level_summary(cls)}"
                  for name, cls in sorted(level.sublevels.items())]
    specs = sorted(level.commands().values(), key=lambda s: s.name)
    if specs:
        lines += ["", "commands:"]
    for spec in specs:
        sub = entry_for(level, spec.name)
        summary = sub.summary if sub and sub.summary else spec.summary
        lines += _wrap(summary, " " * TERM_COLUMN, first=f"    {spec.name:<17} ")
    if entry and entry.examples:
        lines += ["", "example:", *(f"    {e}" for e in entry.examples)]
    lines += ["", "navigation: " + ", ".join(NAVIGATION_NAMES) + " (help <name> for each)",
              "topics: " + ", ".join(topic_names()) + " (help <topic>)"]
    if level.name:
        lines.append(f"help <command> for each command; help {level.name} <command> "
                     "from anywhere")
    if entry and entry.see_also:
        lines += ["", *_wrap(", ".join(entry.see_also), " " * 10, first="see also: ")]
    return "\n".join(lines)


def program_help(root: type["Level"]) -> str:
    """`crmshell --help`: the synopsis, what crmshell is, its options, the levels of `root`
    (the caller's RootLevel: this module stays below the levels), examples."""
    entry = load_help().entry("", ".")
    lines = [f"{'       ' if i else 'usage: '}{u}" for i, u in enumerate(entry.usage)]
    lines += ["", *_wrap(entry.summary), *render_blocks(entry.description), "", "levels:"]
    lines += [f"    {name:<17} {level_summary(cls)}"
              for name, cls in sorted(root.sublevels.items())]
    if entry.examples:
        lines += ["", "example:", *(f"    {e}" for e in entry.examples)]
    lines += ["", "topics: " + ", ".join(topic_names()) + " ('crmshell help <topic>')"]
    if entry.see_also:
        lines += [*_wrap(", ".join(entry.see_also), " " * 10, first="see also: ")]
    return "\n".join(lines)


def topic_help(name: str) -> str:
    entry = load_help().topics[name]
    lines = [entry.summary, "=" * len(entry.summary)]
    lines += render_blocks(entry.description)
    if entry.examples:
        lines += ["", "example:", *(f"    {e}" for e in entry.examples)]
    if entry.see_also:
        lines += ["", *_wrap(", ".join(entry.see_also), " " * 10, first="see also: ")]
    return "\n".join(lines)


def help_for(level: type["Level"], words: list[str], root: type["Level"] | None = None) -> str:
    """Help for `words` typed at `level`: a command, a sub-level (and a command in it), a
    navigation command or a topic; names may be unique prefixes. A first word that is not a
    name here is looked up from the top level (`root`), so `help configure primitive` works
    inside `configure` and `help resource move` inside `node`, as in crmsh."""
    if root is not None and words and not _exact(level, words[0]) and _exact(root, words[0]):
        return _help_here(root, words)
    try:
        return _help_here(level, words)
    except ShellError:
        if root is None or root is level or not words:
            raise
        try:
            return _help_here(root, words)
        except ShellError:
            pass
        raise


def _exact(level: type["Level"], word: str) -> bool:
    from crmshell.ui.names import NAVIGATION

    return word in level.lookup_names() or word in NAVIGATION or word in topic_names()


def _help_here(level: type["Level"], words: list[str]) -> str:
    from crmshell.ui.names import NAVIGATION, resolve_word

    if not words:
        return level_help(level)
    word = words[0]
    topics = topic_names()
    names = [*level.lookup_names(), *NAVIGATION, *topics]
    name = resolve_word(word, names, "command or topic").name
    if name not in level.lookup_names():  # a level's own command wins (resource scores)
        if len(words) > 1:
            raise ShellError(f"help: {name} takes no further words")
        return command_help(level, name) if name in NAVIGATION else topic_help(name)
    canonical = level.lookup_names()[name]
    if canonical in level.sublevels:
        sub = level.sublevels[canonical]
        return _help_here(sub, words[1:]) if len(words) > 1 else level_help(sub)
    if len(words) > 1:
        raise ShellError(f"help: {canonical} is a command, not a level")
    return command_help(level, canonical)
