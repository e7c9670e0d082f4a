"""What sort of thing fits where the cursor is: small frozen values, no look-ups.

Completion runs in two stages (as pgcli does): deciding the kind only reads the line (see
`suggest.py` and `definitions.py`); `matchers.py` turns each kind into candidates from the
environment. Levels name the kinds their commands' arguments take (`@command(completers=...)`),
so this module must stay free of imports beyond the standard library. The kinds are small
immutable value classes rather than dataclasses because a bash Tab imports this module in a
fresh process, and twenty frozen dataclasses cost it about 6 ms.
"""

from __future__ import annotations

from typing import Any


class _Value:
    """An immutable value with the fields named in `__slots__` and defaults in `_defaults`:
    equal and hashable by type and fields, so kinds can be compared and deduplicated."""

    __slots__: tuple[str, ...] = ()
    _defaults: dict[str, Any] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = self.__slots__
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes at most {len(names)} arguments")
        for i, name in enumerate(names):
            if i < len(args):
                value = args[i]
            elif name in kwargs:
                value = kwargs.pop(name)
            elif name in self._defaults:
                value = self._defaults[name]
            else:
                raise TypeError(f"{type(self).__name__} needs '{name}'")
            object.__setattr__(self, name, value)
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected {', '.join(kwargs)}")

    def _fields(self) -> tuple:
        return tuple(getattr(self, n) for n in self.__slots__)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._fields() == self._fields()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self._fields()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({inner})"


class Candidate(_Value):
    """One completion: `text` replaces the line from `start` to the cursor; `display` is what a
    menu shows (the text if empty) and `meta` a short description (type, default, summary)."""

    __slots__ = ("text", "display", "meta", "start")
    _defaults = {"display": "", "meta": "", "start": 0}
    text: str
    display: str
    meta: str
    start: int

    def __init__(self, text: str, display: str = "", meta: str = "", start: int = 0) -> None:
        # written out (not the generic loop): a Tab on a big CIB makes thousands of these
        setattr_ = object.__setattr__
        setattr_(self, "text", text)
        setattr_(self, "display", display or text)
        setattr_(self, "meta", meta)
        setattr_(self, "start", start)


class Choice(_Value):
    """Fixed words, each with a description."""
    __slots__ = ("items",)
    items: tuple[tuple[str, str], ...]


def choice(*words: str, meta: str = "") -> Choice:
    return Choice(tuple((w, meta) for w in words))


class Keywords(_Value):
    """Grammar keywords that may come next: (word, description)."""
    __slots__ = ("items",)
    items: tuple[tuple[str, str], ...]


class ObjectIds(_Value):
    """Ids of configuration objects of these crmsh kinds (None: every kind). `kinds` may
    name the pseudo-kinds `resource`, `constraint` and `fencing` (stonith primitives)."""
    __slots__ = ("kinds", "prefix", "suffix", "free")
    _defaults = {"kinds": None, "prefix": "", "suffix": "", "free": False}
    kinds: frozenset[str] | None
    prefix: str  # put before each id (`@` for templates, `role:` for ACL roles)
    suffix: str
    free: bool  # only resources no group, clone or bundle holds yet


RESOURCES = frozenset({"resource"})
PRIMITIVES = frozenset({"primitive"})
CONSTRAINTS = frozenset({"constraint"})


class AgentName(_Value):
    """`[class:[provider:]]type`, completed one part at a time."""
    __slots__ = ()


class AgentClass(_Value):
    __slots__ = ()


class AgentProvider(_Value):
    __slots__ = ()


class AgentType(_Value):
    __slots__ = ("cls",)
    _defaults = {"cls": "ocf"}
    cls: str


class Attributes(_Value):
    """`name=` of a set of attributes; `domain` says which names: `params:<agent>`,
    `meta:<kind>`, `op:<agent>:<op name>`, `op_defaults`, `property`. Names already given are
    left out."""
    __slots__ = ("domain", "given")
    _defaults = {"given": frozenset()}
    domain: str
    given: frozenset[str]


class OpNames(_Value):
    __slots__ = ("agent",)
    agent: str | None


class NodeNames(_Value):
    __slots__ = ("suffix",)
    _defaults = {"suffix": ""}
    suffix: str


class ShadowNames(_Value):
    __slots__ = ("live",)
    _defaults = {"live": False}
    live: bool  # offer `live` too (cib use)


class FilePaths(_Value):
    __slots__ = ("stdin",)
    _defaults = {"stdin": True}
    stdin: bool  # offer `-`


class Selectors(_Value):
    """`show`/`edit`/`save` selectors: ids, type:, tag:, related:, changed, and/or, xml."""
    __slots__ = ("xml",)
    _defaults = {"xml": True}
    xml: bool


class SetPath(_Value):
    """`set <id>.[<op>.[<interval>.]]<name>`."""
    __slots__ = ()


class LevelPath(_Value):
    """A `cd` target: sub-levels, `..` and `/`."""
    __slots__ = ()


class HelpTopic(_Value):
    __slots__ = ()


class Then(_Value):
    """The kind of each argument depends on the ones before: `pick(args) -> kind | None`."""
    __slots__ = ("pick",)
    pick: object
    def __call__(self, args: list[str]):
        return self.pick(args)  # type: ignore[operator]


class AttrValue(_Value):
    """The value after `name=` in a set of attributes (`domain` as for Attributes)."""
    __slots__ = ("domain", "name")
    domain: str
    name: str