"""Fence agents (`stonith:fence_*`): parameters on standard input, one `key=value` a line.

The executor runs a fence device's resource operations as Pacemaker's executor and fencer
do between them: `start` registers the device and checks it with the agent's monitor,
`stop` unregisters it (nothing runs), `monitor` of a registered device runs the agent's
monitor (a `pcmk_monitor_action` parameter names another action, as for every
`pcmk_<action>_action`) and of an unregistered one answers 'not running'. `status`, `list`
and `metadata` run the agent's action of that name.

The fencer's own `pcmk_*` parameters are not passed to the agent. A value holding a
newline would forge further lines on the agent's input and is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from daemon.executor import codes
from daemon.executor.classes.base import (Invocation, Outcome, is_executable, last_line,
                                          not_installed, plain_env, unsupported)
from daemon.executor.meta import discovery
from daemon.executor.meta.discovery import AgentRoots
from daemon.executor.model import AgentSpec, OpRequest

AGENT_ACTIONS = frozenset({"monitor", "status", "list", "metadata"})
HOST_ARGUMENT = "pcmk_host_argument"
HOST_MAP = "pcmk_host_map"


def agent_action(action: str, params: Mapping[str, str],
                 advertised: frozenset[str] | None = None) -> str:
    """The agent action that carries out `action`: the `pcmk_<action>_action` override,
    else the action itself; a monitor falls back to status, then list, for agents whose
    meta-data (when known) does not offer it."""
    override = params.get(f"pcmk_{action}_action")
    if override:
        return override
    if action == "monitor" and advertised is not None and "monitor" not in advertised:
        for fallback in ("status", "list"):
            if fallback in advertised:
                return fallback
    return action


def host_port(target: str, params: Mapping[str, str]) -> str:
    """The port (plug) a node is known by to the device: `pcmk_host_map` ('node:port;...'),
    else the node's name."""
    for item in params.get(HOST_MAP, "").replace(",", ";").replace(" ", ";").split(";"):
        name, sep, port = item.partition(":")
        if sep and name.strip() == target:
            return port.strip()
    return target


def fence_stdin(action: str, params: Mapping[str, str], target: str | None = None) -> bytes:
    """The agent's standard input: `action=`, then the device's own parameters, then for an
    action on a node its port under the device's host argument (`port` unless
    `pcmk_host_argument` says otherwise; `none` passes none) and `nodename=`.
    ValueError names a parameter whose value holds a newline."""
    lines = [f"action={action}"]
    for name, value in params.items():
        if name.startswith("pcmk_") or name.startswith("CRM_meta_") or name == "action":
            continue
        if "\n" in value or "\r" in value or "\n" in name:
            raise ValueError(f"parameter {name} holds a newline")
        lines.append(f"{name}={value}")
    if target is not None:
        host_arg = params.get(HOST_ARGUMENT, "port")
        if host_arg != "none":
            lines.append(f"{host_arg}={host_port(target, params)}")
        lines.append(f"nodename={target}")
    return ("\n".join(lines) + "\n").encode()


class FenceClass:
    """Fence devices of one executor; `devices` are the registered ones (by resource id).
    `advertised(spec)` gives an agent's actions from meta-data already fetched, or None."""

    standard = "stonith"

    def __init__(self, roots: AgentRoots, extra_env: Mapping[str, str],
                 advertised: Callable[[AgentSpec], frozenset[str] | None] = lambda spec: None
                 ) -> None:
        self.roots = roots
        self.extra_env = dict(extra_env)
        self.advertised = advertised
        self.devices: dict[str, OpRequest] = {}

    def prepare(self, req: OpRequest) -> Invocation | Outcome:
        if req.action == "stop":
            self.devices.pop(req.rsc_id, None)
            return Outcome(codes.OCF_SUCCESS, codes.EXEC_DONE)
        if req.action == "monitor" and req.rsc_id not in self.devices:
            return Outcome(codes.OCF_NOT_RUNNING, codes.EXEC_DONE)
        if req.action != "start" and req.action not in AGENT_ACTIONS:
            return unsupported(req)
        path = discovery.fence_agent_path(self.roots, req.agent.type)
        if not path.is_file():
            return not_installed(req, f"no {path}")
        if not is_executable(path):
            return Outcome(codes.OCF_ERR_PERM, codes.EXEC_ERROR, f"{path} is not executable")
        wanted = "monitor" if req.action == "start" else req.action
        action = agent_action(wanted, req.params, self.advertised(req.agent))
        try:
            stdin = fence_stdin(action, req.params)
        except ValueError as err:
            return Outcome(codes.OCF_ERR_CONFIGURED, codes.EXEC_ERROR_FATAL, str(err))
        return Invocation((str(path),), plain_env(self.extra_env), stdin, self.standard)

    def interpret(self, req: OpRequest, exit_code: int, stdout: bytes, stderr: bytes
                  ) -> Outcome:
        if exit_code == codes.FENCE_OK:
            if req.action == "start":
                self.devices[req.rsc_id] = req
            return Outcome(codes.OCF_SUCCESS, codes.EXEC_DONE)
        reason = last_line(stderr) or f"fence agent exited with status {exit_code}"
        if req.action == "status" and exit_code == codes.FENCE_OFF:
            return Outcome(codes.OCF_NOT_RUNNING, codes.EXEC_DONE)
        return Outcome(codes.OCF_ERR_GENERIC, codes.EXEC_ERROR, reason)
