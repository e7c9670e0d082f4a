"""Variant-specific action flags: a group or clone action summarises its members' actions."""

from __future__ import annotations

from daemon.scheduler import model as m
from daemon.scheduler.actions import find_first_action
from daemon.scheduler.model import Action, Node, Resource

_FOLD = {"stopped": "stop", "running": "start", "demoted": "demote", "promoted": "promote",
         "notified": "notify"}


def member_task(member: Resource, task: str) -> str:
    """get_complex_task(): a primitive does 'start' where its group is 'running'."""
    if member.variant == m.PRIMITIVE:
        return _FOLD.get(task, task)
    return task


def action_flags(action: Action, node: Node | None) -> int:
    rsc = action.rsc
    if rsc is None or rsc.variant == m.PRIMITIVE:
        return action.flags
    if rsc.variant == m.GROUP:
        return _group_action_flags(action, node)
    if rsc.variant == m.BUNDLE:
        from daemon.scheduler.bundle_sched import bundle_action_flags
        return bundle_action_flags(action, node)
    from daemon.scheduler.clone import clone_action_flags
    return clone_action_flags(action, node)


def _group_action_flags(action: Action, node: Node | None) -> int:
    flags = m.OPTIONAL | m.RUNNABLE | m.PSEUDO
    for member in action.rsc.children:
        task = member_task(member, action.task)
        member_action = find_first_action(member.actions, None, task, node)
        if member_action is not None:
            member_flags = action_flags(member_action, node)
            if (flags & m.OPTIONAL) and not (member_flags & m.OPTIONAL):
                flags &= ~m.OPTIONAL
                action.flags &= ~m.OPTIONAL
            if task != action.task and (flags & m.RUNNABLE) \
                    and not (member_flags & m.RUNNABLE):
                flags &= ~m.RUNNABLE
                action.flags &= ~m.RUNNABLE
        elif task not in ("stop", "demote"):
            flags &= ~m.RUNNABLE
    return flags
