"""Unknown agents said at entry, as crmsh does ("got no meta-data, does this RA exist?").

verify refuses them at commit all the same; this is for the person at the prompt or in the
editor, who should learn of a misspelt agent on the line they typed, not at commit time.
A batch does not call it: its commit (or the end of a failed transaction) verifies, and
the error would otherwise be told twice.
"""

from __future__ import annotations

from typing import Iterable

_AGENT_TAGS = ("primitive", "template")


def unknown_agents(configuration, ids: Iterable[str], catalog) -> list[str]:
    """One message per primitive or template among `ids` whose agent is not installed."""
    from crmshell.agents.errors import AgentError

    messages = []
    for ident in ids:
        elem = _resource(configuration, ident)
        if elem is None or elem.get("type") is None:
            continue  # a primitive from a template takes its agent from the template
        spec = ":".join(p for p in (elem.get("class"), elem.get("provider"), elem.get("type")) if p)
        try:
            catalog.agent_path(spec)
        except AgentError as err:
            messages.append(f"{ident}: {spec}: got no meta-data, does this agent exist? "
                            f"({err.problem})")
    return messages


def _resource(configuration, ident: str):
    resources = configuration.find("resources")
    if resources is None:
        return None
    for elem in resources.iter(*_AGENT_TAGS):
        if elem.get("id") == ident:
            return elem
    return None
