"""OCF resource agents: `$OCF_ROOT/resource.d/<provider>/<type> <action>`.

The environment is what Pacemaker gives an agent: the OCF version and root, the resource's
instance name, type and provider, every instance attribute as `OCF_RESKEY_<name>` (except
`OCF_CHECK_LEVEL`, passed under its own name) and every meta-attribute of the operation as
`OCF_RESKEY_CRM_meta_<name>`, plus a safe PATH. The exit reason is the last
`ocf-exit-reason:` line the agent wrote to standard error, cut at 128 characters.
"""

from __future__ import annotations

from collections.abc import Mapping

from daemon.executor import codes
from daemon.executor.classes.base import (EXIT_REASON_MAX, Invocation, Outcome, is_executable,
                                          not_installed, plain_env)
from daemon.executor.meta import discovery
from daemon.executor.meta.discovery import AgentRoots
from daemon.executor.model import OpRequest

EXIT_REASON_PREFIX = "ocf-exit-reason:"


def environment(req: OpRequest, ocf_root: str, extra: Mapping[str, str]) -> dict[str, str]:
    env = plain_env(extra)
    env.update({
        "OCF_ROOT": ocf_root,
        "OCF_RA_VERSION_MAJOR": "1",
        "OCF_RA_VERSION_MINOR": "1",
        "OCF_EXIT_REASON_PREFIX": EXIT_REASON_PREFIX,
        "OCF_RESOURCE_INSTANCE": req.rsc_id,
        "OCF_RESOURCE_TYPE": req.agent.type,
    })
    if req.agent.provider:
        env["OCF_RESOURCE_PROVIDER"] = req.agent.provider
    for name, value in req.params.items():
        env[name if name == "OCF_CHECK_LEVEL" else f"OCF_RESKEY_{name}"] = value
    for name, value in req.crm_meta().items():
        env[f"OCF_RESKEY_{name}"] = value
    return env


def exit_reason(stderr: bytes) -> str:
    """The text after the last `ocf-exit-reason:` marker, to the end of its line."""
    text = stderr.decode(errors="replace")
    at = text.rfind(EXIT_REASON_PREFIX)
    if at < 0:
        return ""
    reason = text[at + len(EXIT_REASON_PREFIX):].split("\n", 1)[0]
    return reason.strip()[:EXIT_REASON_MAX]


class OcfClass:
    standard = "ocf"

    def __init__(self, roots: AgentRoots, extra_env: Mapping[str, str]) -> None:
        self.roots = roots
        self.extra_env = dict(extra_env)

    def prepare(self, req: OpRequest) -> Invocation | Outcome:
        path = discovery.ocf_agent_path(self.roots, req.agent.provider or "", req.agent.type)
        if not path.is_file():
            return not_installed(req, f"no {path}")
        if not is_executable(path):
            return Outcome(codes.OCF_ERR_PERM, codes.EXEC_ERROR, f"{path} is not executable")
        env = environment(req, str(self.roots.ocf_root), self.extra_env)
        return Invocation((str(path), req.action), env, None, self.standard)

    def interpret(self, req: OpRequest, exit_code: int, stdout: bytes, stderr: bytes
                  ) -> Outcome:
        return Outcome(codes.ocf_from_exit(exit_code), codes.EXEC_DONE, exit_reason(stderr))
