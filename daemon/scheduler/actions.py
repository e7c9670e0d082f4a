"""Creating and finding actions, their configuration, and orderings between them.

`custom_action()` is the one way actions come into being: it finds an existing action with
the same key on the same node or creates one, then recomputes whether it can run (node
online, quorum, requirements) exactly as Pacemaker does on every call.
"""

from __future__ import annotations

from daemon.scheduler import model as m
from daemon.scheduler import rules, timespec
from daemon.scheduler.model import Action, Node, Ordering, Resource
from daemon.scheduler.roles import Role, parse_role
from daemon.scheduler.working_set import WorkingSet

DEFAULT_TIMEOUT_MS = 20000


def op_key(rsc_id: str, task: str, interval_ms: int = 0) -> str:
    return f"{rsc_id}_{task}_{interval_ms}"


# Tasks whose names contain '_', by their last word (checked before a plain split).
_UNDERSCORED_TASKS = {
    "from": ("_migrate_from",), "to": ("_migrate_to",), "failcount": ("_clear_failcount",),
    "delete": ("_lrm_delete",),
}
# Notification keys put their kind before the task: 'ms_confirmed-pre_notify_start_0'.
_NOTIFY_PREFIXES = ("_pre_notify", "_post_notify", "_confirmed-pre_notify",
                    "_confirmed-post_notify")


def parse_op_key(key: str) -> tuple[str, str, int] | None:
    """Split 'rsc_task_interval' (rsc ids may contain underscores); a notification's task
    keeps its kind ('confirmed-post_notify_running')."""
    head, sep, interval = key.rpartition("_")
    if not sep or not interval.isdigit():
        return None
    rsc, sep, task = head.rpartition("_")
    if not sep:
        return None
    for suffix in _UNDERSCORED_TASKS.get(task, ()):
        if head.endswith(suffix):
            return head[: -len(suffix)], suffix[1:], int(interval)
    for prefix in _NOTIFY_PREFIXES:
        if rsc.endswith(prefix) and len(rsc) > len(prefix):
            return rsc[: -len(prefix)], f"{prefix[1:]}_{task}", int(interval)
    return rsc, task, int(interval)


# ---- operation configuration ---------------------------------------------------------

def _op_index(ws: WorkingSet, rsc: Resource) -> tuple[dict, dict]:
    """(all ops, enabled ops) keyed by (name, interval_ms): first match wins."""
    key = ("ops", id(rsc.ops_xml))
    cached = ws.config_cache.get(key)
    if cached is not None:
        return cached
    every: dict[tuple[str, int], object] = {}
    enabled: dict[tuple[str, int], object] = {}
    if rsc.ops_xml is not None:
        for op in rsc.ops_xml:
            if op.tag != "op":
                continue
            name = op.get("name")
            interval = timespec.interval_ms(op.get("interval"))
            every.setdefault((name, interval), op)
            if (op.get("enabled") or "true").lower() not in ("false", "no", "off", "0", "n"):
                enabled.setdefault((name, interval), op)
    ws.config_cache[key] = (every, enabled)
    return every, enabled


def find_action_config(ws: WorkingSet, rsc: Resource, task: str, interval_ms: int,
                       include_disabled: bool = True):
    every, enabled = _op_index(ws, rsc)
    table = every if include_disabled else enabled
    op = table.get((task, interval_ms))
    if op is None and task in ("migrate_to", "migrate_from"):
        op = table.get(("migrate", 0))
    return op


def _most_frequent_monitor(ws: WorkingSet, rsc: Resource):
    best = None
    best_interval = None
    if rsc.ops_xml is None:
        return None
    for op in rsc.ops_xml:
        if op.tag != "op" or op.get("name") != "monitor":
            continue
        interval = timespec.interval_ms(op.get("interval"))
        if interval == 0:
            continue
        if (op.get("enabled") or "true").lower() in ("false", "no", "off", "0", "n"):
            continue
        if best_interval is None or interval < best_interval:
            best, best_interval = op, interval
    return best


def _has_rules(ws: WorkingSet, el) -> bool:
    if el is None:
        return False
    key = ("has-rules", id(el))
    found = ws.config_cache.get(key)
    if found is None:
        found = ws.config_cache[key] = any(True for _ in el.iter("rule"))
    return found


def action_meta(ws: WorkingSet, rsc: Resource, node: Node | None, task: str,
                interval_ms: int, config) -> dict[str, str]:
    """Normalised action meta-attributes (pcmk__unpack_action_meta); cached when rule-free."""
    node_dependent = _has_rules(ws, ws.op_defaults) or _has_rules(ws, config)
    key = (id(rsc), task, interval_ms, id(config),
           node.name if (node_dependent and node is not None) else None)
    cached = ws.meta_cache.get(key)
    if cached is not None:
        return dict(cached)
    inp = rules.RuleInput(now=ws.now, node_attrs=node.attrs if node is not None else None,
                          rsc_standard=rsc.standard, rsc_provider=rsc.provider,
                          rsc_agent=rsc.agent, op_name=task, op_interval_ms=interval_ms)
    meta: dict[str, str] = {}
    rules.unpack_nvpair_sets(ws.op_defaults, "meta_attributes", inp, meta,
                             lookup=ws.lookup_id)
    if task == "monitor" and interval_ms == 0:
        mon = _most_frequent_monitor(ws, rsc)
        if mon is not None and mon.get("timeout") is not None:
            meta["timeout"] = mon.get("timeout")
    if config is not None:
        rules.unpack_nvpair_sets(config, "meta_attributes", inp, meta, overwrite=True,
                                 lookup=ws.lookup_id)
        for name, value in config.attrib.items():
            meta[name] = value
    meta.pop("id", None)
    if interval_ms > 0:
        meta["interval"] = str(interval_ms)
    else:
        meta.pop("interval", None)
    if rsc.standard == "stonith" and (task == "start" or (task == "monitor" and interval_ms == 0)):
        from daemon.scheduler.params import rsc_params
        pmt = rsc_params(ws, rsc, node).get("pcmk_monitor_timeout")
        if pmt is not None:
            meta["timeout"] = pmt
    timeout = timespec.msec(meta.get("timeout")) if meta.get("timeout") else None
    meta["timeout"] = str(timeout if timeout is not None and timeout >= 0 else DEFAULT_TIMEOUT_MS)
    _validate_on_fail(rsc, task, config, meta)
    ws.meta_cache[key] = dict(meta)
    return meta


def _validate_on_fail(rsc: Resource, task: str, config, meta: dict[str, str]) -> None:
    value = meta.get("on-fail")
    if task == "stop" and value is not None and value.lower() in ("standby", "demote", "stop"):
        meta.pop("on-fail", None)
        return
    if task == "demote" and value is None:
        if rsc.ops_xml is not None:
            for op in rsc.ops_xml:
                if op.tag != "op":
                    continue
                promote_on_fail = op.get("on-fail")
                if promote_on_fail is None:
                    continue
                if op.get("name") != "monitor" or parse_role(op.get("role")) != Role.PROMOTED:
                    continue
                if timespec.interval_ms(op.get("interval")) == 0:
                    continue
                if (op.get("enabled") or "true").lower() in ("false", "no", "off", "0"):
                    continue
                if promote_on_fail.lower() == "demote":
                    continue
                meta["on-fail"] = promote_on_fail
        return
    if task == "lrm_delete" and (value or "").lower() != "ignore":
        meta["on-fail"] = "ignore"
        return
    if value is not None and value.lower() == "demote":
        name = config.get("name") if config is not None else None
        role = parse_role(config.get("role")) if config is not None else Role.UNKNOWN
        interval = timespec.interval_ms(config.get("interval")) if config is not None else 0
        if name != "promote" and (name != "monitor" or role != Role.PROMOTED or interval == 0):
            meta.pop("on-fail", None)


def parse_on_fail(ws: WorkingSet, rsc: Resource, task: str, interval_ms: int,
                  value: str | None) -> int:
    """The failure response configured for an action, with Pacemaker's defaults."""
    explicit = True
    result = m.ON_FAIL_IGNORE
    v = value.lower() if value is not None else None
    if v is None:
        explicit = False
    elif v == "block":
        result = m.ON_FAIL_BLOCK
    elif v == "fence":
        result = m.ON_FAIL_FENCE if ws.options.fencing_enabled else m.ON_FAIL_STOP
    elif v == "standby":
        result = m.ON_FAIL_STANDBY
    elif v in ("ignore", "nothing"):
        result = m.ON_FAIL_IGNORE
    elif v == "migrate":
        result = m.ON_FAIL_BAN
    elif v == "stop":
        result = m.ON_FAIL_STOP
    elif v == "restart":
        result = m.ON_FAIL_RESTART
    elif v == "restart-container":
        if rsc.launcher is None:
            explicit = False
        else:
            result = m.ON_FAIL_RESTART_CONTAINER
    elif v == "demote":
        result = m.ON_FAIL_DEMOTE
    else:
        explicit = False
    # a remote node's connection lost after it was up means fencing the node (probes and
    # starts excepted); unmanaged connections always take the default
    needs_remote_reset = False
    if rsc.is_remote_connection and task != "start" \
            and not (task == "monitor" and interval_ms == 0):
        node = ws.node_by_name.get(rsc.id)
        if node is not None and node.kind == "remote" \
                and (node.remote_rsc is None or node.remote_rsc.launcher is None):
            needs_remote_reset = True
            if not rsc.managed:
                explicit = False
    if explicit:
        return result
    if rsc.launcher is not None:
        return m.ON_FAIL_RESTART_CONTAINER
    if needs_remote_reset:
        return m.ON_FAIL_RESET_REMOTE if rsc.managed else m.ON_FAIL_STOP
    if task == "stop":
        return m.ON_FAIL_FENCE if ws.options.fencing_enabled else m.ON_FAIL_BLOCK
    return m.ON_FAIL_RESTART


def role_after_failure(task: str, on_fail: int, meta: dict[str, str],
                       reconnect_ms: int = 0) -> Role:
    if on_fail == m.ON_FAIL_STOP:
        return Role.STOPPED
    if on_fail == m.ON_FAIL_RESET_REMOTE and reconnect_ms:
        return Role.STOPPED
    value = meta.get("role_after_failure")
    if value is not None:
        role = parse_role(value)
        if role != Role.UNKNOWN:
            return role
    return Role.UNPROMOTED if task == "promote" else Role.STARTED


def action_requires(rsc: Resource, task: str) -> int:
    if task not in ("start", "promote"):
        return m.REQUIRES_NOTHING
    return rsc.requires


# ---- creating and finding actions ----------------------------------------------------

def _find_existing(ws: WorkingSet, key: str, rsc: Resource | None, node: Node | None):
    if rsc is None:
        action = ws.singletons.get(key)
        if action is None:
            return None
        if node is not None and action.node is not None and action.node is not node:
            return None
        return action
    candidates = rsc.actions_by_key.get(key)
    if not candidates:
        return None
    for action in candidates:
        if node is None:
            return action
        if action.node is None:
            action.node = node
            return action
        if action.node is node:
            return action
    return None


def custom_action(ws: WorkingSet, rsc: Resource | None, key: str, task: str,
                  node: Node | None, optional: bool) -> Action:
    action = _find_existing(ws, key, rsc, node)
    if action is None:
        action = _new_action(ws, key, task, rsc, node, optional)
    # update_action_optional()
    if (rsc is not None and action.node is not None and not (action.flags & m.PSEUDO)
            and not rsc.managed and "interval" not in action.meta):
        action.flags |= m.OPTIONAL
    elif not optional:
        action.flags &= ~m.OPTIONAL
    if rsc is not None:
        _update_runnable(ws, action)
    return action


def _new_action(ws: WorkingSet, key: str, task: str, rsc: Resource | None,
                node: Node | None, optional: bool) -> Action:
    flags = m.RUNNABLE | (m.OPTIONAL if optional else 0)
    if task == "lrm_delete":
        flags |= m.ON_DC
    action = Action(ws.action_ids, rsc, task, key, node, flags)
    ws.action_ids += 1
    if rsc is not None:
        parsed = parse_op_key(key)
        interval = parsed[2] if parsed else 0
        action.interval_ms = interval
        config = find_action_config(ws, rsc, task, interval, True)
        if config is None and "_notify_" in key:
            config = find_action_config(ws, rsc, "notify", 0, True)
        action.op_entry = config
        action.meta = action_meta(ws, rsc, node, task, interval, config)
        action.needs = action_requires(rsc, task)
        action.on_fail = parse_on_fail(ws, rsc, task, interval, action.meta.get("on-fail"))
        action.fail_role = role_after_failure(task, action.on_fail, action.meta,
                                              rsc.remote_reconnect_ms)
        rsc.add_action(action)
    else:
        ws.singletons[key] = action
    ws.actions.append(action)
    return action


def _effective_quorum_policy(ws: WorkingSet, rsc: Resource) -> str:
    if ws.quorate:
        return "ignore"
    policy = ws.options.no_quorum_policy
    if policy == "demote":
        if rsc.role in (Role.PROMOTED, Role.UNPROMOTED):
            if rsc.next_role > Role.UNPROMOTED:
                rsc.next_role = Role.UNPROMOTED
            return "ignore"
        return "stop"
    return policy


def _update_runnable(ws: WorkingSet, action: Action) -> None:
    if action.flags & m.PSEUDO:
        return
    node = action.node
    if node is None:
        action.flags &= ~m.RUNNABLE
        return
    if not (action.flags & m.ON_DC) and not node.online \
            and not _guest_coming_back(node):
        action.flags &= ~m.RUNNABLE
        if action.rsc.managed and action.task == "stop" and not node.unclean:
            from daemon.scheduler.fencing import fence_node
            fence_node(ws, node, "stop is unrunnable", False)
        return
    if not (action.flags & m.ON_DC) and node.pending:
        action.flags &= ~m.RUNNABLE
        return
    if action.needs == m.REQUIRES_NOTHING:
        action.reason = None
        action.flags |= m.RUNNABLE
        return
    policy = _effective_quorum_policy(ws, action.rsc)
    if policy == "stop":
        action.flags &= ~m.RUNNABLE
        action.reason = "no quorum"
    elif policy == "freeze":
        rsc = action.rsc
        if not is_active(rsc) or rsc.next_role > rsc.role:
            action.flags &= ~m.RUNNABLE
            action.reason = "quorum freeze"
    else:
        action.flags |= m.RUNNABLE


def _guest_coming_back(node: Node) -> bool:
    """An offline guest node not needing a reset still runs actions (it comes up with its
    launcher in this transition)."""
    connection = node.remote_rsc
    return connection is not None and connection.launcher is not None \
        and not node.remote_reset


def is_active(rsc: Resource) -> bool:
    """native_active() and its collective counterparts (any instance active)."""
    if rsc.variant != m.PRIMITIVE:
        return any(is_active(c) for c in rsc.children)
    for node in rsc.running_on:
        if node.unclean:
            return True
        if not node.online and rsc.managed:
            continue
        return True
    return False


def resource_action(ws: WorkingSet, rsc: Resource, task: str, node: Node | None,
                    optional: bool) -> Action:
    return custom_action(ws, rsc, op_key(rsc.id, task, 0), task, node, optional)


def get_pseudo_op(ws: WorkingSet, name: str) -> Action:
    action = ws.singletons.get(name)
    if action is None:
        action = custom_action(ws, None, name, name, None, True)
        action.flags |= m.PSEUDO | m.RUNNABLE
    return action


def find_actions(rsc: Resource, key: str, node: Node | None) -> list[Action]:
    """All of a resource's actions with `key` on `node` (any node if None), oldest first.

    Like Pacemaker's find_actions(), an action not yet placed on a node is placed on `node`.
    """
    out = []
    for action in rsc.actions_by_key.get(key, ()):
        if node is None:
            out.append(action)
        elif action.node is None:
            action.node = node
            out.append(action)
        elif action.node is node:
            out.append(action)
    return out


def find_actions_exact(rsc: Resource, key: str, node: Node | None) -> list[Action]:
    if node is None:
        return []
    return [a for a in rsc.actions_by_key.get(key, ()) if a.node is node]


def resource_actions(rsc: Resource, node: Node | None, task: str,
                     require_node: bool = False) -> list[Action]:
    key = op_key(rsc.id, task, 0)
    if require_node:
        return find_actions_exact(rsc, key, node)
    return find_actions(rsc, key, node)


def find_first_action(actions: list[Action], key: str | None, task: str | None,
                      node: Node | None) -> Action | None:
    """The most recently created matching action (Pacemaker lists are newest first)."""
    for action in reversed(actions):
        if key is not None and action.key != key:
            continue
        if task is not None and action.task != task:
            continue
        if node is None:
            return action
        if action.node is not None and action.node is node:
            return action
    return None


# ---- orderings --------------------------------------------------------------------------

def new_ordering(ws: WorkingSet, first_rsc: Resource | None, first_task: str | None,
                 first_action: Action | None, then_rsc: Resource | None,
                 then_task: str | None, then_action: Action | None, flags: int) -> None:
    if first_rsc is None and first_action is not None:
        first_rsc = first_action.rsc
    if then_rsc is None and then_action is not None:
        then_rsc = then_action.rsc
    if first_task is None and first_action is not None:
        first_task = first_action.key
    if then_task is None and then_action is not None:
        then_task = then_action.key
    order = Ordering(ws.ordering_ids, flags, first_rsc, first_task, first_action,
                     then_rsc, then_task, then_action)
    ws.orderings.append(order)
    ws.ordering_ids += 1
    if first_rsc is not None and then_rsc is not None \
            and (first_rsc.migratable or then_rsc.migratable):
        from daemon.scheduler.migration import order_migration_equivalents
        order_migration_equivalents(ws, order)


def order_resource_actions(ws: WorkingSet, first: Resource, first_task: str,
                           then: Resource, then_task: str, flags: int) -> None:
    new_ordering(ws, first, op_key(first.id, first_task, 0), None,
                 then, op_key(then.id, then_task, 0), None, flags)


def order_actions(first: Action, then: Action, flags: int) -> bool:
    """Link two actions directly; False if an equivalent link already existed."""
    if flags == m.AR_NONE or first is None or then is None or first is then:
        return False
    existing = first.after_index.get(then.id)
    if existing is not None:
        for rel in existing:
            if rel.type & flags:
                return False
    after = m.Relation(then, flags)
    first.after.append(after)
    first.after_index.setdefault(then.id, []).append(after)
    then.before.append(m.Relation(first, flags))
    return True
