"""What a fence agent is told for an action, as Pacemaker's fencer builds it (pure).

The agent reads `key=value` lines on its standard input: `action=` (the cluster action, or
the device's `pcmk_<action>_action` instead), then the device's parameters without the
fencer's own (`pcmk_*`, `CRM_meta_*`, `crm_feature_set`, `action`), then for an action on a
node `nodename=<node>` and the node's port under the device's host argument (`port`, `plug`
or `pcmk_host_argument`; `none` passes none). A port configured on the device itself is
kept, unless it says `dynamic`; a configured `nodename` is kept too. An `action` parameter in
the configuration is mapped as Pacemaker maps it: `off` becomes the device's reboot action,
any other value (but `reboot`) its reboot and off action.

The lines themselves are written by the executor's `fence_stdin`, which every fence agent
run goes through; values holding a newline would forge lines and are refused here first.
"""

from __future__ import annotations

from daemon.executor.classes.stonith import agent_action
from daemon.fencing.devices import Device
from daemon.fencing.errors import FencingConfigError

TARGET_ACTIONS = ("reboot", "off", "on")
_NOT_PASSED = frozenset({"action", "crm_feature_set"})


def effective_params(device: Device) -> dict[str, str]:
    """The device's parameters with a configured `action` mapped to `pcmk_*_action`."""
    params = dict(device.params)
    value = params.pop("action", None)
    if value and value != "reboot":
        for name in (("reboot",) if value == "off" else ("off", "reboot")):
            params.setdefault(f"pcmk_{name}_action", value)
    return params


def action_for_agent(device: Device, action: str) -> str:
    """The action the agent is asked to perform for the cluster's `action`."""
    return agent_action(action, effective_params(device))


def _passed(name: str) -> bool:
    return not (name.startswith("pcmk_") or "CRM_meta" in name or name in _NOT_PASSED)


def agent_params(device: Device, target: str | None, *, port: str | None = None,
                 host_arg: str = "port", nodeid: int | None = None) -> dict[str, str]:
    """The parameters after `action=`: for an action on `target` with the target known to the
    device as `port` under `host_arg`; `target=None` for list, status of the device, monitor.
    `nodeid` is passed when given (agents that advertise a `nodeid` parameter want it).
    FencingConfigError names a parameter whose value holds a newline."""
    params = {k: v for k, v in effective_params(device).items() if _passed(k)}
    for name, value in params.items():
        if "\n" in value or "\r" in value or "\n" in name:
            raise FencingConfigError(device.id, name, "the value holds a line break, which "
                                     "would forge lines on the agent's input")
    if target is None:
        return params
    params.setdefault("nodename", target)
    if nodeid is not None:
        params.setdefault("nodeid", str(nodeid))
    if host_arg.lower() != "none" and params.get(host_arg, "dynamic").lower() == "dynamic":
        params[host_arg] = port if port is not None else target
    return params

