"""`ra validate`: run an agent's validate-all with parameters, as crmsh's `ra validate` does.

OCF agents get the parameters as OCF_RESKEY_* (the executor's OCF class prepares the run);
fence agents, which also offer validate-all, get them on standard input. The run goes
through the executor's process runner (argv, timeout, its process group killed at the end).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Mapping

from crmshell.errors import ShellError


@dataclass(frozen=True)
class Validation:
    agent: str
    rc: int                 # the agent's exit status (None-free: a timeout is an error)
    output: list[str]       # what it printed: standard output, then standard error


def _invocation(catalog, spec, params: Mapping[str, str], timeout_s: float):
    from daemon.executor.classes.base import Outcome, plain_env
    from daemon.executor.classes.ocf import OcfClass
    from daemon.executor.classes.stonith import fence_stdin
    from daemon.executor.meta import discovery
    from daemon.executor.model import OpRequest

    if spec.cls == "ocf":
        req = OpRequest(rsc_id=spec.type, agent=spec, action="validate-all", interval_ms=0,
                        timeout_ms=int(timeout_s * 1000), params=dict(params))
        prepared = OcfClass(catalog.roots, {}).prepare(req)
        if isinstance(prepared, Outcome):
            raise ShellError(f"{spec}: {prepared.exit_reason}")
        return list(prepared.argv), prepared.env, prepared.stdin
    try:
        stdin = fence_stdin("validate-all", params)
    except ValueError as err:
        raise ShellError(f"{spec}: {err}") from None
    return [str(discovery.fence_agent_path(catalog.roots, spec.type))], plain_env({}), stdin


def validate(catalog, name: str, params: Mapping[str, str], *,
             timeout_s: float = 60.0) -> Validation:
    """Run validate-all of the agent `name` (crmsh's [class:[provider:]]type)."""
    from daemon.executor import process

    spec = catalog.resolve(name)
    if spec.cls not in ("ocf", "stonith"):
        raise ShellError(f"{spec}: only OCF resource agents and fence agents validate "
                         "parameters (validate-all)")
    if not catalog.metadata(spec).has_action("validate-all"):
        raise ShellError(f"{spec}: the agent has no validate-all action")
    argv, env, stdin = _invocation(catalog, spec, params, timeout_s)
    try:
        ran = asyncio.run(process.run(argv, env=env, stdin=stdin, timeout_s=timeout_s))
    except OSError as err:
        raise ShellError(f"{spec}: cannot run {argv[0]}: {err.strerror or err}") from None
    if ran.timed_out or ran.exit_code is None:
        raise ShellError(f"{spec}: validate-all did not finish within {timeout_s:g}s"
                         if ran.timed_out else f"{spec}: validate-all was killed by signal "
                         f"{ran.signal}")
    output = [line for data in (ran.stdout_tail, ran.stderr_tail)
              for line in data.decode(errors="replace").splitlines() if line.strip()]
    return Validation(str(spec), ran.exit_code, output)


def report_lines(validation: Validation) -> list[str]:
    """crmsh's way of showing what the agent printed: its ERROR:, WARNING: and INFO: lines as
    they are, anything else as INFO:."""
    out = []
    for line in validation.output:
        if line.startswith(("ERROR: ", "WARNING: ", "INFO: ")):
            out.append(line)
        elif line.startswith("DEBUG: "):
            continue
        else:
            out.append(f"INFO: {line}")
    return out
