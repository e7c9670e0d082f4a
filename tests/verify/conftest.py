"""One agent catalogue (with its own cache) for all verify tests."""

from __future__ import annotations

import pytest

from crmshell.agents import AgentCatalog, AgentRoots


@pytest.fixture(scope="session")
def catalog(tmp_path_factory) -> AgentCatalog:
    return AgentCatalog(AgentRoots(), tmp_path_factory.mktemp("agent-cache"))
