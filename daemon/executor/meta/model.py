"""What an agent's meta-data says, as plain frozen values.

The values round-trip through plain dicts (`to_dict` / `from_dict`) because the shell's
on-disk cache stores them as JSON: reading a cached agent must not need lxml or the agent.
The daemon reads the same values to decide what a reload can change (`reloadable`,
`unique`) and which parameters are secret (`private`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from daemon.executor.model import AgentSpec


@dataclass(frozen=True)
class Parameter:
    """One `<parameter>` of the meta-data.

    `obsoletes` names the older parameter this one replaces (OCF 1.0 style); `replaced_by`
    names the newer one that replaces this deprecated parameter (OCF 1.1 style). `origin` is
    "agent", or "fencer" for the `pcmk_*` parameters the fencer accepts for every device.
    `reloadable` (OCF 1.1) marks what a reload-agent can change without a restart; `private`
    what must not appear in a digest others may read.
    """

    name: str
    required: bool = False
    unique: bool = False
    type: str = "string"
    default: str | None = None
    shortdesc: str = ""
    longdesc: str = ""
    deprecated: bool = False
    obsoletes: str | None = None
    replaced_by: str | None = None
    allowed: tuple[str, ...] = ()
    origin: str = "agent"
    reloadable: bool = False
    private: bool = False

    @property
    def effectively_required(self) -> bool:
        """Required and not on its way out: a deprecated or replacing parameter can be satisfied
        by its other name, so crmsh (and we) do not insist on it by this name."""
        return self.required and not self.deprecated and not self.obsoletes


@dataclass(frozen=True)
class Action:
    """One `<action>`: the advised timeout and interval, and every attribute in the order the
    agent wrote them (`ra info` prints them in that order)."""

    name: str
    timeout: str | None = None
    interval: str | None = None
    depth: str | None = None
    role: str | None = None
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AgentMeta:
    """`version` is what `ra info` shows (the `<version>` element, else the agent's own
    version attribute); `ocf_version` only the `<version>` element, the OCF version the
    agent implements, which decides how it reloads."""

    spec: AgentSpec
    shortdesc: str = ""
    longdesc: str = ""
    version: str = ""
    parameters: tuple[Parameter, ...] = ()
    actions: tuple[Action, ...] = ()
    ocf_version: str = ""
    _by_name: dict[str, Parameter] = field(default_factory=dict, compare=False, repr=False)
    _action_names: set[str] = field(default_factory=set, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update((p.name, p) for p in reversed(self.parameters))
        self._action_names.update(a.name for a in self.actions)

    def parameter(self, name: str) -> Parameter | None:
        return self._by_name.get(name)

    @property
    def parameter_names(self) -> frozenset[str]:
        return frozenset(self._by_name)

    @property
    def action_names(self) -> frozenset[str]:
        return frozenset(self._action_names)

    def has_action(self, name: str) -> bool:
        return name in self._action_names

    def action(self, name: str, role: str | None = None, depth: str | None = None
               ) -> Action | None:
        """The advertised action that best matches: same role (case-insensitive) and depth if
        the agent lists several monitors, else the first of that name."""
        candidates = [a for a in self.actions if a.name == name]
        if not candidates:
            return None
        if role:
            by_role = [a for a in candidates if (a.role or "").lower() == role.lower()]
            candidates = by_role or candidates
        if depth:
            by_depth = [a for a in candidates if (a.depth or "0") == depth]
            candidates = by_depth or candidates
        return candidates[0]

    @property
    def implements_ocf_1_1(self) -> bool:
        return self.spec.standard == "ocf" and _version_at_least(self.ocf_version, (1, 1))

    @property
    def supports_reload_agent(self) -> bool:
        """OCF 1.1 reload: parameters marked `reloadable` change without a restart. Pacemaker
        uses reload-agent only from agents that declare OCF 1.1 or later."""
        return self.implements_ocf_1_1 and "reload-agent" in self._action_names

    @property
    def supports_legacy_reload(self) -> bool:
        """Pre-1.1 reload: every parameter not marked `unique` changes without a restart
        (only for agents that do not declare OCF 1.1)."""
        return (not self.implements_ocf_1_1
                and any(a.lower() == "reload" for a in self._action_names))

    @property
    def private_parameters(self) -> list[str]:
        """Parameters whose values stay out of shared digests: those marked `private`, or,
        for agents that mark none, the ones named password, passwd or user (as Pacemaker
        assumes for older agents)."""
        marked = [p.name for p in self.parameters if p.private]
        if marked:
            return marked
        return [p.name for p in self.parameters if p.name in ("password", "passwd", "user")]

    def with_parameters(self, extra: tuple[Parameter, ...]) -> AgentMeta:
        """A copy with `extra` appended (those whose name the agent does not define already)."""
        own = self.parameter_names
        added = tuple(p for p in extra if p.name not in own)
        return AgentMeta(self.spec, self.shortdesc, self.longdesc, self.version,
                         self.parameters + added, self.actions, self.ocf_version)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "spec": [self.spec.standard, self.spec.provider or "", self.spec.type],
            "shortdesc": self.shortdesc, "longdesc": self.longdesc, "version": self.version,
            "parameters": [_param_dict(p) for p in self.parameters],
            "actions": [[a.name, [list(kv) for kv in a.attrs]] for a in self.actions],
        }
        if self.ocf_version:
            out["ocf_version"] = self.ocf_version
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AgentMeta:
        params = tuple(
            Parameter(**{**p, "allowed": tuple(p.get("allowed", ()))}) for p in data["parameters"])
        actions = tuple(make_action(name, [(k, v) for k, v in attrs])
                        for name, attrs in data["actions"])
        return cls(AgentSpec(*data["spec"]), data["shortdesc"], data["longdesc"],
                   data["version"], params, actions, data.get("ocf_version", ""))


def _param_dict(p: Parameter) -> dict[str, Any]:
    defaults = _PARAM_DEFAULTS
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in p.__dict__.items()
            if k == "name" or v != defaults[k]}


_PARAM_DEFAULTS = Parameter(name="").__dict__


def make_action(name: str, attrs: list[tuple[str, str]]) -> Action:
    """An Action from its attributes as listed (the `name` attribute excluded)."""
    values = dict(attrs)
    return Action(name=name, timeout=values.get("timeout"), interval=values.get("interval"),
                  depth=values.get("depth"), role=values.get("role"), attrs=tuple(attrs))


def _version_at_least(text: str, wanted: tuple[int, ...]) -> bool:
    """Dotted versions compared part by part as numbers, as Pacemaker compares them."""
    parts = []
    for piece in text.strip().split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return bool(text.strip()) and tuple(parts) >= wanted
