"""Pacemaker's option vocabulary as data: cluster properties, fencing-device parameters,
resource meta attributes and operation attributes, with typed value checks.

Why a table of our own: the scheduler, `verify` and completion all need the same facts (names,
types, defaults, allowed values, the Pacemaker 2.1 name next to the 3.x name), and none of them
may run Pacemaker's daemons to get them. The facts come from Pacemaker 2.1.5's
`pacemaker-{schedulerd,controld,based,fenced} metadata` and the 3.x option list; the wording of
the descriptions is ours. Nothing here does I/O.

Names: `name` is the spelling Pacemaker 2.1 (and crmsh 4.4) writes; `new_name` is the Pacemaker
3.x spelling where it differs (`stonith-enabled` / `fencing-enabled`). Both are accepted everywhere.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Iterable, Mapping

from daemon.records import record

INFINITY = 1_000_000
"""Pacemaker's score infinity: scores saturate at +/- this value."""

# Value types, spelled as Pacemaker's meta-data spells them ("time" and "duration" are one type).
BOOLEAN = "boolean"
INTEGER = "integer"
NONNEGATIVE_INTEGER = "nonnegative_integer"
SCORE = "score"
DURATION = "duration"
TIMEOUT = "timeout"
PERCENTAGE = "percentage"
SELECT = "select"
STRING = "string"
PORT = "port"
VERSION = "version"

VALUE_TYPES = (BOOLEAN, INTEGER, NONNEGATIVE_INTEGER, SCORE, DURATION, TIMEOUT, PERCENTAGE,
               SELECT, STRING, PORT, VERSION)


class OptionValueError(ValueError):
    """A value that does not parse as its option's type; the message says what was expected."""


@record(frozen=True)
class OptionSpec:
    """One option: what it is called (2.1 and 3.x), what it holds, what it defaults to."""

    name: str
    vtype: str
    default: str | None
    shortdesc: str
    allowed: tuple[str, ...] = ()
    new_name: str | None = None
    daemon: str = ""
    advanced: bool = False
    deprecated: bool = False
    generated: bool = False
    """Set by the cluster itself (dc-version...): users may see it but should not set it."""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.new_name) if self.new_name else (self.name,)


def _opt(name: str, vtype: str, default: str | None, shortdesc: str, *, allowed: str = "",
         new: str | None = None, daemon: str = "", advanced: bool = False,
         deprecated: bool = False, generated: bool = False) -> OptionSpec:
    return OptionSpec(name=name, vtype=vtype, default=default, shortdesc=shortdesc,
                      allowed=tuple(allowed.split()), new_name=new, daemon=daemon,
                      advanced=advanced, deprecated=deprecated, generated=generated)


_S, _C, _B = "schedulerd", "controld", "based"

CLUSTER_OPTIONS: tuple[OptionSpec, ...] = (
    # controller
    _opt("dc-version", VERSION, None, "Version of the node elected DC (set by the cluster)",
         daemon=_C, generated=True),
    _opt("cluster-infrastructure", STRING, None, "Messaging layer in use (set by the cluster)",
         daemon=_C, generated=True),
    _opt("cluster-name", STRING, None, "Free-form name of the cluster", daemon=_C),
    _opt("dc-deadtime", DURATION, "20s", "How long to wait for other nodes at start-up", daemon=_C),
    _opt("cluster-recheck-interval", DURATION, "15min",
         "Idle interval after which the cluster state is recomputed (0 disables)", daemon=_C),
    _opt("load-threshold", PERCENTAGE, "80%", "System load above which recovery slows down",
         daemon=_C),
    _opt("node-action-limit", INTEGER, "0", "Most actions run at once on one node (0: 2x cores)",
         daemon=_C),
    _opt("fence-reaction", SELECT, "stop", "What a node does when told it was fenced",
         allowed="stop panic", new="fencing-reaction", daemon=_C),
    _opt("election-timeout", DURATION, "2min", "Declare a DC election failed after this long",
         daemon=_C, advanced=True),
    _opt("shutdown-escalation", DURATION, "20min", "Give up a clean shutdown after this long",
         daemon=_C, advanced=True),
    _opt("join-integration-timeout", DURATION, "3min", "Time allowed for the join integration step",
         daemon=_C, advanced=True),
    _opt("join-finalization-timeout", DURATION, "30min",
         "Time allowed for the join finalization step", daemon=_C, advanced=True),
    _opt("transition-delay", DURATION, "0s", "Wait this long before acting on a new transition",
         daemon=_C, advanced=True),
    _opt("stonith-watchdog-timeout", TIMEOUT, "0",
         "Time after which a lost node is assumed self-fenced by watchdog SBD",
         new="fencing-watchdog-timeout", daemon=_C),
    _opt("stonith-max-attempts", SCORE, "10",
         "Failed fencing attempts on a target before retries stop", new="fencing-max-attempts",
         daemon=_C),
    # scheduler
    _opt("no-quorum-policy", SELECT, "stop", "What to do when the partition loses quorum",
         allowed="stop freeze ignore demote suicide fence", daemon=_S),
    _opt("symmetric-cluster", BOOLEAN, "true", "Resources may run anywhere unless constrained",
         daemon=_S),
    _opt("maintenance-mode", BOOLEAN, "false", "Stop starting, stopping and monitoring resources",
         daemon=_S),
    _opt("start-failure-is-fatal", BOOLEAN, "true",
         "A failed start bans the resource from that node", daemon=_S),
    _opt("enable-startup-probes", BOOLEAN, "true", "Probe for active resources at start-up",
         daemon=_S),
    _opt("shutdown-lock", BOOLEAN, "false", "Keep resources of a cleanly stopped node locked to it",
         daemon=_S),
    _opt("shutdown-lock-limit", DURATION, "0", "Longest a shutdown lock is kept (0: no limit)",
         daemon=_S),
    _opt("stonith-enabled", BOOLEAN, "true", "Whether failed nodes may be fenced",
         new="fencing-enabled", daemon=_S, advanced=True),
    _opt("stonith-action", SELECT, "reboot", "Fence action used on a node that must be fenced",
         allowed="reboot off poweroff", new="fencing-action", daemon=_S),
    _opt("stonith-timeout", DURATION, "60s", "Default time allowed for a fence action",
         new="fencing-timeout", daemon=_S),
    _opt("have-watchdog", BOOLEAN, "false", "Whether SBD watchdog integration is active",
         daemon=_S, generated=True),
    _opt("concurrent-fencing", BOOLEAN, "false", "Allow fence actions to run in parallel",
         daemon=_S),
    _opt("startup-fencing", BOOLEAN, "true", "Fence nodes never seen since start-up",
         daemon=_S, advanced=True),
    _opt("priority-fencing-delay", DURATION, "0",
         "Delay fencing of the nodes that host the highest resource priority (unset on "
         "two nodes: 5s for the busier node, the lower id on a tie)", daemon=_S),
    _opt("node-pending-timeout", DURATION, "0",
         "Fence a node that does not finish joining within this time (0: never)", daemon=_S),
    _opt("fence-remote-without-quorum", BOOLEAN, "false",
         "Let an inquorate partition fence remote nodes", daemon=_S, advanced=True),
    _opt("cluster-delay", DURATION, "60s", "Allowance for node-to-node round trips", daemon=_S),
    _opt("batch-limit", INTEGER, "0", "Most actions in flight across the cluster (0: dynamic)",
         daemon=_S),
    _opt("migration-limit", INTEGER, "-1", "Most live migrations at once per node (-1: no limit)",
         daemon=_S),
    _opt("stop-all-resources", BOOLEAN, "false", "Stop every resource", daemon=_S),
    _opt("stop-orphan-resources", BOOLEAN, "true", "Stop resources removed from the configuration",
         new="stop-removed-resources", daemon=_S),
    _opt("stop-orphan-actions", BOOLEAN, "true",
         "Cancel recurring actions removed from the configuration",
         new="cancel-removed-actions", daemon=_S),
    _opt("remove-after-stop", BOOLEAN, "false", "Forget resources in the executor once stopped",
         daemon=_S, deprecated=True),
    _opt("pe-error-series-max", INTEGER, "-1", "Scheduler inputs with errors to keep (-1: all)",
         daemon=_S),
    _opt("pe-warn-series-max", INTEGER, "5000", "Scheduler inputs with warnings to keep",
         daemon=_S),
    _opt("pe-input-series-max", INTEGER, "4000", "Clean scheduler inputs to keep", daemon=_S),
    _opt("node-health-strategy", SELECT, "none", "How node health attributes affect placement",
         allowed="none migrate-on-red only-green progressive custom", daemon=_S),
    _opt("node-health-base", SCORE, "0", "Starting health score of a node (progressive)",
         daemon=_S),
    _opt("node-health-green", SCORE, "0", "Score for a health attribute that is green", daemon=_S),
    _opt("node-health-yellow", SCORE, "0", "Score for a health attribute that is yellow",
         daemon=_S),
    _opt("node-health-red", SCORE, "-INFINITY", "Score for a health attribute that is red",
         daemon=_S),
    _opt("placement-strategy", SELECT, "default", "How resources are spread over nodes",
         allowed="default utilization minimal balanced", daemon=_S),
    # CIB manager
    _opt("enable-acl", BOOLEAN, "false", "Enforce access control lists on the CIB", daemon=_B),
    _opt("cluster-ipc-limit", NONNEGATIVE_INTEGER, "500",
         "IPC backlog after which a daemon client is dropped", daemon=_B),
    # written by the cluster or by crmsh, accepted as known
    _opt("last-lrm-refresh", STRING, None, "Time of the last resource refresh (set by tools)",
         generated=True),
)

FENCING_PARAMETERS: tuple[OptionSpec, ...] = (
    _opt("pcmk_host_argument", STRING, "port",
         "Agent parameter that receives the target node (none: do not pass it)", advanced=True),
    _opt("pcmk_host_map", STRING, "", "Node-to-port map, like node1:1;node2:2,3"),
    _opt("pcmk_host_list", STRING, "", "Nodes this device can fence, like node1,node2"),
    _opt("pcmk_host_check", SELECT, "dynamic-list", "How to learn which nodes the device fences",
         allowed="dynamic-list static-list status none"),
    _opt("pcmk_delay_max", DURATION, "0s", "Upper bound of a random delay before fencing"),
    _opt("pcmk_delay_base", STRING, "0s", "Fixed delay before fencing, or a per-node map"),
    _opt("pcmk_action_limit", INTEGER, "1", "Actions the device runs in parallel (-1: no limit)"),
    *(spec for action in ("reboot", "off", "on", "list", "monitor", "status") for spec in (
        _opt(f"pcmk_{action}_action", STRING, action,
             f"Device command to run for the '{action}' action", advanced=True),
        _opt(f"pcmk_{action}_timeout", TIMEOUT, "60s",
             f"Timeout for '{action}' instead of stonith-timeout", advanced=True),
        _opt(f"pcmk_{action}_retries", INTEGER, "2",
             f"Tries of '{action}' within its timeout", advanced=True),
    )),
)

_ROLES = "Stopped Started Unpromoted Promoted Slave Master"

# Kinds of object a meta attribute applies to.
PRIMITIVE, GROUP, CLONE, PROMOTABLE, BUNDLE, TEMPLATE = (
    "primitive", "group", "clone", "promotable", "bundle", "template")
_ALL = (PRIMITIVE, GROUP, CLONE, PROMOTABLE, BUNDLE, TEMPLATE)
_CLONES = (CLONE, PROMOTABLE)


@record(frozen=True)
class MetaSpec:
    """A resource meta attribute and the kinds of resource it means something on."""

    option: OptionSpec
    kinds: tuple[str, ...]


def _meta(kinds: tuple[str, ...], name: str, vtype: str, default: str | None, shortdesc: str,
          **kw) -> MetaSpec:
    return MetaSpec(_opt(name, vtype, default, shortdesc, **kw), kinds)


RESOURCE_META: tuple[MetaSpec, ...] = (
    _meta(_ALL, "priority", SCORE, "0", "Keep higher-priority resources active first"),
    _meta(_ALL, "critical", BOOLEAN, "true", "Default colocation influence of the resource"),
    _meta(_ALL, "target-role", SELECT, "Started", "Role the cluster keeps the resource in",
          allowed=_ROLES),
    _meta(_ALL, "is-managed", BOOLEAN, "true", "Whether the cluster may start and stop it"),
    _meta(_ALL, "maintenance", BOOLEAN, "false", "Leave the resource alone, monitors paused"),
    _meta(_ALL, "resource-stickiness", SCORE, None,
          "Preference for staying where it runs (1 for clone instances, else 0)"),
    _meta(_ALL, "requires", SELECT, None, "What must hold before the resource can start",
          allowed="nothing quorum fencing unfencing"),
    _meta(_ALL, "migration-threshold", SCORE, "INFINITY",
          "Failures on a node before the resource is moved away (0: never)"),
    _meta(_ALL, "failure-timeout", DURATION, "0", "Forget a failure after this long (0: never)"),
    _meta(_ALL, "multiple-active", SELECT, "stop_start", "What to do when active on several nodes",
          allowed="block stop_only stop_start stop_unexpected"),
    _meta(_ALL, "allow-migrate", BOOLEAN, None, "Live-migrate instead of stop and start"),
    _meta(_ALL, "allow-unhealthy-nodes", BOOLEAN, "false", "May run on nodes of poor health"),
    _meta(_ALL, "container-attribute-target", STRING, None,
          "host: read node attributes from the container's host"),
    _meta(_ALL, "remote-node", STRING, None, "Name of the guest node this resource provides"),
    _meta(_ALL, "remote-addr", STRING, None, "Address of the guest node (default: its name)"),
    _meta(_ALL, "remote-port", PORT, "3121", "Port of the guest node's remote daemon"),
    _meta(_ALL, "remote-connect-timeout", TIMEOUT, "60s", "Timeout of a guest connection"),
    _meta(_ALL, "remote-allow-migrate", BOOLEAN, "true", "allow-migrate of the guest connection"),
    _meta(_ALL, "description", STRING, None, "Free-form description"),
    _meta(_ALL, "restart-type", STRING, None, "Obsolete restart policy", deprecated=True),
    _meta(_ALL, "interval-origin", STRING, None, "Start time that recurring monitors align to"),
    _meta(_ALL, "provides", STRING, None, "unfencing: the resource needs unfencing"),
    _meta((GROUP,), "container", STRING, None, "Resource that contains the group (obsolete)",
          deprecated=True),
    _meta((GROUP,), "ordered", BOOLEAN, "true", "Start members in order", deprecated=True),
    _meta((GROUP,), "collocated", BOOLEAN, "true", "Keep members together", deprecated=True),
    _meta(_CLONES, "clone-max", INTEGER, None, "Instances to run (default: number of nodes)"),
    _meta(_CLONES, "clone-node-max", INTEGER, "1", "Instances per node"),
    _meta(_CLONES, "clone-min", INTEGER, "0", "Instances needed before dependents may start"),
    _meta(_CLONES, "notify", BOOLEAN, "false", "Send pre and post notifications to instances"),
    _meta(_CLONES, "globally-unique", BOOLEAN, "false", "Instances differ from one another"),
    _meta(_CLONES, "ordered", BOOLEAN, "false", "Start instances one after another"),
    _meta(_CLONES, "interleave", BOOLEAN, "false",
          "Order against the peer clone's local instance only"),
    _meta(_CLONES, "promotable", BOOLEAN, "false", "Instances can be promoted"),
    _meta(_CLONES, "promoted-max", INTEGER, "1", "Promoted instances in the cluster"),
    _meta(_CLONES, "promoted-node-max", INTEGER, "1", "Promoted instances per node"),
    _meta(_CLONES, "master-max", INTEGER, "1", "Old name of promoted-max", deprecated=True),
    _meta(_CLONES, "master-node-max", INTEGER, "1", "Old name of promoted-node-max",
          deprecated=True),
    _meta(_CLONES, "clone-state", STRING, None, "Internal clone state", deprecated=True),
)

OP_ATTRIBUTES: tuple[OptionSpec, ...] = (
    _opt("name", STRING, None, "Action name"),
    _opt("interval", DURATION, "0", "Recurrence (0: not recurring)"),
    _opt("timeout", TIMEOUT, "20s", "Time before the action counts as failed"),
    _opt("on-fail", SELECT, None, "Reaction to a failure of this action",
         allowed="ignore block demote stop restart standby fence restart-container"),
    _opt("role", SELECT, None, "Run this recurring action only in this role", allowed=_ROLES),
    _opt("start-delay", DURATION, "0", "Wait this long before the first run", deprecated=True),
    _opt("interval-origin", STRING, None, "Time that the recurrence aligns to", deprecated=True),
    _opt("enabled", BOOLEAN, "true", "Whether the recurring action is scheduled"),
    _opt("record-pending", BOOLEAN, "true", "Record the action in the CIB while it runs"),
    _opt("requires", SELECT, None, "Old place of the requires meta attribute",
         allowed="nothing quorum fencing unfencing", deprecated=True),
    _opt("description", STRING, None, "Free-form description"),
)


def _index(specs: Iterable[OptionSpec]) -> Mapping[str, OptionSpec]:
    table: dict[str, OptionSpec] = {}
    for spec in specs:
        for name in spec.names:
            table[name] = spec
    return MappingProxyType(table)


_CLUSTER_INDEX = _index(CLUSTER_OPTIONS)
_FENCING_INDEX = _index(FENCING_PARAMETERS)
_OP_INDEX = _index(OP_ATTRIBUTES)
_META_INDEX: Mapping[str, tuple[MetaSpec, ...]] = MappingProxyType({
    name: tuple(m for m in RESOURCE_META if m.option.name == name)
    for name in {m.option.name for m in RESOURCE_META}
})


def cluster_option(name: str) -> OptionSpec | None:
    """The cluster property called `name` (2.1 or 3.x spelling), or None if Pacemaker has none."""
    return _CLUSTER_INDEX.get(name)


def fencing_parameter(name: str) -> OptionSpec | None:
    """A `pcmk_*` parameter the fencer adds to every fence device, or None."""
    return _FENCING_INDEX.get(name)


def op_attribute(name: str) -> OptionSpec | None:
    """An attribute of `<op>` (also valid in `op_defaults`), or None."""
    return _OP_INDEX.get(name)


def resource_meta(name: str, kind: str | None = None) -> OptionSpec | None:
    """The meta attribute `name` as it applies to `kind` (primitive, group, clone, promotable,
    bundle, template), or to any kind when `kind` is None; None when it is not one."""
    for meta in _META_INDEX.get(name, ()):
        if kind is None or kind in meta.kinds:
            return meta.option
    return None


def meta_names(kind: str) -> tuple[str, ...]:
    """The meta attribute names that mean something on a resource of this kind, sorted."""
    return tuple(sorted({m.option.name for m in RESOURCE_META if kind in m.kinds}))


# --- typed values -------------------------------------------------------------------------

_TRUE = frozenset({"true", "on", "yes", "y", "1"})
_FALSE = frozenset({"false", "off", "no", "n", "0"})
_UNIT_MS = {"": 1000, "s": 1000, "sec": 1000, "ms": 1, "msec": 1, "us": 0.001, "usec": 0.001,
            "m": 60_000, "min": 60_000, "h": 3_600_000, "hr": 3_600_000}
_DURATION_RE = re.compile(r"\s*(\d+(?:\.\d*)?)\s*([a-zA-Z]*)\s*")
_ISO_RE = re.compile(
    r"P(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<s>\d+)S)?)?")
_ISO_MS = {"y": 31_536_000_000, "mo": 2_592_000_000, "w": 604_800_000, "d": 86_400_000,
           "h": 3_600_000, "mi": 60_000, "s": 1000}
_INTEGER_RE = re.compile(r"\s*[-+]?\d+\s*")
_PERCENT_RE = re.compile(r"\s*\d+\s*%?\s*")


def parse_boolean(text: str) -> bool:
    """Pacemaker's booleans: true/on/yes/y/1 and false/off/no/n/0, any case."""
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise OptionValueError(f"'{text}' is not a boolean (true/false, yes/no, on/off, 1/0)")


def parse_duration_ms(text: str) -> int:
    """A duration in milliseconds: `30`, `30s`, `500ms`, `5min`, `2h` or ISO 8601 `PT5M`.

    A bare number means seconds, as in Pacemaker. Negative values are refused; a fraction is
    kept (`1.5s` is 1500 ms) where Pacemaker 2.1 would drop it."""
    match = _DURATION_RE.fullmatch(text)
    if match:
        unit = match.group(2).lower()
        if unit in _UNIT_MS:
            return int(float(match.group(1)) * _UNIT_MS[unit])
    else:
        iso = _ISO_RE.fullmatch(text.strip())
        if iso and text.strip() not in ("P", "PT") and not text.strip().endswith("T"):
            return sum(int(v) * _ISO_MS[k] for k, v in iso.groupdict().items() if v)
    raise OptionValueError(
        f"'{text}' is not a duration (a number with an optional unit ms/s/min/h, or ISO 8601)")


def parse_integer(text: str) -> int:
    if not _INTEGER_RE.fullmatch(text):
        raise OptionValueError(f"'{text}' is not an integer")
    return int(text)


def parse_score(text: str) -> int:
    """A score: an integer or [+-]INFINITY (any case, `inf` too), saturated at +/- INFINITY."""
    word = text.strip().lower()
    if word in ("infinity", "+infinity", "inf", "+inf"):
        return INFINITY
    if word in ("-infinity", "-inf"):
        return -INFINITY
    if not _INTEGER_RE.fullmatch(text):
        raise OptionValueError(f"'{text}' is not a score (an integer or [-]INFINITY)")
    return max(-INFINITY, min(INFINITY, int(word)))


def parse_percentage(text: str) -> int:
    if not _PERCENT_RE.fullmatch(text):
        raise OptionValueError(f"'{text}' is not a percentage (like 80%)")
    return int(text.strip().rstrip("%"))


def _check_select(spec: OptionSpec, value: str) -> None:
    folded = value.lower()
    if spec.allowed and not any(folded == a.lower() for a in spec.allowed):
        raise OptionValueError(f"'{value}' is not one of: {', '.join(spec.allowed)}")


def _check_nonnegative(value: str) -> None:
    if parse_integer(value) < 0:
        raise OptionValueError(f"'{value}' is not a non-negative integer")


def _check_port(value: str) -> None:
    if not 0 < parse_integer(value) < 65536:
        raise OptionValueError(f"'{value}' is not a port number (1-65535)")


def _check_timeout(value: str) -> None:
    # Pacemaker accepts a negative watchdog timeout (meaning "derive it"); durations otherwise.
    if not (_INTEGER_RE.fullmatch(value) and int(value) < 0):
        parse_duration_ms(value)


_CHECKS = {
    BOOLEAN: parse_boolean,
    INTEGER: parse_integer,
    NONNEGATIVE_INTEGER: _check_nonnegative,
    SCORE: parse_score,
    DURATION: parse_duration_ms,
    TIMEOUT: _check_timeout,
    PERCENTAGE: parse_percentage,
    PORT: _check_port,
}


def check_value(spec: OptionSpec, value: str) -> None:
    """Raise OptionValueError when `value` is not valid for `spec` (strings always are)."""
    if spec.vtype == SELECT:
        _check_select(spec, value)
        return
    check = _CHECKS.get(spec.vtype)
    if check is not None:
        check(value)


def value_problem(spec: OptionSpec, value: str) -> str | None:
    """Why `value` is invalid for `spec`, or None when it is valid: for reporting loops."""
    try:
        check_value(spec, value)
    except OptionValueError as err:
        return str(err)
    return None
