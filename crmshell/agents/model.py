"""What an agent is and what its meta-data says: the daemon's values, used as they are."""

from __future__ import annotations

from daemon.executor.meta.model import Action, AgentMeta, Parameter, make_action
from daemon.executor.model import CLASSES_WITH_PROVIDER, AgentSpec

__all__ = ["Action", "AgentMeta", "AgentSpec", "CLASSES_WITH_PROVIDER", "Parameter",
           "make_action"]
