"""What the executor is asked to do and what it answers, as frozen values.

An `OpRequest` carries everything an agent run needs and everything the status section
records about it afterwards (the parameters and meta-attributes also make the op-digest),
so a result can be recorded from the `OpResult` alone, on this node or on the DC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import total_ordering
from types import MappingProxyType

# Standards whose agents are named with a provider (`ocf:heartbeat:IPaddr2`).
CLASSES_WITH_PROVIDER = frozenset({"ocf"})
KNOWN_STANDARDS = frozenset({"ocf", "lsb", "service", "systemd", "stonith"})

_EMPTY: Mapping[str, str] = MappingProxyType({})


@total_ordering
@dataclass(frozen=True)
class AgentSpec:
    """A resolved agent name: `ocf:heartbeat:IPaddr2`, `stonith:fence_xvm`, `lsb:foo`.

    `provider` is None for standards without providers; an empty string is taken as None,
    so names read from XML attributes, the shell and JSON compare equal. `standard` is
    empty only for the Pacemaker daemons the shell shows as pseudo-agents.
    """

    standard: str
    provider: str | None
    type: str

    def __post_init__(self) -> None:
        if self.provider == "":
            object.__setattr__(self, "provider", None)

    @property
    def cls(self) -> str:
        """The standard under the name the shell's catalogue uses."""
        return self.standard

    @classmethod
    def parse(cls, text: str) -> AgentSpec:
        """`class:provider:type` for OCF, `class:type` otherwise; ValueError naming `text`
        and what is wrong with it."""
        parts = text.split(":")
        if any(not p.strip() for p in parts) or not 2 <= len(parts) <= 3:
            raise ValueError(f"'{text}' is not an agent name "
                             "(expected class:provider:type or class:type)")
        standard = parts[0]
        if standard not in KNOWN_STANDARDS:
            raise ValueError(f"'{text}': unknown agent class '{standard}' "
                             f"(known: {', '.join(sorted(KNOWN_STANDARDS))})")
        if standard in CLASSES_WITH_PROVIDER:
            if len(parts) != 3:
                raise ValueError(f"'{text}': class {standard} needs a provider")
            return cls(standard, parts[1], parts[2])
        if len(parts) != 2:
            raise ValueError(f"'{text}': class {standard} does not take a provider")
        return cls(standard, None, parts[1])

    def __str__(self) -> str:
        if not self.standard:  # a Pacemaker daemon shown as an agent
            return self.type
        if self.provider:
            return f"{self.standard}:{self.provider}:{self.type}"
        return f"{self.standard}:{self.type}"

    def _key(self) -> tuple[str, str, str]:
        return (self.standard, self.provider or "", self.type)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, AgentSpec):
            return NotImplemented
        return self._key() < other._key()


@dataclass(frozen=True)
class OpRequest:
    """One operation for one resource.

    `params` are the instance attributes as evaluated for this node; `meta` the action's
    meta-attributes without the `CRM_meta_` prefix and with dashes as underscores (timeout,
    interval, op_target_rc, clone, notify_* ...), as the transition graph carries them.
    `transition_key` is recorded with the result; None for operations the controller did
    not take from a transition (a fake key is recorded then, as Pacemaker does).
    """

    rsc_id: str
    agent: AgentSpec
    action: str
    interval_ms: int
    timeout_ms: int
    params: Mapping[str, str] = field(default_factory=lambda: _EMPTY, hash=False)
    meta: Mapping[str, str] = field(default_factory=lambda: _EMPTY, hash=False)
    transition_key: str | None = None
    start_delay_ms: int = 0

    def __post_init__(self) -> None:
        # Read-only copies: a request is shared by the executor, its monitors and history.
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))

    @property
    def op_key(self) -> str:
        """`<rsc>_<action>_<interval>`, the operation key Pacemaker uses."""
        return f"{self.rsc_id}_{self.action}_{self.interval_ms}"

    @property
    def is_probe(self) -> bool:
        return self.action == "monitor" and self.interval_ms == 0

    @property
    def expected_rc(self) -> int:
        """What the scheduler expects: from the transition key ('action:transition:rc:uuid'),
        else the `op_target_rc` meta-attribute, else 0 (success)."""
        if self.transition_key:
            parts = self.transition_key.split(":", 3)
            if len(parts) == 4 and parts[2].lstrip("-").isdigit():
                return int(parts[2])
        target = self.meta.get("op_target_rc", "")
        return int(target) if target.lstrip("-").isdigit() else 0

    def crm_meta(self) -> dict[str, str]:
        """The meta-attributes as Pacemaker hands them over (`CRM_meta_<name>`), with the
        interval and timeout always present, as every agent run sees them."""
        out = {f"CRM_meta_{name.replace('-', '_')}": value for name, value in self.meta.items()}
        out.setdefault("CRM_meta_interval", str(self.interval_ms))
        out.setdefault("CRM_meta_timeout", str(self.timeout_ms))
        return out


@dataclass(frozen=True)
class OpResult:
    """What one run of an operation did.

    `rc` is the OCF exit code (other standards' codes are mapped to it), `op_status` the
    execution status (`codes.EXEC_*`); `output` a bounded tail of what the agent printed
    (standard output, then standard error); `started_ms` the wall clock when the agent
    started (ms since the epoch), `exec_ms` how long it ran, `queue_ms` how long the request
    waited for its resource or a free slot. `cancelled` lists the operation keys of the
    recurring operations a stop cancelled before it ran (their history goes with them).
    """

    request: OpRequest
    call_id: int
    rc: int
    op_status: int
    exit_reason: str = ""
    output: str = ""
    started_ms: int = 0
    exec_ms: int = 0
    queue_ms: int = 0
    cancelled: tuple[str, ...] = ()

    @property
    def rsc_id(self) -> str:
        return self.request.rsc_id
