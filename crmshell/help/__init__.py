"""The help texts, written once as data: one file per level (`<level>.txt`, `root.txt` for the
top level and navigation) and `topics.txt`. The REPL's `help`, `<command> --help` and the man
page (`python -m crmshell.help.man`) all read them through `load_help()`.

Format of a file: `#` lines are comments; `== name[, alias ...]` opens an entry (`== .` is the
level itself); `usage:` lines may follow; the first paragraph is the summary, the next ones the
description; `example:` opens the indented example lines.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

HELP_DIR = Path(__file__).resolve().parent
LEVEL_FILES = ("root", "configure", "cib", "ra", "resource", "node", "cluster", "corosync",
               "status", "options", "cibstatus")


@dataclass
class Entry:
    names: tuple[str, ...]
    usage: list[str] = field(default_factory=list)
    summary: str = ""
    description: list[str] = field(default_factory=list)  # paragraphs
    examples: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass
class HelpData:
    levels: dict[str, dict[str, Entry]]  # level ("" top) -> name (aliases too) -> entry
    topics: dict[str, Entry]

    def entry(self, level: str, name: str) -> Entry | None:
        return self.levels.get(level, {}).get(name)


class HelpFormatError(ValueError):
    """A help file that does not follow the format (a bug caught by the tests)."""


def parse_entries(text: str, source: str) -> list[Entry]:
    entries: list[Entry] = []
    current: Entry | None = None
    paragraph: list[str] = []
    in_example = False

    def flush() -> None:
        if current is None or not paragraph:
            paragraph.clear()
            return
        joined = " ".join(line.strip() for line in paragraph)
        if not current.summary:
            current.summary = joined
        else:
            current.description.append(joined)
        paragraph.clear()

    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            continue
        if line.startswith("== "):
            flush()
            names = tuple(n.strip() for n in line[3:].split(","))
            current = Entry(names)
            entries.append(current)
            in_example = False
            continue
        if current is None:
            if line.strip():
                raise HelpFormatError(f"{source}:{number}: text before the first '== ' entry")
            continue
        if in_example:
            if line.strip():
                current.examples.append(line.strip())
            continue
        if line.startswith("usage: "):
            current.usage.append(line[len("usage: "):].strip())
        elif line.strip() == "example:":
            flush()
            in_example = True
        elif not line.strip():
            flush()
        else:
            paragraph.append(line)
    flush()
    return entries


@functools.cache
def load_help() -> HelpData:
    levels: dict[str, dict[str, Entry]] = {}
    for stem in LEVEL_FILES:
        path = HELP_DIR / f"{stem}.txt"
        table: dict[str, Entry] = {}
        for entry in parse_entries(path.read_text(encoding="utf-8"), path.name):
            for name in entry.names:
                table[name] = entry
        levels["" if stem == "root" else stem] = table
    path = HELP_DIR / "topics.txt"
    topics = {e.name: e for e in parse_entries(path.read_text(encoding="utf-8"), path.name)}
    return HelpData(levels, topics)
