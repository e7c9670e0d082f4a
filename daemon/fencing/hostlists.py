"""How Pacemaker reads the node lists and maps of fence devices: pure text rules.

`pcmk_host_map` (Pacemaker 2.1.2 and later): entries are separated by `;`, spaces or tabs;
within an entry the first `:` or `=` separates the node name from its port; a backslash keeps
the next character (a space or `;` inside a port) and is itself dropped. A comma is *not* a
separator: in `node2:2,3` the agent is handed the port `2,3` (the documentation's "ports 2 and
3"). Node names compare without case. An entry Pacemaker 2.1 and 3.0 would read differently
(a second unescaped `:` or `=`), or with no name or no port, is malformed: it is left out and
reported, and the rest of the map still counts, as in Pacemaker.

`pcmk_host_list` and the output of an agent's `list` action share one reader (Pacemaker's
`stonith__parse_targets`): lines end at a newline or a literal `\\n`; a line that contains
`invalid` or `variable` is skipped; names are separated by any mix of whitespace, commas and
semicolons; a name keeps only its leading letters, digits, `_`, `-` and `.`; `on` and `off`
are not names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from daemon.records import field, record

MAP_SEPARATORS = frozenset("; \t")
MAP_ASSIGN = frozenset(":=")
_LINE_BREAK = re.compile(r"\n|\\n")
_NAME_SEPARATORS = re.compile(r"[\s,;]+")
_NAME_CHARS = re.compile(r"[A-Za-z0-9_.\-]*")
_NOT_NAMES = frozenset({"on", "off"})


@record(frozen=True)
class HostMap:
    """A parsed `pcmk_host_map`: `ports` by node name in lower case, and the entries that were
    malformed, each with why."""

    ports: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    malformed: tuple[str, ...] = ()

    def port(self, node: str) -> str | None:
        return self.ports.get(node.lower())

    def __bool__(self) -> bool:
        return bool(self.ports)


def _split_entries(text: str) -> list[list[tuple[str, bool]]]:
    """The entries of a map as lists of (character, escaped)."""
    entries: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] = []
    chars = iter(text)
    for ch in chars:
        if ch == "\\":
            current.append((next(chars, ""), True))
        elif ch in MAP_SEPARATORS:
            if current:
                entries.append(current)
            current = []
        else:
            current.append((ch, False))
    if current:
        entries.append(current)
    return entries


def _entry_text(entry: list[tuple[str, bool]]) -> str:
    return "".join(("\\" + ch) if escaped else ch for ch, escaped in entry)


def parse_host_map(text: str | None) -> HostMap:
    """`pcmk_host_map` as Pacemaker reads it (see the module's description)."""
    ports: dict[str, str] = {}
    malformed: list[str] = []
    for entry in _split_entries(text or ""):
        shown = _entry_text(entry)
        cut = next((i for i, (ch, esc) in enumerate(entry) if ch in MAP_ASSIGN and not esc),
                   None)
        if cut is None:
            malformed.append(f"'{shown}' has no ':' between node and port")
            continue
        name = "".join(ch for ch, _ in entry[:cut]).strip()
        rest = entry[cut + 1:]
        if any(ch in MAP_ASSIGN and not esc for ch, esc in rest):
            malformed.append(f"'{shown}' has a second ':' or '=' (escape it in the port "
                             "as '\\:')")
            continue
        port = "".join(ch for ch, _ in rest)
        if not name:
            malformed.append(f"'{shown}' has no node name")
        elif not port:
            malformed.append(f"'{shown}' has no port")
        else:
            ports[name.lower()] = port
    return HostMap(MappingProxyType(ports), tuple(malformed))


def parse_targets(text: str | None) -> tuple[str, ...]:
    """Node names from `pcmk_host_list` or an agent's `list` output, in order, once each."""
    names: dict[str, None] = {}
    for line in _LINE_BREAK.split(text or ""):
        if "invalid" in line or "variable" in line:
            continue
        for word in _NAME_SEPARATORS.split(line):
            name = _NAME_CHARS.match(word).group(0)
            if name and name.lower() not in _NOT_NAMES:
                names.setdefault(name, None)
    return tuple(names)


def in_targets(node: str, targets: tuple[str, ...] | list[str]) -> bool:
    """Whether `node` is one of `targets`, without regard to case (as Pacemaker compares)."""
    folded = node.lower()
    return any(t.lower() == folded for t in targets)
