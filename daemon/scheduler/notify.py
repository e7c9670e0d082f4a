"""Clone notifications: telling every instance of a `notify=true` clone what the others do.

Around each of a clone's start, stop, promote and demote there are four pseudo-actions
(`<clone>_pre_notify_<task>_0`, `<clone>_confirmed-pre_notify_<task>_0` before the action,
`<clone>_post_notify_<done>_0`, `<clone>_confirmed-post_notify_<done>_0` after its
completion), created with the clone's other actions so that ordering propagation sees
them. Once the orderings are settled, every active or arriving instance gets a `notify`
operation between them, and those operations (and the instances' start, stop, promote
and demote themselves) carry the `notify_*` meta-attributes: which instances are active,
inactive, promoted, unpromoted, and which are about to start, stop, promote or demote,
and where. The controller passes them to the agent as OCF_RESKEY_CRM_meta_notify_*.

This mirrors Pacemaker's clone notification logic (pe_notif.c and the clone code that
calls it), including its quirks, because agents such as DRBD depend on exactly these
values and the transition's shape follows from these orderings.
"""

from __future__ import annotations

from functools import cmp_to_key

from daemon.records import field, record
from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler.model import Action, Node, Resource
from daemon.scheduler.node_names import name_key
from daemon.scheduler.roles import Role
from daemon.scheduler.working_set import WorkingSet

# The order in which a clone's notifications are created at graph time.
NOTIFIED_TASKS = ("start", "stop", "promote", "demote")


def notify_key(rsc_id: str, notify_type: str, task: str) -> str:
    """The key of a notification action, e.g. 'ms_confirmed-pre_notify_start_0'."""
    return f"{rsc_id}_{notify_type}_notify_{task}_0"


@record
class Notification:
    """The notifications about one clone action (Pacemaker's notify_data_t)."""

    task: str
    pre: Action | None = None
    pre_done: Action | None = None
    post: Action | None = None
    post_done: Action | None = None
    keys: dict[str, str] = field(default_factory=dict)


# ---- the pseudo-actions (created with the clone's actions) --------------------------------

def _pseudo(ws: WorkingSet, rsc: Resource, about: Action, task: str, notify_type: str
            ) -> Action:
    action = act.custom_action(ws, rsc, notify_key(rsc.id, notify_type, about.task), task,
                               None, bool(about.flags & m.OPTIONAL))
    action.flags |= m.PSEUDO
    action.meta["notify_key_type"] = notify_type
    action.meta["notify_key_operation"] = about.task
    return action


def create_pseudo_ops(ws: WorkingSet, rsc: Resource, task: str, action: Action | None,
                      complete: Action | None) -> Notification | None:
    """pre -> confirmed-pre -> `action`, and `complete` -> post -> confirmed-post."""
    if not rsc.notify:
        return None
    n = Notification(task)
    if action is not None:
        n.pre = _pseudo(ws, rsc, action, "notify", "pre")
        n.pre.flags |= m.RUNNABLE
        n.pre_done = _pseudo(ws, rsc, action, "notified", "confirmed-pre")
        n.pre_done.flags |= m.RUNNABLE
        for pseudo in (n.pre, n.pre_done):
            pseudo.meta["notify_type"] = "pre"
            pseudo.meta["notify_operation"] = task
        act.order_actions(n.pre, n.pre_done, m.AR_ORDERED)
        act.order_actions(n.pre_done, action, m.AR_ORDERED)
    if complete is not None:
        n.post = _pseudo(ws, rsc, complete, "notify", "post")
        n.post_done = _pseudo(ws, rsc, complete, "notified", "confirmed-post")
        for pseudo in (n.post, n.post_done):
            if complete.flags & m.RUNNABLE:
                pseudo.flags |= m.RUNNABLE
            else:
                pseudo.flags &= ~m.RUNNABLE
            pseudo.meta["notify_type"] = "post"
            pseudo.meta["notify_operation"] = task
        act.order_actions(complete, n.post, m.AR_FIRST_IMPLIES_THEN)
        act.order_actions(n.post, n.post_done, m.AR_FIRST_IMPLIES_THEN)
    if action is not None and complete is not None:
        act.order_actions(n.pre_done, n.post, m.AR_ORDERED)
    return n


def create_clone_pseudo_ops(ws: WorkingSet, clone: Resource, start: Action, started: Action,
                            stop: Action, stopped: Action) -> None:
    """The start and stop notification pseudo-actions of a clone."""
    if not clone.notify:
        return
    notes = _notifications(clone)
    if "start" not in notes:
        _remember(clone, create_pseudo_ops(ws, clone, "start", start, started))
    if "stop" not in notes:
        stop_n = _remember(clone, create_pseudo_ops(ws, clone, "stop", stop, stopped))
        start_n = notes.get("start")
        if start_n is not None and stop_n is not None:
            act.order_actions(stop_n.post_done, start_n.pre, m.AR_ORDERED)


def create_promotable_pseudo_ops(ws: WorkingSet, clone: Resource, task: str,
                                 action: Action, complete: Action) -> None:
    """The promote or demote notification pseudo-actions of a promotable clone (promote
    first); with demote's, how the four kinds of notifications follow one another."""
    if not clone.notify:
        return
    notes = _notifications(clone)
    if task in notes:
        return
    n = _remember(clone, create_pseudo_ops(ws, clone, task, action, complete))
    promote_n = notes.get("promote")
    if task != "demote" or n is None or promote_n is None:
        return
    start_n, stop_n = notes["start"], notes["stop"]
    for first, then in ((stop_n.post_done, promote_n.pre), (start_n.post_done, promote_n.pre),
                        (n.post_done, promote_n.pre), (n.post_done, start_n.pre),
                        (n.post_done, stop_n.pre)):
        act.order_actions(first, then, m.AR_ORDERED)


def _notifications(clone: Resource) -> dict[str, Notification]:
    if clone.notifications is None:
        clone.notifications = {}
    return clone.notifications


def _remember(clone: Resource, n: Notification | None) -> Notification | None:
    if n is not None:
        _notifications(clone)[n.task] = n
    return n


# ---- what the instances are told -----------------------------------------------------------

class _Lists:
    """Instances by state and by planned action, as (instance, node) entries."""

    _LISTS = ("active", "inactive", "promoted", "unpromoted", "start", "stop", "promote",
              "demote")
    __slots__ = _LISTS + ("allowed",)

    def __init__(self) -> None:
        for name in self._LISTS:
            setattr(self, name, [])
        self.allowed: dict[Node, int] | None = None      # the clone's allowed nodes


_STATE_LISTS = {Role.STOPPED: ("inactive",), Role.STARTED: ("active",),
                Role.UNPROMOTED: ("unpromoted", "active"),
                Role.PROMOTED: ("promoted", "active")}


def _collect(rsc: Resource, lists: _Lists) -> None:
    if lists.allowed is None:
        lists.allowed = rsc.allowed
    if rsc.children:
        for child in rsc.children:
            _collect(child, lists)
        return
    node = rsc.running_on[0] if rsc.running_on else None
    for name in _STATE_LISTS.get(rsc.role, ()):
        getattr(lists, name).append((rsc, node))
    for action in rsc.actions:
        if action.flags & m.OPTIONAL or action.node is None:
            continue
        if action.task not in NOTIFIED_TASKS:
            continue
        if not (action.task == "stop" and action.node.unclean) \
                and not (action.flags & m.RUNNABLE):
            continue
        getattr(lists, action.task).append((rsc, action.node))


def _cmp_entries(a: tuple[Resource, Node | None], b: tuple[Resource, Node | None]) -> int:
    if a[0].id != b[0].id:
        return -1 if a[0].id < b[0].id else 1
    na, nb = a[1], b[1]
    if na is None or nb is None:        # entries without a node sort last
        return (na is None) - (nb is None)
    return (na.id > nb.id) - (na.id < nb.id)


def _words(items: list[str]) -> str:
    """A space-separated list, or a single space when empty (what agents expect)."""
    return " ".join(items) if items else " "


def _entry_strings(entries: list, with_nodes: bool) -> tuple[str, str]:
    """(instance names, node names) of entries sorted by instance, one per instance."""
    names: list[str] = []
    nodes: list[str] = []
    last = None
    for rsc, node in sorted(entries, key=cmp_to_key(_cmp_entries)):
        if with_nodes and node is None:
            continue
        if rsc.id == last:
            continue
        last = rsc.id
        names.append(rsc.id)
        if with_nodes:
            nodes.append(node.name)
    return _words(names), _words(nodes)


def _notify_keys(ws: WorkingSet, clone: Resource, lists: _Lists) -> dict[str, str]:
    keys: dict[str, str] = {}
    for name in ("stop", "start", "demote", "promote", "active"):
        keys[f"notify_{name}_resource"], keys[f"notify_{name}_uname"] = \
            _entry_strings(getattr(lists, name), True)
    for name, legacy in (("unpromoted", "slave"), ("promoted", "master")):
        rscs, unames = _entry_strings(getattr(lists, name), True)
        for prefix in (name, legacy):
            keys[f"notify_{prefix}_resource"] = rscs
            keys[f"notify_{prefix}_uname"] = unames
    keys["notify_inactive_resource"] = _entry_strings(lists.inactive, False)[0]
    allowed = sorted((node.name for node in lists.allowed or ()), key=name_key)
    keys["notify_available_uname"] = _words(allowed)
    if clone.meta.get("container-attribute-target") == "host":
        keys["notify_all_hosts"] = _words([node.name for node in ws.nodes])
    keys["notify_all_uname"] = _words([node.name for node in ws.nodes])
    return keys


def _add_keys(n: Notification, lists: _Lists, keys: dict[str, str]) -> None:
    """Record the values; the notifications are required if the clone action happens."""
    n.keys = keys
    if n.task == "stop":
        required = keys["notify_stop_resource"] != " "
    else:
        required = bool(getattr(lists, n.task))
    if not required:
        return
    for pseudo in (n.pre, n.pre_done, n.post, n.post_done):
        if pseudo is not None:
            pseudo.flags &= ~m.OPTIONAL


# ---- the notify operations (created once orderings are settled) ----------------------------

def _new_notify(ws: WorkingSet, rsc: Resource, node: Node, op: Action | None,
                done: Action | None, n: Notification) -> Action | None:
    if op is None or done is None or not node.online or not (op.flags & m.RUNNABLE):
        return None
    key = notify_key(rsc.id, op.meta["notify_type"], op.meta["notify_operation"])
    notify = act.custom_action(ws, rsc, key, op.task, node, bool(op.flags & m.OPTIONAL))
    for name, value in op.meta.items():
        notify.meta.setdefault(name, value)
    notify.meta.update(n.keys)
    act.order_actions(op, notify, m.AR_ORDERED)
    act.order_actions(notify, done, m.AR_ORDERED)
    return notify


def _new_post_notify(ws: WorkingSet, rsc: Resource, node: Node, n: Notification) -> None:
    _new_notify(ws, rsc, node, n.post, n.post_done, n)
    if n.post_done is None:
        return
    for monitor in list(rsc.actions):          # recurring monitors wait for the notifications
        if monitor.interval_ms and monitor.task != "cancel":
            act.order_actions(n.post_done, monitor, m.AR_ORDERED)


def _create_notify_actions(ws: WorkingSet, rsc: Resource, n: Notification) -> None:
    if rsc.children:
        for child in rsc.children:
            _create_notify_actions(ws, child, n)
        return
    for action in rsc.actions:
        if not (action.flags & m.OPTIONAL) and action.node is not None \
                and action.task in NOTIFIED_TASKS:
            action.meta.update(n.keys)
    task = n.task
    if task in ("start", "promote", "demote") and n.keys.get(f"notify_{task}_resource") \
            in (None, " "):
        return
    if rsc.role != Role.STOPPED and task in ("stop", "demote"):
        stop = act.find_first_action(rsc.actions, None, "stop", None)
        for node in list(rsc.running_on):
            if stop is not None and stop.flags & m.PSEUDO and node.unclean:
                continue                # the node is being fenced: nobody to tell there
            _new_notify(ws, rsc, node, n.pre, n.pre_done, n)
            if task == "demote" or stop is None or stop.flags & m.OPTIONAL:
                _new_post_notify(ws, rsc, node, n)
    if rsc.next_role != Role.STOPPED and task in ("start", "promote"):
        node = rsc.assigned_to
        if node is None:
            return
        start = act.find_first_action(rsc.actions, None, "start", None)
        if task != "start" or start is None or start.flags & m.OPTIONAL:
            _new_notify(ws, rsc, node, n.pre, n.pre_done, n)
        _new_post_notify(ws, rsc, node, n)


def _create_for(ws: WorkingSet, clone: Resource, n: Notification) -> None:
    lists = _Lists()
    _collect(clone, lists)
    _add_keys(n, lists, _notify_keys(ws, clone, lists))
    _create_notify_actions(ws, clone, n)


def create_notifications(ws: WorkingSet) -> None:
    """Every clone's notify operations, in resource order (as the graph is built)."""
    from daemon.scheduler.action_flags import action_flags
    for rsc in ws.resources:
        if rsc.variant != m.CLONE:
            continue
        for action in list(rsc.actions):     # the graph summarises instances' flags first
            action_flags(action, None)
        notes = rsc.notifications
        if not notes:
            continue
        for task in NOTIFIED_TASKS:
            n = notes.get(task)
            if n is not None:
                _create_for(ws, rsc, n)


def order_after_fencing(ws: WorkingSet, stop: Action, rsc: Resource, fence: Action) -> None:
    """A stop implied by fencing: the other instances are told after the fencing (the
    normal notifications cannot be ordered around a stop that is not executed)."""
    n = create_pseudo_ops(ws, rsc, "stop", None, fence)
    if n is None:
        return
    n.keys = {"notify_stop_resource": rsc.id, "notify_stop_uname": stop.node.name}
    _create_notify_actions(ws, rsc.top(), n)
