"""`fencing-topology`: which levels apply to a node, pure, as Pacemaker's fencer picks them.

A `fencing-level` targets nodes in one of three ways: `target` (a node name, compared
without case), `target-pattern` (an extended regular expression searched in the name, not
anchored, as POSIX `regexec` does; Python's `re` reads the ERE forms configurations use), or
`target-attribute` + `target-value` (a permanent node attribute: an nvpair directly in
`nodes/node[@uname]/instance_attributes`, as Pacemaker looks it up, without rules or
id-refs). Levels sharing a target form one topology; levels with the same target and index
are one level, their devices in CIB order (Pacemaker appends them the same way).

A node gets one topology: the one naming it, else the first (in CIB order) pattern or
attribute topology that matches. Pacemaker takes the first match in its hash table's order,
which is not defined; CIB order makes the choice reproducible. Its levels are tried in
ascending `index` (1 to 9).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from daemon.fencing.errors import FencingConfigError

BY_NAME, BY_PATTERN, BY_ATTRIBUTE = "name", "pattern", "attribute"
MIN_INDEX, MAX_INDEX = 1, 9


@dataclass(frozen=True)
class TopologyLevel:
    """One level: the devices that must all succeed. `key` identifies its topology:
    (kind, the name, pattern or `attribute=value`)."""

    id: str
    index: int
    kind: str
    target: str
    devices: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.target.lower() if self.kind == BY_NAME else self.target)


def _kind(level) -> tuple[str, str]:
    lid = level.get("id") or "(fencing-level without id)"
    given = [a for a in ("target", "target-pattern", "target-attribute") if level.get(a)]
    if len(given) != 1:
        what = "sets " + " and ".join(given) if given else "names no target"
        raise FencingConfigError(lid, None, f"{what} (exactly one of target, "
                                 "target-pattern or target-attribute)")
    if given[0] == "target":
        return BY_NAME, level.get("target")
    if given[0] == "target-pattern":
        pattern = level.get("target-pattern")
        try:
            re.compile(pattern)
        except re.error as err:
            raise FencingConfigError(lid, "target-pattern",
                                     f"'{pattern}' is not a regular expression ({err})") from None
        return BY_PATTERN, pattern
    value = level.get("target-value")
    if value is None:
        raise FencingConfigError(lid, "target-value", "target-attribute needs a target-value")
    return BY_ATTRIBUTE, f"{level.get('target-attribute')}={value}"


def _index(level, lid: str) -> int:
    text = (level.get("index") or "").strip()
    if not text.isdigit() or not MIN_INDEX <= int(text) <= MAX_INDEX:
        raise FencingConfigError(lid, "index", f"'{text}' is not a level index "
                                 f"({MIN_INDEX} to {MAX_INDEX})")
    return int(text)


def _devices(level, lid: str) -> tuple[str, ...]:
    text = level.get("devices") or ""
    devices = tuple(d.strip() for d in text.split(","))
    if not text.strip() or any(not d for d in devices):
        raise FencingConfigError(lid, "devices", f"'{text}' is not a comma-separated list "
                                 "of devices")
    return devices


def read_topology(cib) -> tuple[tuple[TopologyLevel, ...], list[FencingConfigError]]:
    """Every usable level in CIB order, and the problems of those left out."""
    levels: list[TopologyLevel] = []
    problems: list[FencingConfigError] = []
    for level in cib.iterfind("configuration/fencing-topology/fencing-level"):
        lid = level.get("id") or "(fencing-level without id)"
        try:
            kind, target = _kind(level)
            levels.append(TopologyLevel(lid, _index(level, lid), kind, target,
                                        _devices(level, lid)))
        except FencingConfigError as err:
            problems.append(err)
    return tuple(levels), problems


def node_attributes(cib, node: str) -> dict[str, str]:
    """A node's permanent attributes as the fencer matches `target-attribute` against them."""
    attrs: dict[str, str] = {}
    for el in cib.iterfind("configuration/nodes/node"):
        if el.get("uname") == node:
            for nv in el.iterfind("instance_attributes/nvpair"):
                if nv.get("name") is not None and nv.get("value") is not None:
                    attrs.setdefault(nv.get("name"), nv.get("value"))
    return attrs


def _matches(level: TopologyLevel, node: str, attrs: Mapping[str, str]) -> bool:
    if level.kind == BY_NAME:
        return level.target.lower() == node.lower()
    if level.kind == BY_PATTERN:
        return re.search(level.target, node) is not None
    name, _, value = level.target.partition("=")
    return attrs.get(name) == value


def levels_for(levels: tuple[TopologyLevel, ...], node: str,
               attrs: Mapping[str, str]) -> list[TopologyLevel]:
    """The levels of `node`'s topology in the order to try them, one per index (the devices of
    same-index levels joined); [] when no topology applies to it."""
    by_name = [lv for lv in levels if lv.kind == BY_NAME and _matches(lv, node, attrs)]
    chosen = by_name
    if not chosen:
        first = next((lv for lv in levels if lv.kind != BY_NAME and _matches(lv, node, attrs)),
                     None)
        chosen = [lv for lv in levels if first is not None and lv.key == first.key]
    merged: dict[int, TopologyLevel] = {}
    for lv in chosen:
        held = merged.get(lv.index)
        merged[lv.index] = lv if held is None else TopologyLevel(
            held.id, held.index, held.kind, held.target, held.devices + lv.devices)
    return [merged[i] for i in sorted(merged)]
