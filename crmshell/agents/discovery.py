"""Where agents live on disk and how to list them: the daemon's discovery, used as it is."""

from __future__ import annotations

from daemon.executor.meta.discovery import (AgentRoots, fence_types, glue_plugin_path,
                                            glue_plugin_types, lsb_types, ocf_agent_path,
                                            ocf_providers, ocf_types, systemd_types,
                                            systemd_unit_path)

__all__ = ["AgentRoots", "fence_types", "glue_plugin_path", "glue_plugin_types", "lsb_types",
           "ocf_agent_path", "ocf_providers", "ocf_types", "systemd_types", "systemd_unit_path"]
