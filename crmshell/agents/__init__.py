"""Resource and fence agents: discovery, crmsh-style names, cached meta-data, `ra` formatting.

Entry point: `AgentCatalog(roots, cache_dir)`. Importing this package does not import lxml;
only parsing fresh meta-data does.
"""

from crmshell.agents.catalog import AgentCatalog
from crmshell.agents.discovery import AgentRoots
from crmshell.agents.errors import AgentError, UnknownAgentError
from crmshell.agents.model import Action, AgentMeta, AgentSpec, Parameter

__all__ = ["AgentCatalog", "AgentRoots", "AgentError", "UnknownAgentError", "Action",
           "AgentMeta", "AgentSpec", "Parameter"]
