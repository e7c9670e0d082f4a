"""What sort of thing fits where the cursor is: small frozen values, no look-ups.

Completion runs in two stages (as pgcli does): deciding the kind only reads the line (see
`suggest.py` and `definitions.py`); `matchers.py` turns each kind into candidates from the
environment. Levels name the kinds their commands' arguments take (`@command(completers=...)`),
so this module must stay free of imports beyond the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """One completion: `text` replaces the line from `start` to the cursor; `display` is what a
    menu shows and `meta` a short description (type, default, summary)."""

    text: str
    display: str = ""
    meta: str = ""
    start: int = 0

    def __post_init__(self) -> None:
        if not self.display:
            object.__setattr__(self, "display", self.text)


@dataclass(frozen=True)
class Choice:
    """Fixed words, each with a description."""

    items: tuple[tuple[str, str], ...]


def choice(*words: str, meta: str = "") -> Choice:
    return Choice(tuple((w, meta) for w in words))


@dataclass(frozen=True)
class Keywords:
    """Grammar keywords that may come next: (word, description)."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ObjectIds:
    """Ids of configuration objects of these crmsh kinds (None: every kind). `kinds` may
    name the pseudo-kinds `resource`, `constraint` and `fencing` (stonith primitives)."""

    kinds: frozenset[str] | None = None
    prefix: str = ""  # put before each id (`@` for templates, `role:` for ACL roles)
    suffix: str = ""


RESOURCES = frozenset({"resource"})
PRIMITIVES = frozenset({"primitive"})
CONSTRAINTS = frozenset({"constraint"})


@dataclass(frozen=True)
class AgentName:
    """`[class:[provider:]]type`, completed one part at a time."""


@dataclass(frozen=True)
class AgentClass:
    pass


@dataclass(frozen=True)
class AgentProvider:
    pass


@dataclass(frozen=True)
class AgentType:
    cls: str = "ocf"


@dataclass(frozen=True)
class Attributes:
    """`name=` of a set of attributes; `domain` says which names: `params:<agent>`,
    `meta:<kind>`, `op:<agent>:<op name>`, `op_defaults`, `property`. Names already given are
    left out."""

    domain: str
    given: frozenset[str] = frozenset()


@dataclass(frozen=True)
class OpNames:
    agent: str | None


@dataclass(frozen=True)
class NodeNames:
    suffix: str = ""


@dataclass(frozen=True)
class ShadowNames:
    live: bool = False  # offer `live` too (cib use)


@dataclass(frozen=True)
class FilePaths:
    stdin: bool = True  # offer `-`


@dataclass(frozen=True)
class Selectors:
    """`show`/`edit`/`save` selectors: ids, type:, tag:, related:, changed, and/or, xml."""

    xml: bool = True


@dataclass(frozen=True)
class SetPath:
    """`set <id>.[<op>.[<interval>.]]<name>`."""


@dataclass(frozen=True)
class LevelPath:
    """A `cd` target: sub-levels, `..` and `/`."""


@dataclass(frozen=True)
class HelpTopic:
    pass


@dataclass(frozen=True)
class Then:
    """The kind of each argument depends on the ones before: `pick(args) -> kind | None`."""

    pick: object

    def __call__(self, args: list[str]):
        return self.pick(args)  # type: ignore[operator]


@dataclass(frozen=True)
class AttrValue:
    """The value after `name=` in a set of attributes (`domain` as for Attributes)."""

    domain: str
    name: str
