"""Errors of the agent catalogue: every message names the agent and what went wrong."""

from __future__ import annotations

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
