"""The scheduling pipeline: CIB in, transition out.

The stages run in Pacemaker's order (pcmk__schedule_actions()): unpack, constraints,
node criteria, implicit constraints, configuration changes, assignment, actions, fencing,
orderings, clone notifications (as the graph is built), summary. Each stage lives in its
own module; this one only sequences them.
"""

from __future__ import annotations

from daemon.scheduler import cluster_options
from daemon.scheduler import model as m
from daemon.scheduler import rules
from daemon.scheduler.assign import assign
from daemon.scheduler.config_changes import handle_rsc_config_changes
from daemon.scheduler.constraints import unpack_constraints
from daemon.scheduler.node_health import apply_node_health
from daemon.scheduler.criteria import apply_node_criteria
from daemon.scheduler.fencing import schedule_fencing_and_shutdowns
from daemon.scheduler.history import clear_failcount, unpack_status
from daemon.scheduler.notify import create_notifications
from daemon.scheduler.orderings import apply_orderings
from daemon.scheduler.probes import schedule_probes
from daemon.scheduler.remote_nodes import create_remote_nodes, link_resources
from daemon.scheduler.remote_orderings import order_remote_connection_actions
from daemon.scheduler.tickets import unpack_ticket_states
from daemon.scheduler.unpack_nodes import unpack_nodes
from daemon.scheduler.unpack_resources import unpack_resources
from daemon.scheduler.working_set import WorkingSet


def effective_now(cib, default: int) -> int:
    """The cib's execution-date (Unix seconds) when present, else `default`."""
    value = cib.get("execution-date")
    if value is not None:
        try:
            return int(value)
        except ValueError:
            pass
    return default


def _first(cib, path: str):
    found = cib.find(path)
    return found


def build_working_set(cib, now: int, *, explain: bool = False) -> WorkingSet:
    config = cib.find("configuration")
    crm_config = config.find("crm_config") if config is not None else None
    props: dict[str, str] = {}
    rules.unpack_nvpair_sets(crm_config, "cluster_property_set", rules.RuleInput(now=now),
                             props, first_id="cib-bootstrap-options")
    quorate = cluster_options.is_true(cib.get("have-quorum"))
    panic = cluster_options.is_true(cib.get("no-quorum-panic"))
    options = cluster_options.build(props, quorate=quorate, no_quorum_panic=panic)
    ws = WorkingSet(cib, now, options)
    ws.explain = explain
    ws.quorate = quorate
    ws.op_defaults = next(iter(cib.iter("op_defaults")), None)
    ws.rsc_defaults = next(iter(cib.iter("rsc_defaults")), None)
    if options.have_watchdog:
        ws.have_fencing = True
    ws.enable_unfencing = _unfencing_configured(config)
    unpack_nodes(ws, config.find("nodes") if config is not None else None)
    resources = config.find("resources") if config is not None else None
    create_remote_nodes(ws, resources)
    unpack_resources(ws, resources)
    link_resources(ws)
    tags = config.find("tags") if config is not None else None
    if tags is not None:
        for tag in tags:
            if tag.tag == "tag" and tag.get("id"):
                ws.tags[tag.get("id")] = [ref.get("id") for ref in tag if ref.tag == "obj_ref"]
    unpack_status(ws, cib.find("status"))
    unpack_ticket_states(ws, cib.find("status"))
    return ws


def _unfencing_configured(config) -> bool:
    if config is None:
        return False
    for section in ("resources", "rsc_defaults"):
        el = config.find(section)
        if el is None:
            continue
        for meta in el.iter("meta_attributes"):
            for nv in meta.iter("nvpair"):
                if nv.get("name") in ("provides", "requires") and nv.get("value") == "unfencing":
                    return True
    return False


def _variant_method(rsc, name: str):
    """The variant's implementation of a method (primitive, group or clone module)."""
    if rsc.variant == m.PRIMITIVE:
        from daemon.scheduler import primitive_actions as module
    elif rsc.variant == m.GROUP:
        from daemon.scheduler import group as module
    elif rsc.variant == m.BUNDLE:
        from daemon.scheduler import bundle_sched as module
    else:
        from daemon.scheduler import clone as module
    prefix = {m.PRIMITIVE: "primitive", m.GROUP: "group", m.CLONE: "clone",
              m.BUNDLE: "bundle"}[rsc.variant]
    return getattr(module, f"{prefix}_{name}")


def create_internal_constraints(ws: WorkingSet, rsc) -> None:
    _variant_method(rsc, "internal_constraints")(ws, rsc)


def create_actions(ws: WorkingSet, rsc) -> None:
    _variant_method(rsc, "create_actions")(ws, rsc)


def _clear_orphan_failcounts(ws: WorkingSet) -> None:
    from daemon.scheduler import failcounts
    for rsc in list(ws.resources):
        if not rsc.removed:
            continue
        for node in ws.nodes:
            if not node.online:
                continue
            count, _ = failcounts.get_failcount(ws, node, rsc, failcounts.EFFECTIVE)
            if count == 0:
                continue
            clear = clear_failcount(ws, rsc, node, "it is orphaned")
            from daemon.scheduler import actions as act
            act.new_ordering(ws, clear.rsc, None, clear, rsc, act.op_key(rsc.id, "stop"), None,
                             m.AR_ORDERED)


def run_pipeline(cib, now: int, *, explain: bool = False, show_scores: bool = False,
                 sanitized: bool = False) -> WorkingSet:
    ws = build_working_set(cib, now, explain=explain)
    ws.sanitized = sanitized
    ws.show_scores = show_scores
    config = cib.find("configuration")
    apply_node_health(ws)
    unpack_constraints(ws, config.find("constraints") if config is not None else None)
    apply_node_criteria(ws)
    for rsc in list(ws.resources):
        create_internal_constraints(ws, rsc)
    handle_rsc_config_changes(ws)
    if ws.options.placement_strategy != "default":
        from daemon.scheduler.utilization import sort_resources
        sort_resources(ws)
    if ws.have_remote_nodes:
        # connections first (and what they depend on), so remote nodes' states are known;
        # a migrating connection prefers its migration target
        for rsc in list(ws.resources):
            if rsc.is_remote_connection:
                assign(ws, rsc, rsc.partial_target, True)
    for rsc in list(ws.resources):
        if not rsc.is_remote_connection:
            assign(ws, rsc, None, True)
    schedule_probes(ws)
    if ws.options.stop_orphan_resources:
        _clear_orphan_failcounts(ws)
    for rsc in list(ws.resources):
        create_actions(ws, rsc)
    # an unrecoverable connection is one more reason to fence, so this comes first
    order_remote_connection_actions(ws)
    schedule_fencing_and_shutdowns(ws)
    apply_orderings(ws)
    create_notifications(ws)
    return ws
