"""The four shapes of an nvpair word: `name=value`, `$id:name=value`, `@ref[:name]`, `name`."""

from __future__ import annotations

import re
from dataclasses import dataclass

_WITH_ID = re.compile(r"\$([^:=]+)(?::(.+))?=(.*)", re.S)
_REFERENCE = re.compile(r"@([^:]+)(?::(.+))?", re.S)


@dataclass(frozen=True, slots=True)
class NvPair:
    name: str | None
    value: str | None = None
    id: str | None = None
    idref: str | None = None


def split_nvpair(token) -> NvPair:
    """Split a NVPAIR / NVPAIR_ID / NVPAIR_REF / NVKEY token into its parts."""
    text = str(token)
    kind = token.type
    if kind == "NVPAIR":
        name, _, value = text.partition("=")
        return NvPair(name, value)
    if kind == "NVPAIR_ID":
        match = _WITH_ID.fullmatch(text)
        ident, name, value = match.group(1), match.group(2), match.group(3)
        return NvPair(name if name is not None else ident, value, id=ident)
    if kind == "NVPAIR_REF":
        match = _REFERENCE.fullmatch(text)
        return NvPair(match.group(2), idref=match.group(1))
    return NvPair(text)
