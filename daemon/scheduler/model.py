"""The scheduler's working objects: nodes, resources, actions and the relations between them.

These are plain mutable records created fresh for each `schedule()` call; nothing here
outlives one call. Slots keep them small, because a large cluster has hundreds of thousands.
"""

from __future__ import annotations

from typing import Any

from daemon.scheduler.roles import Role

# Resource variants, in Pacemaker's order (the order matters for colocation sorting)
PRIMITIVE = 0
GROUP = 1
CLONE = 2
BUNDLE = 3

# Action flags
OPTIONAL = 1 << 0
RUNNABLE = 1 << 1
PSEUDO = 1 << 2
MIGRATABLE = 1 << 3
ALWAYS_IN_GRAPH = 1 << 4
MIN_RUNNABLE = 1 << 5
ON_DC = 1 << 6
MIGRATION_ABORT = 1 << 7
DEDUP = 1 << 8
DUMPED = 1 << 9
ATTRS_EVALUATED = 1 << 10

# Ordering (action relation) flags
AR_NONE = 0
AR_ORDERED = 1 << 0
AR_FIRST_IMPLIES_THEN = 1 << 1
AR_THEN_IMPLIES_FIRST = 1 << 2
AR_PROMOTED_THEN_IMPLIES_FIRST = 1 << 3
AR_UNRUNNABLE_FIRST_BLOCKS = 1 << 4
AR_INTERMEDIATE_STOP = 1 << 5
AR_IF_ON_SAME_NODE = 1 << 6
AR_THEN_CANCELS_FIRST = 1 << 7
AR_ASYMMETRIC = 1 << 8
AR_MIN_RUNNABLE = 1 << 9
AR_FIRST_IMPLIES_THEN_GRAPHED = 1 << 10
AR_THEN_IMPLIES_FIRST_GRAPHED = 1 << 11
AR_UNMIGRATABLE_THEN_BLOCKS = 1 << 12
AR_FIRST_ELSE_THEN = 1 << 13
AR_SERIALIZE = 1 << 14
AR_ANTI_COLOCATION = 1 << 15
AR_GUEST_ALLOWED = 1 << 16
AR_NESTED_REMOTE_PROBE = 1 << 17
AR_FIRST_IMPLIES_SAME_NODE_THEN = 1 << 18
AR_IF_ON_SAME_NODE_OR_TARGET = 1 << 19
AR_IF_FIRST_UNMIGRATABLE = 1 << 20

# Probe (resource-discovery) modes, in increasing strength
DISCOVER_ALWAYS = 0
DISCOVER_NEVER = 1
DISCOVER_EXCLUSIVE = 2

# Requirements for starting
REQUIRES_NOTHING = 0
REQUIRES_QUORUM = 1
REQUIRES_FENCING = 2

# Failure responses, in Pacemaker's order of severity
ON_FAIL_IGNORE = 0
ON_FAIL_DEMOTE = 1
ON_FAIL_RESTART = 2
ON_FAIL_RESET_REMOTE = 3
ON_FAIL_RESTART_CONTAINER = 4
ON_FAIL_BAN = 5
ON_FAIL_BLOCK = 6
ON_FAIL_STOP = 7
ON_FAIL_STANDBY = 8
ON_FAIL_FENCE = 9

# multiple-active policies
MULTIPLY_ACTIVE_RESTART = 0
MULTIPLY_ACTIVE_STOP = 1
MULTIPLY_ACTIVE_BLOCK = 2
MULTIPLY_ACTIVE_UNEXPECTED = 3


class Node:
    __slots__ = ("id", "name", "kind", "index", "weight", "attrs", "utilization",
                 "online", "unclean", "shutdown", "standby", "fail_standby", "pending",
                 "maintenance", "expected_up", "seen", "is_dc", "unpacked",
                 "num_resources", "running", "priority", "fence_reason",
                 "probes_allowed", "state_xml",
                 # Pacemaker Remote and guest nodes (see remote_nodes.py)
                 "remote_rsc", "remote_reset", "remote_was_fenced", "remote_maint",
                 "guest_never_probed")

    def __init__(self, node_id: str, name: str, kind: str, index: int, weight: int) -> None:
        self.id = node_id
        self.name = name
        self.kind = kind
        self.index = index
        self.weight = weight
        self.attrs: dict[str, str] = {}
        self.utilization: dict[str, str] = {}
        self.online = False
        self.unclean = False
        self.shutdown = False
        self.standby = False
        self.fail_standby = False
        self.pending = False
        self.maintenance = False
        self.expected_up = False
        self.seen = False
        self.is_dc = False
        self.unpacked = False
        self.num_resources = 0
        self.running: list[Resource] = []
        self.priority = 0
        self.fence_reason: str | None = None
        self.probes_allowed = True
        self.state_xml = None
        self.remote_rsc: Resource | None = None    # the connection of a remote/guest node
        self.remote_reset = False                  # must be fenced (recovered, for a guest)
        self.remote_was_fenced = False             # its node_state says node_fenced
        self.remote_maint = False                  # its node_state says node_in_maintenance
        self.guest_never_probed = False            # a bundle's guest node (discovery never)

    def available(self, score: int | None = None, *, consider_score: bool = False) -> bool:
        """Can run resources (online, clean, not shutting down, standby or maintenance)."""
        if (not self.online or self.shutdown or self.unclean or self.standby
                or self.maintenance):
            return False
        if consider_score and score is not None and score < 0:
            return False
        return True

    def __repr__(self) -> str:
        return f"Node({self.name})"


class Resource:
    __slots__ = (
        "id", "xml", "variant", "parent", "children", "meta", "standard", "provider", "agent",
        "ops_xml", "managed", "maintenance", "unique", "promotable", "notify", "critical",
        "fence_device", "migratable", "failed", "stop_if_failed", "blocked", "start_pending",
        "reload", "restarting", "stop_unexpected", "failure_ignored", "assigning", "merging",
        "unassigned", "exclusive_discover", "removed", "requires", "needs_unfencing",
        "role", "next_role", "priority", "stickiness", "migration_threshold",
        "failure_expiration_ms", "multiply_active", "running_on", "allowed", "discover",
        "probed", "assigned_to", "actions", "actions_by_key", "this_with", "with_this",
        "locations", "history_id", "pending_task", "pending_node", "partial_source",
        "partial_target", "dangling_sources", "params_cache", "lock_node", "lock_time",
        "clone_max", "clone_node_max", "promoted_max", "promoted_node_max", "interleave",
        "ordered", "clone_min", "group_colocated", "group_ordered", "promotion_score",
        "instance_num", "orphan_instances", "xml_id", "remote_reconnect_ms",
        "start_index", "explanation", "cmds_pos", "active_instances", "counts",
        "assigned_score", "promotion_added", "promotion_sorted", "notifications",
        "utilization",
        # Pacemaker Remote (see remote_nodes.py): the resource that launches this one (a
        # guest's VM for its connection, or any container= meta), what it launches, and
        # whether this is an ocf:pacemaker:remote connection
        "launcher", "launched", "is_remote_connection", "remote_nesting_allowed",
        # bundles (see bundle.py)
        "bundle_data", "replica_container",
    )

    def __init__(self, rsc_id: str, xml: Any, variant: int, parent: "Resource | None") -> None:
        self.id = rsc_id
        self.xml = xml
        self.xml_id = xml.get("id") if xml is not None else rsc_id
        self.variant = variant
        self.parent = parent
        self.children: list[Resource] = []
        self.meta: dict[str, str] = {}
        self.standard = self.provider = self.agent = None
        self.ops_xml = None
        self.managed = True
        self.maintenance = False
        self.unique = True
        self.promotable = False
        self.notify = False
        self.critical = True
        self.fence_device = False
        self.migratable = False
        self.failed = False
        self.stop_if_failed = False
        self.blocked = False
        self.start_pending = False
        self.reload = False
        self.restarting = False
        self.stop_unexpected = False
        self.failure_ignored = False
        self.assigning = False
        self.merging = False
        self.unassigned = True
        self.exclusive_discover = False
        self.removed = False
        self.requires = 0
        self.needs_unfencing = False
        self.role = Role.STOPPED
        self.next_role = Role.UNKNOWN
        self.priority = 0
        self.utilization: dict[str, str] = {}
        self.stickiness = 0
        self.migration_threshold = 1_000_000
        self.failure_expiration_ms = 0
        self.multiply_active = MULTIPLY_ACTIVE_RESTART
        self.running_on: list[Node] = []
        self.allowed: dict[Node, int] = {}
        self.discover: dict[Node, int] = {}
        self.probed: set[Node] = set()
        self.assigned_to: Node | None = None
        self.actions: list[Action] = []
        self.actions_by_key: dict[str, list[Action]] = {}
        self.this_with: list[Colocation] = []
        self.with_this: list[Colocation] = []
        self.locations: list[Location] = []
        self.history_id: str | None = None
        self.pending_task: str | None = None
        self.pending_node: Node | None = None
        self.partial_source: Node | None = None
        self.partial_target: Node | None = None
        self.dangling_sources: list[Node] = []
        self.params_cache: dict[str, dict[str, str]] = {}
        self.lock_node: Node | None = None
        self.lock_time = 0                      # when the shutdown lock began (Unix s)
        self.clone_max = 0
        self.clone_node_max = 1
        self.promoted_max = 1
        self.promoted_node_max = 1
        self.interleave = False
        self.ordered = False
        self.clone_min = 0
        self.group_colocated = True
        self.group_ordered = True
        self.promotion_score = 0
        self.instance_num: str | None = None
        self.orphan_instances = 0
        self.remote_reconnect_ms = 0
        self.start_index = 0
        self.explanation: list | None = None   # a list when explaining (see explain.py)
        self.cmds_pos = 0
        self.active_instances = 0
        self.counts: dict[Node, int] = {}
        self.assigned_score = 0
        self.promotion_added = False
        self.promotion_sorted = False
        self.notifications: dict[str, Any] | None = None   # clones: task -> Notification
        self.launcher: Resource | None = None
        self.launched: list[Resource] = []
        self.is_remote_connection = False
        self.bundle_data: Any = None            # bundles: bundle.BundleData
        self.replica_container = False          # a bundle replica's container
        self.remote_nesting_allowed = False

    # ---- tree helpers -------------------------------------------------------------
    def top(self) -> "Resource":
        """The topmost ancestor below any bundle (uber_parent): a bundle's containers and
        inner clone behave as top-level resources of their own."""
        rsc = self
        while rsc.parent is not None and rsc.parent.variant != BUNDLE:
            rsc = rsc.parent
        return rsc

    def top_with_bundle(self) -> "Resource":
        """The topmost ancestor, a bundle included."""
        rsc = self
        while rsc.parent is not None:
            rsc = rsc.parent
        return rsc

    def is_bundle(self) -> bool:
        return self.variant == BUNDLE

    def is_clone(self) -> bool:
        return self.variant == CLONE

    def is_group(self) -> bool:
        return self.variant == GROUP

    def is_primitive(self) -> bool:
        return self.variant == PRIMITIVE

    def is_anonymous_clone(self) -> bool:
        return self.variant == CLONE and not self.unique

    def state(self, current: bool) -> Role:
        """Current (or next) role; a collective reports its highest member's role, and
        UNKNOWN when it has no members (as Pacemaker's group/clone state functions do)."""
        if self.variant == PRIMITIVE:
            return self.role if current else self.next_role
        role = Role.UNKNOWN
        for child in self.children:
            child_role = child.state(current)
            if child_role > role:
                role = child_role
        return role

    def find_clone_only(self, base_id: str) -> "Resource | None":
        """The member of a clone's tree whose id (or configured id) is `base_id`; the
        lookup history entries of clone instances use."""
        if self.top().variant == CLONE and (self.id == base_id or self.xml_id == base_id):
            return self
        for child in self.children:
            found = child.find_clone_only(base_id)
            if found is not None:
                return found
        return None

    def primitives(self) -> list["Resource"]:
        if self.variant == PRIMITIVE:
            return [self]
        out: list[Resource] = []
        for child in self.children:
            out.extend(child.primitives())
        return out

    def is_ancestor_of(self, other: "Resource") -> bool:
        p = other.parent
        while p is not None:
            if p is self:
                return True
            p = p.parent
        return False

    def add_action(self, action: "Action") -> None:
        self.actions.append(action)
        self.actions_by_key.setdefault(action.key, []).append(action)

    def __repr__(self) -> str:
        return f"Resource({self.id})"


class Relation:
    """One side of an ordering between two actions (Pacemaker's action wrapper)."""

    __slots__ = ("action", "type")

    def __init__(self, action: "Action", rel_type: int) -> None:
        self.action = action
        self.type = rel_type


class Action:
    __slots__ = ("id", "rsc", "task", "key", "node", "flags", "reason", "meta",
                 "interval_ms", "needs", "on_fail", "fail_role", "before", "after",
                 "after_index", "required_runnable_before", "runnable_before",
                 "op_entry", "cancel_task", "expected_rc")

    def __init__(self, action_id: int, rsc: Resource | None, task: str, key: str,
                 node: Node | None, flags: int) -> None:
        self.id = action_id
        self.rsc = rsc
        self.task = task
        self.key = key
        self.node = node
        self.flags = flags
        self.reason: str | None = None
        self.meta: dict[str, str] = {}
        self.interval_ms = 0
        self.needs = REQUIRES_NOTHING
        self.on_fail = ON_FAIL_RESTART
        self.fail_role = Role.STARTED
        self.before: list[Relation] = []
        self.after: list[Relation] = []
        self.after_index: dict[int, list[Relation]] = {}
        self.required_runnable_before = 0
        self.runnable_before = 0
        self.op_entry = None
        self.cancel_task: str | None = None
        self.expected_rc: int | None = None

    @property
    def optional(self) -> bool:
        return bool(self.flags & OPTIONAL)

    @property
    def runnable(self) -> bool:
        return bool(self.flags & RUNNABLE)

    @property
    def pseudo(self) -> bool:
        return bool(self.flags & PSEUDO)

    def set_reason(self, reason: str | None, overwrite: bool = False) -> None:
        if self.reason is None or overwrite:
            self.reason = reason

    def __repr__(self) -> str:
        where = self.node.name if self.node else "-"
        return f"Action({self.key} on {where})"


class Colocation:
    __slots__ = ("id", "dependent", "primary", "score", "dependent_role", "primary_role",
                 "node_attribute", "influence", "explicit")

    def __init__(self, cid: str, dependent: Resource, primary: Resource, score: int,
                 dependent_role: Role, primary_role: Role, node_attribute: str,
                 influence: bool, explicit: bool = True) -> None:
        self.id = cid
        self.dependent = dependent
        self.primary = primary
        self.score = score
        self.dependent_role = dependent_role
        self.primary_role = primary_role
        self.node_attribute = node_attribute
        self.influence = influence
        self.explicit = explicit

    def __repr__(self) -> str:
        return f"Colocation({self.id}: {self.dependent.id} with {self.primary.id} {self.score})"


class Location:
    __slots__ = ("id", "rsc", "nodes", "role_filter", "discover_mode")

    def __init__(self, lid: str, rsc: Resource, role_filter: Role, discover_mode: int) -> None:
        self.id = lid
        self.rsc = rsc
        self.nodes: list[tuple[Node, int]] = []
        self.role_filter = role_filter
        self.discover_mode = discover_mode


class Ordering:
    """An ordering constraint before it is resolved to actions (pcmk__action_relation_t)."""

    __slots__ = ("id", "flags", "rsc1", "rsc2", "action1", "action2", "task1", "task2")

    def __init__(self, oid: int, flags: int, rsc1, task1, action1, rsc2, task2, action2):
        self.id = oid
        self.flags = flags
        self.rsc1 = rsc1
        self.rsc2 = rsc2
        self.action1 = action1
        self.action2 = action2
        self.task1 = task1
        self.task2 = task2
