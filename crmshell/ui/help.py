"""`help`, `help <command|level|topic>` and `<command> --help`, rendered from the help data.

The texts live in `crmshell/help/*.txt`; usage lines there override the usage generated from
a command's signature (for keyword-shaped syntax). Everything returns text; the walker writes
it. The same functions feed the man page generator.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from crmshell.errors import ShellError
from crmshell.help import Entry, load_help

if TYPE_CHECKING:
    from crmshell.ui.level import Level

WIDTH = 78
NAVIGATION_NAMES = ("cd", "up", "ls", "help", "quit")


def topic_names() -> list[str]:
    return list(load_help().topics)


def _wrap(paragraph: str, indent: str = "") -> list[str]:
    return textwrap.wrap(paragraph, WIDTH, initial_indent=indent, subsequent_indent=indent) or [""]


def entry_for(level: type["Level"], name: str) -> Entry | None:
    data = load_help()
    return data.entry(level.name, name) or data.entry("", name)


def command_help(level: type["Level"], name: str) -> str:
    """usage, summary, description and examples of one command (or sub-level) of `level`."""
    entry = entry_for(level, name)
    spec = level.commands().get(name)
    usage = (entry.usage if entry and entry.usage else [spec.usage] if spec else [name])
    lines = [f"usage: {u}" for u in usage]
    summary = entry.summary if entry and entry.summary else (spec.summary if spec else "")
    lines += ["", *_wrap(summary)]
    if entry:
        for paragraph in entry.description:
            lines += ["", *_wrap(paragraph)]
    if spec is not None and spec.needs_daemon:
        lines += ["", "This command needs the node daemon, which this version does not run yet."]
    if entry and entry.examples:
        lines += ["", "example:", *(f"    {e}" for e in entry.examples)]
    return "\n".join(lines)


def level_help(level: type["Level"]) -> str:
    """What a level is for, its commands and sub-levels, navigation and the topics."""
    entry = load_help().entry(level.name, ".")
    lines: list[str] = []
    if entry:
        lines += _wrap(entry.summary)
        for paragraph in entry.description:
            lines += ["", *_wrap(paragraph)]
    if level.sublevels:
        lines += ["", "levels:"]
        lines += [f"    {name:<16} {cls.summary}" for name, cls in sorted(level.sublevels.items())]
    specs = sorted(level.commands().values(), key=lambda s: s.name)
    if specs:
        lines += ["", "commands:"]
    for spec in specs:
        sub = entry_for(level, spec.name)
        summary = sub.summary if sub and sub.summary else spec.summary
        lines.append(f"    {spec.name:<16} {summary}")
    lines += ["", "navigation: " + ", ".join(NAVIGATION_NAMES) + " (help <name> for each)",
              "topics: " + ", ".join(topic_names()) + " (help <topic>)"]
    return "\n".join(lines)


def topic_help(name: str) -> str:
    entry = load_help().topics[name]
    lines = [entry.summary, "=" * len(entry.summary)]
    for paragraph in entry.description:
        lines += ["", *_wrap(paragraph)]
    if entry.examples:
        lines += ["", "example:", *(f"    {e}" for e in entry.examples)]
    return "\n".join(lines)


def help_for(level: type["Level"], words: list[str]) -> str:
    """Help for `words` typed at `level`: a command, a sub-level (and a command in it), a
    navigation command or a topic; names may be unique prefixes."""
    from crmshell.ui.names import NAVIGATION, resolve_word

    if not words:
        return level_help(level)
    word = words[0]
    topics = topic_names()
    if word in topics:
        return topic_help(word)
    names = [*level.lookup_names(), *NAVIGATION, *topics]
    name = resolve_word(word, names, "command or topic").name
    if name in topics:
        return topic_help(name)
    if name in NAVIGATION:
        return command_help(level, name)
    canonical = level.lookup_names()[name]
    if canonical in level.sublevels:
        sub = level.sublevels[canonical]
        return help_for(sub, words[1:]) if len(words) > 1 else level_help(sub)
    if len(words) > 1:
        raise ShellError(f"help: {canonical} is a command, not a level")
    return command_help(level, canonical)
