"""`get-property`: a cluster property's value, or Pacemaker's default when it is not set."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crmshell.staging.staged import StagedCib


def property_value(staged: "StagedCib", name: str) -> str | None:
    """The value set in the configuration (either spelling, 2.1 or 3.x), else the default."""
    from daemon.cib.options import cluster_option

    spec = cluster_option(name)
    names = spec.names if spec is not None else (name,)
    for pair in staged.configuration.iterfind("crm_config/cluster_property_set/nvpair"):
        if pair.get("name") in names:
            return pair.get("value")
    return spec.default if spec is not None else None


def property_names() -> list[str]:
    from daemon.cib.options import CLUSTER_OPTIONS

    return sorted(spec.name for spec in CLUSTER_OPTIONS)
