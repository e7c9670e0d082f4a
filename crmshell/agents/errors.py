"""Errors of the agent catalogue: every message names the agent and what went wrong.

The daemon's agent code raises its own plain errors; `shell_error` turns one into these,
which the shell reports like any other refusal.
"""

from __future__ import annotations

from daemon.executor.meta import errors as daemon_errors

from crmshell.errors import ShellError


class AgentError(ShellError):
    """An agent could not be found, run, or understood (bad spec, failing or malformed
    meta-data). `agent` is the spec as the user wrote it or as resolved."""

    def __init__(self, agent: str, problem: str) -> None:
        super().__init__(f"{agent}: {problem}")
        self.agent = agent
        self.problem = problem


class UnknownAgentError(AgentError):
    """No agent of that class, provider and type is installed."""


def shell_error(err: daemon_errors.AgentError) -> AgentError:
    kind = UnknownAgentError if isinstance(err, daemon_errors.UnknownAgentError) else AgentError
    return kind(err.agent, err.problem)
