"""Whether a device can fence a node: `pcmk_host_check` and its defaults, as Pacemaker decides.

Modes:
- `static-list`: the node is in `pcmk_host_list` or has an entry in `pcmk_host_map`;
- `dynamic-list`: the node (or its port from the map) is in the agent's `list` output;
- `status`: the agent's `status` for the node's port answered 0 (on) or 2 (off);
- `none`: the device can fence any node.

Without `pcmk_host_check` (Pacemaker's "Default Check Type"): static-list if either
`pcmk_host_list` or `pcmk_host_map` is set; otherwise dynamic-list if the agent supports
`list` and its list succeeded; otherwise status if it supports `status`; otherwise none. What
an agent supports comes from its meta-data. Where a fact is missing we stay on the side that
fences nothing rather than everything: without meta-data the default is dynamic-list, and an
agent that offers `list` but has no list yet (failed, or not asked) and no `status` stays on
dynamic-list, where Pacemaker, after a failed first list, would fall to none.

The facts only running the agent can give (its meta-data, its list, its status answers) are
an input, `AgentFacts`, so the decision stays pure: the caller runs the agents
(`run.list_targets`, the executor's meta-data) and passes what they said.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from daemon.executor.meta.model import AgentMeta
from daemon.fencing.devices import Device
from daemon.fencing.errors import FencingConfigError
from daemon.fencing.hostlists import HostMap, in_targets, parse_host_map, parse_targets

STATIC, DYNAMIC, STATUS, NONE = "static-list", "dynamic-list", "status", "none"
CHECK_MODES = (STATIC, DYNAMIC, STATUS, NONE)
HOST_CHECK = "pcmk_host_check"
HOST_LIST = "pcmk_host_list"
HOST_MAP = "pcmk_host_map"
HOST_ARGUMENT = "pcmk_host_argument"

Lists = Mapping[str, Sequence[str]] | Callable[[str], Sequence[str] | None]
Metas = Mapping[str, AgentMeta] | Callable[[str], AgentMeta | None]


@dataclass(frozen=True)
class AgentFacts:
    """What the caller learned by running agents.

    `lists`: device id -> the targets of its last successful `list` (a dict, or a function
    answering None when there is none); `meta`: agent type (`fence_ipmilan`) -> its
    meta-data; `status`: (device id, port) -> whether its `status` said it can fence that
    port (True for exit 0 or 2), None when not asked.
    """

    lists: Lists = field(default_factory=dict)
    meta: Metas = field(default_factory=dict)
    status: Callable[[str, str], bool | None] | None = None

    def listed(self, device_id: str) -> tuple[str, ...] | None:
        found = self.lists(device_id) if callable(self.lists) else self.lists.get(device_id)
        return None if found is None else tuple(found)

    def meta_of(self, agent: str) -> AgentMeta | None:
        return self.meta(agent) if callable(self.meta) else self.meta.get(agent)

    def status_of(self, device_id: str, port: str) -> bool | None:
        return None if self.status is None else self.status(device_id, port)


NO_FACTS = AgentFacts()


def host_map(device: Device) -> HostMap:
    return parse_host_map(device.params.get(HOST_MAP))


def map_problems(device: Device) -> list[FencingConfigError]:
    return [FencingConfigError(device.id, HOST_MAP, why) for why in host_map(device).malformed]


def check_mode(device: Device, facts: AgentFacts = NO_FACTS) -> str:
    """The device's host check (FencingConfigError for a value Pacemaker does not know, or
    static-list with neither a list nor a map)."""
    configured = device.params.get(HOST_CHECK)
    has_static = bool(device.params.get(HOST_LIST) or device.params.get(HOST_MAP))
    if configured is not None:
        mode = configured.strip().lower()
        if mode not in CHECK_MODES:
            raise FencingConfigError(device.id, HOST_CHECK, f"'{configured}' is not one of "
                                     + ", ".join(CHECK_MODES))
        if mode == STATIC and not has_static:
            raise FencingConfigError(device.id, HOST_CHECK, "static-list needs "
                                     f"{HOST_LIST} or {HOST_MAP}")
        return mode
    if has_static:
        return STATIC
    meta = facts.meta_of(device.agent)
    if meta is None:
        return DYNAMIC
    if meta.has_action("list"):
        if facts.listed(device.id) is not None or not meta.has_action("status"):
            return DYNAMIC
        return STATUS
    return STATUS if meta.has_action("status") else NONE


def host_argument(device: Device, facts: AgentFacts = NO_FACTS) -> str:
    """The agent parameter that names the target: `pcmk_host_argument`, else `port` if the
    agent's meta-data has it (or is not known), else `plug`, else `none`."""
    configured = device.params.get(HOST_ARGUMENT)
    if configured:
        return configured
    meta = facts.meta_of(device.agent)
    if meta is None or meta.parameter("port") is not None:
        return "port"
    return "plug" if meta.parameter("plug") is not None else "none"


def port_of(device: Device, target: str) -> str:
    """The name the device knows the target by: its `pcmk_host_map` entry, else its name."""
    return host_map(device).port(target) or target


def can_fence(device: Device, target: str, facts: AgentFacts = NO_FACTS) -> bool:
    """Whether the device can fence `target` by its host check (FencingConfigError as
    `check_mode`)."""
    mode = check_mode(device, facts)
    if mode == NONE:
        return True
    if mode == STATIC:
        return (host_map(device).port(target) is not None
                or in_targets(target, parse_targets(device.params.get(HOST_LIST))))
    port = port_of(device, target)
    if mode == DYNAMIC:
        listed = facts.listed(device.id)
        return listed is not None and in_targets(port, listed)
    return facts.status_of(device.id, port) is True
