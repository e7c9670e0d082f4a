"""The `ra` level's commands as text: the catalogue asked, the answer laid out by `ra_text`.

Each function raises a ShellError (AgentError for agents) with crmsh's wording when the class,
provider or agent does not exist; the level only prints what comes back.
"""

from __future__ import annotations

from crmshell.agents.catalog import BASE_CLASSES, AgentCatalog
from crmshell.agents.daemon_meta import daemon_metadata, is_daemon
from crmshell.errors import ShellError
from crmshell.agents.ra_text import classes_text, info_text, list_text, providers_text


def format_classes(catalog: AgentCatalog) -> str:
    return classes_text(catalog.classes(), catalog.providers())


def format_providers(catalog: AgentCatalog, agent_type: str, agent_class: str = "ocf") -> str:
    """Providers of an agent type; only OCF has providers, so other classes list none."""
    return providers_text(catalog.providers(agent_type) if agent_class == "ocf" else [])


def format_list(catalog: AgentCatalog, agent_class: str, provider: str | None = None,
                width: int = 80) -> str:
    # the base classes are always there: only systemd needs asking (systemctl) to know
    if agent_class not in BASE_CLASSES and agent_class not in catalog.classes():
        raise ShellError(f"class {agent_class} does not exist")
    if provider and (agent_class != "ocf" or provider not in catalog.providers()):
        raise ShellError(f"there is no provider {provider} for class {agent_class}")
    return list_text(catalog.types(agent_class, provider), width)


def format_info(catalog: AgentCatalog, agent: str) -> str:
    """`ra info SPEC`; SPEC may also name a Pacemaker daemon for its options."""
    if is_daemon(agent):
        return info_text(daemon_metadata(agent))
    return info_text(catalog.metadata(agent))
