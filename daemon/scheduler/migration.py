"""Live migration: migrate_to on the source, migrate_from on the target.

Mirrors Pacemaker's pcmk_sched_migration.c. A primitive with allow-migrate=true that moves
between two clean nodes gets migrate_to (source) then migrate_from (target); its stop on the
source stays real and its start on the target becomes a pseudo action, all marked migratable.
Anything that makes one of them required-and-unmigratable (an ordering with an unmigratable
action, an unrunnable migrate_from) turns the migration back into a plain move.
Orderings that name a migratable resource's start/stop/promote/demote get an equivalent
ordering for its migration actions (order_migration_equivalents()).
"""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.working_set import WorkingSet


def can_migrate(rsc: Resource, current: Node | None) -> bool:
    """pcmk__rsc_can_migrate()."""
    if not rsc.migratable or not rsc.managed or rsc.failed or rsc.start_pending:
        return False
    if current is None or current.unclean:
        return False
    target = rsc.assigned_to
    return target is not None and not target.unclean


def _add_migration_meta(action: m.Action, source: Node, target: Node) -> None:
    action.meta["migrate_source"] = source.name
    action.meta["migrate_target"] = target.name


def create_migration_actions(ws: WorkingSet, rsc: Resource, current: Node) -> None:
    """pcmk__create_migration_actions(): the actions of a (possibly partial) migration."""
    target = rsc.assigned_to
    partial = rsc.partial_target is not None
    start = act.resource_action(ws, rsc, "start", target, True)
    stop = act.resource_action(ws, rsc, "stop", current, True)
    migrate_to = None
    if not partial:
        migrate_to = act.custom_action(ws, rsc, act.op_key(rsc.id, "migrate_to"), "migrate_to",
                                       current, True)
    migrate_from = act.custom_action(ws, rsc, act.op_key(rsc.id, "migrate_from"),
                                     "migrate_from", target, True)
    start.flags |= m.MIGRATABLE | m.PSEUDO
    stop.flags |= m.MIGRATABLE
    migrate_from.flags |= m.MIGRATABLE
    monitor = act.op_key(rsc.id, "monitor")
    if migrate_to is not None:
        migrate_to.flags |= m.MIGRATABLE
        migrate_to.needs = start.needs
        act.new_ordering(ws, rsc, monitor, None, rsc, act.op_key(rsc.id, "migrate_to"), None,
                         m.AR_ORDERED)
        act.new_ordering(ws, rsc, act.op_key(rsc.id, "migrate_to"), None, rsc,
                         act.op_key(rsc.id, "migrate_from"), None,
                         m.AR_ORDERED | m.AR_UNMIGRATABLE_THEN_BLOCKS)
    else:
        migrate_from.needs = start.needs
        act.new_ordering(ws, rsc, monitor, None, rsc, act.op_key(rsc.id, "migrate_from"), None,
                         m.AR_ORDERED)
    from_key = act.op_key(rsc.id, "migrate_from")
    act.new_ordering(ws, rsc, from_key, None, rsc, act.op_key(rsc.id, "stop"), None,
                     m.AR_ORDERED | m.AR_UNMIGRATABLE_THEN_BLOCKS)
    act.new_ordering(ws, rsc, from_key, None, rsc, act.op_key(rsc.id, "start"), None,
                     m.AR_ORDERED | m.AR_UNMIGRATABLE_THEN_BLOCKS | m.AR_FIRST_ELSE_THEN)
    if migrate_to is not None:
        _add_migration_meta(migrate_to, current, target)
        if not (rsc.standard == "ocf" and rsc.provider == "pacemaker"
                and rsc.agent == "remote"):
            migrate_to.meta["record-pending"] = "true"
    _add_migration_meta(migrate_from, current, target)


def _task_of(action: m.Action | None, key: str | None) -> str | None:
    if action is not None:
        return action.task
    if key is None:
        return None
    parsed = act.parse_op_key(key)
    return parsed[1] if parsed is not None else None


def order_migration_equivalents(ws: WorkingSet, order: m.Ordering) -> None:
    """pcmk__order_migration_equivalents(): the same ordering for the migration actions."""
    first, then = order.rsc1, order.rsc2
    if first is None or then is None or first is then \
            or then.is_ancestor_of(first) or first.is_ancestor_of(then):
        return
    first_migratable, then_migratable = first.migratable, then.migratable
    if not first_migratable and not then_migratable:
        return
    first_task = _task_of(order.action1, order.task1)
    then_task = _task_of(order.action2, order.task2)

    def order_keys(first_op: str, then_op: str, flags: int) -> None:
        act.new_ordering(ws, first, act.op_key(first.id, first_op), None,
                         then, act.op_key(then.id, then_op), None, flags)

    if first_task == "start" and then_task == "start":
        flags = m.AR_ORDERED
        if first_migratable and then_migratable:
            order_keys("migrate_from", "migrate_to", flags)
        if then_migratable:
            if first_migratable:
                flags |= m.AR_IF_FIRST_UNMIGRATABLE
            order_keys("start", "migrate_to", flags)
    elif then_migratable and first_task == "stop" and then_task == "stop":
        flags = m.AR_ORDERED
        if first_migratable:
            flags |= m.AR_IF_FIRST_UNMIGRATABLE
        order_keys("stop", "migrate_to", flags)
        if then.partial_target is not None:
            order_keys("stop", "migrate_from", flags)
    elif first_task == "promote" and then_task == "start":
        if then_migratable:
            order_keys("promote", "migrate_to", m.AR_ORDERED)
    elif first_task == "demote" and then_task == "stop":
        if then_migratable:
            order_keys("demote", "migrate_to", m.AR_ORDERED)
            if then.partial_target is not None:
                order_keys("demote", "migrate_from", m.AR_ORDERED)
