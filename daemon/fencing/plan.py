"""The fencing plan for one node: which devices, in which order, told what (pure).

`plan_fencing(cib, target, action)` answers the question Pacemaker's fencer answers before
running any agent:

- with a `fencing-topology` for the target, its levels in index order: each level's devices
  must all succeed, and the next level is tried when one fails. A level whose devices cannot
  all be used (unknown, disabled, kept from the executing node, unable to fence the target,
  misconfigured) is left out with a note, as Pacemaker's fencer cannot execute it either;
- without one, every device able to fence the target (`capable`), highest `priority` first,
  then in CIB order, each a level of its own: the first that succeeds is enough.

A reboot through a level of several devices becomes `off` on every device, then `on` on
every device (Pacemaker's remapping: two power switches rebooted one after the other would
never cut a node with two power supplies); only the `off` steps decide success. A device
whose agent (by its meta-data) cannot reboot is asked for `off` instead.

Each step carries what the runner needs and nothing it must look up: the agent, the action
it is told, its parameters (secrets included, kept out of `repr`), its timeout
(`pcmk_<action>_timeout`, else the fencing timeout: `stonith-timeout`, 60 s by default), its
attempts (`pcmk_<action>_retries`, default 2: Pacemaker's count of tries, within the
timeout) and its delays. Configuration problems never raise: they are collected in
`Plan.problems`, naming the element and attribute; `check_configuration` lists them all.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from daemon.cib.options import OptionValueError, parse_duration_ms, parse_integer
from daemon.executor.classes.stonith import fence_stdin
from daemon.fencing import capable, delays
from daemon.fencing.agent_params import TARGET_ACTIONS, action_for_agent, agent_params
from daemon.fencing.capable import NO_FACTS, AgentFacts
from daemon.fencing.devices import Device, read_devices
from daemon.fencing.errors import FencingConfigError
from daemon.fencing.topology import TopologyLevel, levels_for, node_attributes, read_topology

DEFAULT_TIMEOUT_MS = 60_000     # stonith-timeout (fencing-timeout) default
DEFAULT_ATTEMPTS = 2            # pcmk_<action>_retries default


@dataclass(frozen=True)
class Step:
    """One device asked to perform one action on the target."""

    device: str
    agent: str
    action: str
    agent_action: str
    port: str | None
    params: Mapping[str, str] = field(repr=False)
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    attempts: int = DEFAULT_ATTEMPTS
    delay_base_ms: int = 0
    delay_max_ms: int = 0
    required: bool = True
    private: tuple[str, ...] = field(default=(), repr=False)

    def stdin(self) -> bytes:
        """The agent's standard input: `action=` and the parameters, one `key=value` a line."""
        return fence_stdin(self.agent_action, self.params)


@dataclass(frozen=True)
class Level:
    """Steps that must all succeed (those `required`). `index` and `id` name the topology
    level; both are None for a device tried on its own (no topology)."""

    steps: tuple[Step, ...]
    index: int | None = None
    id: str | None = None

    @property
    def devices(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.device for s in self.steps))


@dataclass(frozen=True)
class Plan:
    """The levels to try in order; `topology` says whether they come from fencing-topology.
    `notes` say what was left out and why; `problems` are the configuration errors met."""

    target: str
    action: str
    levels: tuple[Level, ...]
    topology: bool
    notes: tuple[str, ...] = ()
    problems: tuple[FencingConfigError, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether there is anything to try."""
        return bool(self.levels)

    def delay_ms(self, rng: random.Random, requested_ms: int = 0) -> int:
        """The delay before the first attempt: the first step's `pcmk_delay_base`/`max` (drawn
        from `rng`) plus `requested_ms` (the priority delay; negative: no delay at all)."""
        if not self.levels:
            return 0
        first = self.levels[0].steps[0]
        return delays.total_delay_ms(
            delays.device_delay_ms(first.delay_base_ms, first.delay_max_ms, rng), requested_ms)


def action_timeout_ms(device: Device, action: str, default_ms: int) -> int:
    """`pcmk_<action>_timeout` of the device, else `default_ms` (FencingConfigError for a
    value that is not a duration)."""
    name = f"pcmk_{action}_timeout"
    text = device.params.get(name)
    if not text:
        return default_ms
    try:
        return parse_duration_ms(text)
    except OptionValueError as err:
        raise FencingConfigError(device.id, name, str(err)) from None


def _attempts(device: Device, action: str) -> int:
    name = f"pcmk_{action}_retries"
    text = device.params.get(name)
    if not text:
        return DEFAULT_ATTEMPTS
    try:
        return max(1, parse_integer(text))
    except OptionValueError as err:
        raise FencingConfigError(device.id, name, str(err)) from None


@dataclass(frozen=True)
class _Request:
    target: str
    facts: AgentFacts
    executing_node: str | None
    timeout_ms: int
    nodeid: int | None


def _step(device: Device, action: str, req: _Request, required: bool = True) -> Step:
    meta = req.facts.meta_of(device.agent)
    if action == "reboot" and meta is not None and not meta.has_action("reboot"):
        action = "off"
    host_arg = capable.host_argument(device, req.facts)
    port = None if host_arg.lower() == "none" else capable.port_of(device, req.target)
    wants_nodeid = meta is not None and meta.parameter("nodeid") is not None
    params = agent_params(device, req.target, port=port, host_arg=host_arg,
                          nodeid=req.nodeid if wants_nodeid else None)
    base = maximum = 0
    if action in delays.FENCING_ACTIONS:
        base = delays.delay_base_ms(device.params.get(delays.DELAY_BASE), req.target,
                                    device_id=device.id)
        maximum = delays.delay_max_ms(device.params.get(delays.DELAY_MAX), device_id=device.id)
    return Step(device.id, device.agent, action, action_for_agent(device, action), port,
                MappingProxyType(params), action_timeout_ms(device, action, req.timeout_ms),
                _attempts(device, action), base, maximum, required,
                tuple(meta.private_parameters) if meta is not None else ())


def _blocked(device: Device | None, name: str, req: _Request) -> str | None:
    """Why `device` cannot be used from the executing node at all, or None."""
    if device is None:
        return f"{name} is not a fence device of the configuration"
    if device.disabled:
        return f"{name} is disabled (target-role=Stopped)"
    if not device.may_execute_on(req.executing_node):
        return f"{name} may not run on {req.executing_node} (location constraint)"
    return None


def _incapable(device: Device, req: _Request) -> str | None:
    if capable.can_fence(device, req.target, req.facts):
        return None
    return f"{device.id} cannot fence {req.target} ({capable.check_mode(device, req.facts)})"


def _missing_devices(level: TopologyLevel, devices: dict[str, Device]
                     ) -> FencingConfigError | None:
    missing = [n for n in level.devices if n not in devices]
    if not missing:
        return None
    return FencingConfigError(level.id, "devices", "names no fence device "
                              + ", ".join(f"'{n}'" for n in missing))


def _level_steps(names: tuple[str, ...], devices: dict[str, Device], action: str,
                 req: _Request) -> tuple[Step, ...]:
    used = [devices[n] for n in names]
    if action != "reboot" or len(used) < 2:
        return tuple(_step(d, action, req) for d in used)
    offs = [_step(d, "off", req) for d in used]
    ons = [_step(d, "on", req, required=False) for d in used
           if (meta := req.facts.meta_of(d.agent)) is None or meta.has_action("on")]
    return tuple(offs + ons)


def _topology_levels(chosen: list[TopologyLevel], devices: dict[str, Device], action: str,
                     req: _Request, notes: list[str], problems: list[FencingConfigError]
                     ) -> list[Level]:
    out: list[Level] = []
    for level in chosen:
        where = f"level {level.index} ({level.id}) left out"
        missing = _missing_devices(level, devices)
        if missing is not None:
            problems.append(missing)
            notes.append(f"{where}: {missing}")
            continue
        used = [devices[n] for n in level.devices]
        for device in used:
            problems.extend(capable.map_problems(device))
        try:
            why = next((w for d in used
                        if (w := _blocked(d, d.id, req) or _incapable(d, req))), None)
            if why is None:
                out.append(Level(_level_steps(level.devices, devices, action, req),
                                 level.index, level.id))
            else:
                notes.append(f"{where}: {why}")
        except FencingConfigError as err:
            problems.append(err)
            notes.append(f"{where}: {err}")
    return out


def _device_levels(devices: dict[str, Device], action: str, req: _Request, notes: list[str],
                   problems: list[FencingConfigError]) -> list[Level]:
    out: list[Level] = []
    for device in sorted(devices.values(), key=lambda d: (-d.priority, d.order)):
        problems.extend(capable.map_problems(device))
        try:
            blocked = _blocked(device, device.id, req)
            if blocked is not None:
                notes.append(blocked)
            elif _incapable(device, req) is None:
                out.append(Level((_step(device, action, req),)))
        except FencingConfigError as err:
            problems.append(err)
            notes.append(f"{device.id} left out: {err}")
    return out


def plan_fencing(cib, target: str, action: str = "reboot", *, facts: AgentFacts = NO_FACTS,
                 executing_node: str | None = None, timeout_ms: int = DEFAULT_TIMEOUT_MS,
                 nodeid: int | None = None, now_s: int = 0) -> Plan:
    """The plan for fencing `target` with `action` (reboot, off or on), run from
    `executing_node` (None: no node is kept from any device). `timeout_ms` is the fencing
    timeout for devices without their own; `nodeid` the target's corosync id, passed to agents
    that ask for it. ValueError only for an action or target the caller got wrong."""
    if action not in TARGET_ACTIONS:
        raise ValueError(f"'{action}' is not a fencing action ({', '.join(TARGET_ACTIONS)})")
    if not target:
        raise ValueError("fencing needs a target node")
    devices, problems = read_devices(cib, now_s=now_s)
    levels, topology_problems = read_topology(cib)
    problems.extend(topology_problems)
    req = _Request(target, facts, executing_node, timeout_ms, nodeid)
    notes: list[str] = []
    chosen = levels_for(levels, target, node_attributes(cib, target))
    if chosen:
        planned = _topology_levels(chosen, devices, action, req, notes, problems)
    else:
        planned = _device_levels(devices, action, req, notes, problems)
    if not planned:
        notes.append(f"no fence device can {action} {target}")
    unique = tuple({str(p): p for p in problems}.values())
    return Plan(target, action, tuple(planned), bool(chosen), tuple(notes), unique)


def check_configuration(cib, facts: AgentFacts = NO_FACTS) -> list[FencingConfigError]:
    """Every fencing configuration problem of `cib`, for a verify: devices, their host
    checks, maps, delays, timeouts and retries, and levels (their devices must exist)."""
    devices, problems = read_devices(cib)
    levels, topology_problems = read_topology(cib)
    problems.extend(topology_problems)
    for device in devices.values():
        problems.extend(capable.map_problems(device))
        checks = [lambda: capable.check_mode(device, facts),
                  lambda: agent_params(device, None),
                  lambda: delays.delay_base_ms(device.params.get(delays.DELAY_BASE), "",
                                               device_id=device.id),
                  lambda: delays.delay_max_ms(device.params.get(delays.DELAY_MAX),
                                              device_id=device.id)]
        checks += [lambda a=a: (action_timeout_ms(device, a, 0), _attempts(device, a))
                   for a in TARGET_ACTIONS]
        for check in checks:
            try:
                check()
            except FencingConfigError as err:
                problems.append(err)
    problems.extend(m for level in levels if (m := _missing_devices(level, devices)))
    return problems
