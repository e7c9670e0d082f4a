"""Cluster options the scheduler reads, their defaults, and their Pacemaker 2.1/3.x aliases.

This is the single place the scheduler keeps option defaults until the shared options table
(daemon/cib/options.py) lands; swap `DEFAULTS`/`ALIASES` for it then.
"""

from __future__ import annotations

from dataclasses import dataclass

from daemon.scheduler import timespec

# Pacemaker 3.x name -> default (as text, exactly as it would appear in the CIB)
DEFAULTS: dict[str, str] = {
    "fencing-enabled": "true",
    "fencing-action": "reboot",
    "fencing-timeout": "60s",
    "have-watchdog": "false",
    "concurrent-fencing": "true",
    "startup-fencing": "true",
    "priority-fencing-delay": "0",
    "stop-all-resources": "false",
    "symmetric-cluster": "true",
    "no-quorum-policy": "stop",
    "stop-orphan-resources": "true",
    "stop-orphan-actions": "true",
    "maintenance-mode": "false",
    "start-failure-is-fatal": "true",
    "enable-startup-probes": "true",
    "placement-strategy": "default",
    "shutdown-lock": "false",
    "shutdown-lock-limit": "0",
    "node-pending-timeout": "0",
    "node-health-strategy": "none",
    "remove-after-stop": "false",
}

# Older (2.1) names that mean the same option
ALIASES: dict[str, str] = {
    "stonith-enabled": "fencing-enabled",
    "stonith-action": "fencing-action",
    "stonith-timeout": "fencing-timeout",
    "stop-removed-resources": "stop-orphan-resources",
    "cancel-removed-actions": "stop-orphan-actions",
}

NO_QUORUM_POLICIES = ("stop", "freeze", "ignore", "demote", "fence")


def is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("true", "on", "yes", "y", "1")


def is_false(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("false", "off", "no", "n", "0")


@dataclass(frozen=True)
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
