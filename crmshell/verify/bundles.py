"""Bundles: the network a bundle's primitive needs, as Pacemaker checks it when it unpacks
the bundle (a bundle failing these is ignored by the cluster, so they are errors)."""

from __future__ import annotations

from typing import Iterator

from crmshell.verify.findings import Finding, error
from crmshell.verify.index import CibIndex


def _replicas_per_host(container) -> int:
    value = container.get("replicas-per-host") if container is not None else None
    try:
        return max(int(value), 1) if value is not None else 1
    except ValueError:
        return 1


def check_bundles(index: CibIndex) -> Iterator[Finding]:
    for bundle in index.containers:
        if bundle.tag != "bundle":
            continue
        bid = bundle.get("id")
        container = next((c for c in bundle if c.tag in ("docker", "podman", "rkt")), None)
        network = bundle.find("network")
        ip_range = network.get("ip-range-start") if network is not None else None
        control_port = network.get("control-port") if network is not None else None
        primitive = bundle.find("primitive")
        if primitive is not None and not ip_range and not control_port:
            yield error(primitive, bid,
                        f"{bid}: the cluster cannot manage {primitive.get('id')} inside the "
                        "bundle without ip-range-start or control-port in its network "
                        "(the bundle would be ignored)")
        elif control_port and not ip_range and _replicas_per_host(container) > 1:
            yield error(container, bid,
                        f"{bid}: control-port without ip-range-start allows one replica per "
                        "host: set replicas-per-host=1 (the cluster would use 1)")
