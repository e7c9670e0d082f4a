"""Errors about agents: every message names the agent and what went wrong.

Plain exceptions, so the daemon can raise them; the shell re-raises them as its own
reportable errors at the one place it calls in here (its catalogue).
"""

from __future__ import annotations


class AgentError(Exception):
    """An agent could not be found, run, or understood (bad spec, failing or malformed
    meta-data). `agent` is the spec as written or as resolved."""

    def __init__(self, agent: str, problem: str) -> None:
        super().__init__(f"{agent}: {problem}")
        self.agent = agent
        self.problem = problem


class UnknownAgentError(AgentError):
    """No agent of that class, provider and type is installed."""
