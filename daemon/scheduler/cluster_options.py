"""Cluster options the scheduler reads, their defaults, and their Pacemaker 2.1/3.x aliases.

Names, types and defaults come from the shared table (daemon/cib/options.py, which follows
Pacemaker 2.1's daemons); the scheduler follows Pacemaker 3.x's semantics, so where 3.x
changed a default, `_DEFAULTS_3X` says so here, in one place.
"""

from __future__ import annotations


from daemon.cib.options import cluster_option
from daemon.records import record
from daemon.scheduler import timespec

# The options the scheduler reads, by the name it keys them on.
_READ = (
    "fencing-enabled", "fencing-action", "fencing-timeout", "have-watchdog",
    "concurrent-fencing", "startup-fencing", "priority-fencing-delay", "stop-all-resources",
    "symmetric-cluster", "no-quorum-policy", "stop-orphan-resources", "stop-orphan-actions",
    "maintenance-mode", "start-failure-is-fatal", "enable-startup-probes",
    "placement-strategy", "shutdown-lock", "shutdown-lock-limit", "node-pending-timeout",
    "node-health-strategy", "remove-after-stop", "fencing-max-attempts",
)
# Defaults that Pacemaker 3.x changed from 2.1 (the regression cases are 3.x's).
_DEFAULTS_3X = {"concurrent-fencing": "true"}


def _default(name: str) -> str:
    if name in _DEFAULTS_3X:
        return _DEFAULTS_3X[name]
    spec = cluster_option(name)
    if spec is None or spec.default is None:
        raise KeyError(f"cluster option {name} has no default in daemon/cib/options.py")
    return spec.default


# name the scheduler reads -> default (as text, exactly as it would appear in the CIB)
DEFAULTS: dict[str, str] = {name: _default(name) for name in _READ}

# Every other spelling of an option the scheduler reads -> the name it keys on.
ALIASES: dict[str, str] = {
    other: name
    for name in _READ
    for spec in [cluster_option(name)] if spec is not None
    for other in spec.names if other != name
}
NO_QUORUM_POLICIES = ("stop", "freeze", "ignore", "demote", "fence")


def is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("true", "on", "yes", "y", "1")


def is_false(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("false", "off", "no", "n", "0")


@record(frozen=True)
class ClusterOptions:
    """The options after defaults and aliases, typed."""

    raw: dict[str, str]
    fencing_enabled: bool
    fencing_action: str
    have_watchdog: bool
    concurrent_fencing: bool
    startup_fencing: bool
    stop_all: bool
    symmetric: bool
    no_quorum_policy: str
    stop_orphan_resources: bool
    stop_orphan_actions: bool
    maintenance_mode: bool
    start_failure_is_fatal: bool
    startup_probes: bool
    placement_strategy: str
    shutdown_lock: bool
    cluster_name: str | None

    def get(self, name: str) -> str | None:
        return self.raw.get(ALIASES.get(name, name))


def normalise(props: dict[str, str]) -> dict[str, str]:
    """Map alias names to current ones; the current name wins if both are present."""
    out: dict[str, str] = {}
    for name, value in props.items():
        canonical = ALIASES.get(name, name)
        if canonical != name and canonical in props:
            continue
        out[canonical] = value
    return out


def _bool(raw: dict[str, str], name: str) -> bool:
    value = raw.get(name)
    if value is None or not (is_true(value) or is_false(value)):
        value = DEFAULTS[name]
    return is_true(value)


def build(props: dict[str, str], *, quorate: bool, no_quorum_panic: bool) -> ClusterOptions:
    """Type the options; no-quorum-policy=fence degrades like Pacemaker's unpack_config()."""
    raw = normalise(props)
    fencing = _bool(raw, "fencing-enabled")
    action = (raw.get("fencing-action") or DEFAULTS["fencing-action"]).strip()
    if action == "poweroff":
        action = "off"
    policy = (raw.get("no-quorum-policy") or "stop").strip().lower()
    if policy == "suicide":
        policy = "fence"
    if policy not in NO_QUORUM_POLICIES:
        policy = "stop"
    if policy == "fence":
        if not fencing:
            policy = "stop"
        elif not (no_quorum_panic or quorate):
            policy = "stop"
    startup_fencing = _bool(raw, "startup-fencing") if fencing else False
    return ClusterOptions(
        raw=raw,
        fencing_enabled=fencing,
        fencing_action=action,
        have_watchdog=_bool(raw, "have-watchdog"),
        concurrent_fencing=_bool(raw, "concurrent-fencing"),
        startup_fencing=startup_fencing,
        stop_all=_bool(raw, "stop-all-resources"),
        symmetric=_bool(raw, "symmetric-cluster"),
        no_quorum_policy=policy,
        stop_orphan_resources=_bool(raw, "stop-orphan-resources"),
        stop_orphan_actions=_bool(raw, "stop-orphan-actions"),
        maintenance_mode=_bool(raw, "maintenance-mode"),
        start_failure_is_fatal=_bool(raw, "start-failure-is-fatal"),
        startup_probes=_bool(raw, "enable-startup-probes"),
        placement_strategy=(raw.get("placement-strategy") or "default").strip().lower(),
        shutdown_lock=_bool(raw, "shutdown-lock"),
        cluster_name=raw.get("cluster-name"),
    )


def fencing_timeout_ms(options: ClusterOptions) -> int:
    return timespec.interval_ms(options.raw.get("fencing-timeout") or "60s")
