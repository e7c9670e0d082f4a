"""The help texts, written once as data: one file per level (`<level>.txt`, `root.txt` for the
top level and navigation) and `topics.txt`. The REPL's `help`, `<command> --help`, `crmshell
--help` and the man page (`python -m crmshell.help.man`) all read them through `load_help()`
and render the same `Entry`.

Format of a file (`#` lines at the start of a line are comments):

    == name[, alias ...]          opens an entry ("== ." is the level itself)
    usage: <synopsis>             one or more; optional (else the command's own usage)
    First paragraph: the summary, one sentence.

    Further paragraphs: the description (text at column 0, blank lines between).

    arguments:                    a heading (any lower-case words and a colon) opens a list
      <term>                      a term, indented two spaces
          What it means, indented six or more; any number of lines.

    example:                      the examples, indented
        primitive vip IPaddr2 params ip=192.0.2.10
    see also: primitive, resource move, scores
                                  names of commands (here or "<level> <command>"), levels
                                  and topics, comma-separated; more lines may follow

A paragraph, heading, "example:" or "see also:" at column 0 ends the list or the examples
before it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

HELP_DIR = Path(__file__).resolve().parent
LEVEL_FILES = ("root", "configure", "cib", "ra", "resource", "node", "cluster", "corosync",
               "status", "options", "cibstatus", "site")
_HEADING = re.compile(r"[a-z][a-z -]*:")


@dataclass
class Terms:
    """A definition list: a heading ("arguments", "options", ...) and (term, text) items."""
    heading: str
    items: list[tuple[str, str]] = field(default_factory=list)


Block = str | Terms  # a paragraph, or a definition list


@dataclass
class Entry:
    names: tuple[str, ...]
    usage: list[str] = field(default_factory=list)
    summary: str = ""
    description: list[Block] = field(default_factory=list)  # in the order written
    examples: list[str] = field(default_factory=list)
    see_also: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def paragraphs(self) -> list[str]:
        return [b for b in self.description if isinstance(b, str)]

    @property
    def terms(self) -> list[Terms]:
        return [b for b in self.description if isinstance(b, Terms)]


@dataclass
class HelpData:
    levels: dict[str, dict[str, Entry]]  # level ("" top) -> name (aliases too) -> entry
    topics: dict[str, Entry]

    def entry(self, level: str, name: str) -> Entry | None:
        return self.levels.get(level, {}).get(name)


class HelpFormatError(ValueError):
    """A help file that does not follow the format (a bug caught by the tests)."""


class _Parser:
    """One pass over a file; `mode` is what indented lines continue: a paragraph, a list of
    terms, the examples or the see-also names."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.entries: list[Entry] = []
        self.current: Entry | None = None
        self.paragraph: list[str] = []
        self.mode = "text"
        self.term: list[str] | None = None  # [term, text lines...] being read

    def fail(self, number: int, why: str) -> None:
        raise HelpFormatError(f"{self.source}:{number}: {why}")

    def flush(self) -> None:
        self.flush_term()
        entry = self.current
        if self.paragraph and entry is not None:
            joined = " ".join(line.strip() for line in self.paragraph)
            if not entry.summary:
                entry.summary = joined
            else:
                entry.description.append(joined)
        self.paragraph.clear()

    def flush_term(self) -> None:
        if self.term is not None and self.current is not None:
            block = self.current.description[-1]
            assert isinstance(block, Terms)
            block.items.append((self.term[0], " ".join(self.term[1:])))
        self.term = None

    def line(self, number: int, line: str) -> None:
        if line.startswith("#"):
            return
        if line.startswith("== "):
            self.flush()
            self.current = Entry(tuple(n.strip() for n in line[3:].split(",")))
            self.entries.append(self.current)
            self.mode = "text"
            return
        entry = self.current
        if entry is None:
            if line.strip():
                self.fail(number, "text before the first '== ' entry")
            return
        if not line.strip():
            if self.mode == "text":
                self.flush()
            return
        indented = line[:1].isspace()
        if indented and self.mode != "text":
            self.continued(number, line)
            return
        if indented and self.paragraph:
            self.paragraph.append(line)
            return
        if indented:
            self.fail(number, "an indented line outside a list, the examples or 'see also'")
        starts = line.startswith(("usage: ", "see also:")) or line.strip() == "example:" \
            or _HEADING.fullmatch(line.strip())
        if starts or self.mode != "text":
            self.flush()
        self.mode = "text"
        if line.startswith("usage: "):
            entry.usage.append(line[len("usage: "):].strip())
        elif line.strip() == "example:":
            self.mode = "example"
        elif line.startswith("see also:"):
            self.mode = "see"
            self.names(line[len("see also:"):])
        elif _HEADING.fullmatch(line.strip()):
            if not entry.summary:
                self.fail(number, "a list before the summary")
            entry.description.append(Terms(line.strip()[:-1]))
            self.mode = "terms"
        else:
            self.paragraph.append(line)

    def continued(self, number: int, line: str) -> None:
        entry = self.current
        assert entry is not None
        if self.mode == "example":
            entry.examples.append(line.strip())
        elif self.mode == "see":
            self.names(line)
        elif line.startswith("  ") and not line.startswith("   "):
            self.flush_term()
            self.term = [line.strip()]
        elif line.startswith("      ") and self.term is not None:
            self.term.append(line.strip())
        else:
            self.fail(number, "in a list, a term is indented two spaces and its text six")

    def names(self, text: str) -> None:
        assert self.current is not None
        self.current.see_also += [n.strip() for n in text.split(",") if n.strip()]


def parse_entries(text: str, source: str) -> list[Entry]:
    parser = _Parser(source)
    for number, line in enumerate(text.splitlines(), 1):
        parser.line(number, line)
    parser.flush()
    for entry in parser.entries:
        for block in entry.terms:
            if not block.items or not all(text for _term, text in block.items):
                raise HelpFormatError(f"{source}: {entry.name}: the list '{block.heading}' has "
                                      "no items, or a term without its text")
    return parser.entries


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
