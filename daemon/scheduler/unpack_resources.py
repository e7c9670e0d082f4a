"""Unpacking the resources section: primitives, groups and clones, their meta-attributes.

Clone instances are created here as real child resources (`child:0`, `child:1`, ...), as
Pacemaker does, so that history can be matched to instance numbers while unpacking status.
"""

from __future__ import annotations

from daemon.scheduler import model as m
from daemon.scheduler import rules, scores, timespec
from daemon.scheduler.cluster_options import is_true
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.remote_nodes import is_connection_xml
from daemon.scheduler.roles import Role, parse_role
from daemon.scheduler.working_set import WorkingSet

_VARIANTS = {"primitive": m.PRIMITIVE, "group": m.GROUP, "clone": m.CLONE, "master": m.CLONE,
             "bundle": m.BUNDLE}


def resource_location(ws: WorkingSet, rsc: Resource, node: Node | None, score: int,
                      tag: str) -> None:
    """Add `score` to `rsc`'s (and its descendants') allowed score on a node or all nodes."""
    if node is not None:
        _node_score(rsc, node, score, tag)
    else:
        for n in ws.nodes:
            _node_score(rsc, n, score, tag)
    if node is None and score <= -scores.INFINITY and rsc.assigned_to is not None:
        rsc.assigned_to = None


def _node_score(rsc: Resource, node: Node, score: int, tag: str) -> None:
    if tag == "symmetric_default" and (rsc.exclusive_discover or node.guest_never_probed
                                       or rsc.discover.get(node) == m.DISCOVER_NEVER):
        return
    for child in rsc.children:
        _node_score(child, node, score, tag)
    current = rsc.allowed.get(node)
    if current is None:
        rsc.allowed[node] = scores.add(node.weight, score)
        if rsc.explanation is not None and node.weight:
            rsc.explanation.append(("location", "node weight", node, node.weight))
    else:
        rsc.allowed[node] = scores.add(current, score)
    if rsc.explanation is not None:
        rsc.explanation.append(("location", tag, node, score))


def get_target_role(rsc: Resource) -> Role | None:
    value = rsc.meta.get("target-role")
    if value is None or value.lower() in ("started", "default"):
        return None
    role = parse_role(value)
    if role == Role.UNKNOWN:
        return None
    if role > Role.STARTED:
        if rsc.top().promotable:
            if role > Role.UNPROMOTED:
                return None
        else:
            return None
    return role


def unpack_resources(ws: WorkingSet, section) -> None:
    if section is None:
        return
    for el in [*section, *ws.guest_connection_xml]:
        if not isinstance(el.tag, str):
            continue
        rid = el.get("id")
        if not rid:
            ws.warn(f"ignoring <{el.tag}> resource without id")
            continue
        if el.tag == "template":
            ws.templates[rid] = el
            continue
        if el.tag not in _VARIANTS:
            ws.warn(f"ignoring resource '{rid}' of unknown type <{el.tag}>")
            continue
        rsc = unpack_resource(ws, el, None)
        if rsc is not None:
            ws.resources.append(rsc)
    # Higher priority first; stable, so configuration order breaks ties
    ws.resources.sort(key=lambda r: -r.priority)


def _expand_template(ws: WorkingSet, el):
    ref = el.get("template")
    if ref is None:
        return el
    template = ws.templates.get(ref)
    if template is None:
        ws.warn(f"no template named '{ref}' for resource '{el.get('id')}'")
        return el
    from copy import deepcopy
    new = deepcopy(template)
    new.tag = el.tag
    for name, value in el.attrib.items():
        if name != "template":
            new.set(name, value)
    ops_new = new.find("operations")
    for child in el:
        if child.tag == "operations" and ops_new is not None:
            present = {(op.get("name"), op.get("role") or "") for op in child}
            for op in ops_new:
                if (op.get("name"), op.get("role") or "") not in present:
                    child.append(deepcopy(op))
            new.remove(ops_new)
            ops_new = None
        new.append(deepcopy(child))
    return new


def _meta_attributes(ws: WorkingSet, rsc: Resource) -> dict[str, str]:
    meta: dict[str, str] = {}
    for name, value in rsc.xml.attrib.items():
        if value != "#default" and name not in meta:
            meta[name] = value
    inp = rules.RuleInput(now=ws.now, rsc_standard=rsc.xml.get("class"),
                          rsc_provider=rsc.xml.get("provider"), rsc_agent=rsc.xml.get("type"))
    rules.unpack_nvpair_sets(rsc.xml, "meta_attributes", inp, meta, lookup=ws.lookup_id)
    if rsc.parent is not None:
        parent_fixed: dict[str, str] = {}
        p = rsc.parent
        while p is not None:
            rules.unpack_nvpair_sets(p.xml, "meta_attributes", inp, parent_fixed,
                                     lookup=ws.lookup_id)
            p = p.parent
        for name, value in parent_fixed.items():
            if value != "#default" and name not in meta:
                meta[name] = value
    rules.unpack_nvpair_sets(ws.rsc_defaults, "meta_attributes", inp, meta,
                             lookup=ws.lookup_id)
    if rsc.parent is not None:
        for name, value in rsc.parent.meta.items():
            if value != "#default" and name not in meta:
                meta[name] = value
    return meta


def unpack_resource(ws: WorkingSet, el, parent: Resource | None,
                    clone_num: str | None = None) -> Resource | None:
    el = _expand_template(ws, el)
    xml_id = el.get("id")
    variant = _VARIANTS[el.tag]
    rid = f"{xml_id}:{clone_num}" if clone_num is not None else xml_id
    rsc = Resource(rid, el, variant, parent)
    if ws.explain:
        rsc.explanation = []
    rsc.xml_id = xml_id
    rsc.instance_num = clone_num
    rsc.ops_xml = el.find("operations")
    if rsc.ops_xml is not None and rsc.ops_xml.get("id-ref") is not None:
        rsc.ops_xml = ws.lookup_id(rsc.ops_xml.get("id-ref"))
    rsc.standard = el.get("class")
    rsc.provider = el.get("provider")
    rsc.agent = el.get("type")
    rsc.meta = _meta_attributes(ws, rsc)
    if clone_num is not None:
        rsc.meta["clone"] = clone_num
    if el.tag == "master":
        rsc.meta.setdefault("promotable", "true")
    ws.rsc_by_id[rid] = rsc

    rsc.managed = not ws.options.maintenance_mode
    rsc.role = Role.STOPPED
    rsc.next_role = Role.UNKNOWN
    rsc.priority = scores.parse(rsc.meta.get("priority"), 0)
    if el.find("utilization") is not None:
        from daemon.scheduler.utilization import unpack_resource_utilization
        unpack_resource_utilization(ws, rsc, el)
    rsc.critical = rsc.meta.get("critical") is None or is_true(rsc.meta.get("critical"))
    rsc.notify = is_true(rsc.meta.get("notify"))
    rsc.is_remote_connection = is_connection_xml(el)
    guest_connection = rsc.is_remote_connection and "container" in rsc.meta
    remote_connection = rsc.is_remote_connection and not guest_connection
    allow_migrate = rsc.meta.get("allow-migrate")
    # a remote node's connection migrates unless told otherwise (it then moves without
    # stopping what runs on its node)
    rsc.migratable = is_true(allow_migrate) or (allow_migrate is None and remote_connection)
    managed = rsc.meta.get("is-managed")
    if managed is not None and managed.lower() != "default":
        rsc.managed = is_true(managed)
    if is_true(rsc.meta.get("maintenance")) or ws.options.maintenance_mode:
        rsc.managed = False
        rsc.maintenance = True
    top = rsc.top()
    if top.variant == m.CLONE:
        rsc.unique = _detect_unique(rsc)
        rsc.promotable = is_true(rsc.meta.get("promotable"))
    else:
        rsc.unique = True
    policy = (rsc.meta.get("multiple-active") or "stop_start").lower()
    rsc.multiply_active = {"stop_only": m.MULTIPLY_ACTIVE_STOP,
                           "block": m.MULTIPLY_ACTIVE_BLOCK,
                           "stop_unexpected": m.MULTIPLY_ACTIVE_UNEXPECTED}.get(
                               policy, m.MULTIPLY_ACTIVE_RESTART)
    stickiness = rsc.meta.get("resource-stickiness")
    if stickiness is not None and stickiness.lower() != "default":
        rsc.stickiness = scores.parse(stickiness, 0)
    threshold = rsc.meta.get("migration-threshold")
    if threshold is None or threshold.lower() == "default":
        rsc.migration_threshold = scores.INFINITY
    else:
        value = scores.parse(threshold, scores.INFINITY) if scores.is_valid(threshold) \
            else scores.INFINITY
        rsc.migration_threshold = value if value >= 0 else scores.INFINITY
    if (rsc.standard or "").lower() == "stonith":
        ws.have_fencing = True
        rsc.fence_device = True
    _unpack_requires(ws, rsc, rsc.meta.get("requires"))
    ft = rsc.meta.get("failure-timeout")
    if ft is not None:
        rsc.failure_expiration_ms = timespec.interval_ms(ft)
    if remote_connection:
        from daemon.scheduler.params import rsc_params
        reconnect = rsc_params(ws, rsc, None).get("reconnect_interval")
        if reconnect:
            # reconnecting waits for the failure to expire: failure-timeout is the interval
            rsc.remote_reconnect_ms = timespec.interval_ms(reconnect)
            rsc.failure_expiration_ms = rsc.remote_reconnect_ms // 1000 * 1000
    role = get_target_role(rsc)
    if role is not None:
        rsc.next_role = role

    if variant == m.GROUP:
        if not _unpack_group(ws, rsc, clone_num):
            return None
    elif variant == m.CLONE:
        if not _unpack_clone(ws, rsc):
            return None
    elif variant == m.BUNDLE:
        from daemon.scheduler.bundle import unpack_bundle
        if not unpack_bundle(ws, rsc):
            return None
    else:
        _unpack_primitive(ws, rsc)

    if ws.options.symmetric:
        resource_location(ws, rsc, None, 0, "symmetric_default")
    elif guest_connection:
        # a guest's connection may go wherever its launcher may
        resource_location(ws, rsc, None, 0, "remote_connection_default")
    return rsc


def _detect_unique(rsc: Resource) -> bool:
    value = rsc.meta.get("globally-unique")
    if value is None:
        node_max = rsc.meta.get("clone-node-max")
        if node_max is not None and node_max.strip().isdigit() and int(node_max) > 1:
            return True
        return False
    return is_true(value)


def _unpack_requires(ws: WorkingSet, rsc: Resource, value: str | None) -> None:
    v = value.lower() if value is not None else None
    if v == "nothing":
        rsc.requires = m.REQUIRES_NOTHING
    elif v == "quorum":
        rsc.requires = m.REQUIRES_QUORUM
    elif v == "fencing":
        rsc.requires = m.REQUIRES_FENCING
    elif v == "unfencing":
        if rsc.fence_device or not ws.options.fencing_enabled:
            rsc.requires = m.REQUIRES_QUORUM
        else:
            rsc.requires = m.REQUIRES_FENCING
            rsc.needs_unfencing = True
    else:
        if rsc.fence_device:
            _unpack_requires(ws, rsc, "quorum")
        elif ws.enable_unfencing:
            _unpack_requires(ws, rsc, "unfencing")
        elif ws.options.fencing_enabled:
            _unpack_requires(ws, rsc, "fencing")
        elif ws.options.no_quorum_policy == "ignore":
            _unpack_requires(ws, rsc, "nothing")
        else:
            _unpack_requires(ws, rsc, "quorum")


def _unpack_primitive(ws: WorkingSet, rsc: Resource) -> None:
    top = rsc.top()
    if top.variant == m.CLONE and rsc.unique \
            and (rsc.standard or "").lower() not in ("ocf", "stonith", ""):
        # only OCF (and, for old configurations, stonith) agents support unique clones
        _clear_unique(top)
        _clear_unique(rsc)


def _clear_unique(rsc: Resource) -> None:
    rsc.unique = False
    rsc.meta["globally-unique"] = "false"
    for child in rsc.children:
        _clear_unique(child)


def _unpack_group(ws: WorkingSet, rsc: Resource, clone_num: str | None) -> bool:
    rsc.group_ordered = rsc.meta.get("ordered") is None or is_true(rsc.meta.get("ordered"))
    colocated = rsc.meta.get("collocated")
    rsc.group_colocated = colocated is None or is_true(colocated)
    for child_el in rsc.xml:
        if child_el.tag != "primitive":
            continue
        child = unpack_resource(ws, child_el, rsc, clone_num)
        if child is None:
            continue
        rsc.children.append(child)
    return True


def _int_meta(rsc: Resource, names: tuple[str, ...], default: int) -> int:
    for name in names:
        value = rsc.meta.get(name)
        if value is not None:
            v = value.strip()
            if v.lstrip("-").isdigit():
                return max(0, int(v))
            return 0
    return default


def _unpack_clone(ws: WorkingSet, rsc: Resource) -> bool:
    if rsc.promotable:
        rsc.promoted_max = _int_meta(rsc, ("promoted-max", "master-max"), 1)
        rsc.promoted_node_max = _int_meta(rsc, ("promoted-node-max", "master-node-max"), 1)
    rsc.clone_node_max = _int_meta(rsc, ("clone-node-max",), 1)
    rsc.clone_max = _int_meta(rsc, ("clone-max",), max(1, len(ws.nodes)))
    rsc.clone_min = _int_meta(rsc, ("clone-min",), 0)
    rsc.ordered = is_true(rsc.meta.get("ordered"))
    rsc.interleave = is_true(rsc.meta.get("interleave"))
    if not rsc.unique and rsc.clone_node_max > 1:
        ws.warn(f"ignoring clone-node-max for anonymous clone {rsc.id}")
        rsc.clone_node_max = 1
    child_el = None
    for el in rsc.xml:
        if el.tag in ("primitive", "group"):
            child_el = el
            break
    if child_el is None:
        ws.warn(f"{rsc.id} has nothing to clone")
        return False
    if "resource-stickiness" not in rsc.meta:
        rsc.meta["resource-stickiness"] = "1"
        rsc.stickiness = 1
    rsc.meta["globally-unique"] = "true" if rsc.unique else "false"
    count = rsc.clone_max if rsc.clone_max > 0 else 1
    for _ in range(count):
        if create_clone_child(ws, rsc, child_el) is None:
            return False
    return True


def clone_child_xml(rsc: Resource):
    for el in rsc.xml:
        if el.tag in ("primitive", "group"):
            return el
    return None


def create_clone_child(ws: WorkingSet, clone: Resource, child_el=None) -> Resource | None:
    """Add the next-numbered instance to a clone (numbers are never reused)."""
    if child_el is None:
        child_el = clone_child_xml(clone)
    num = len(clone.children)
    as_orphan = num >= clone.clone_max
    child = unpack_resource(ws, child_el, clone, str(num))
    if child is None:
        return None
    clone.children.append(child)
    if as_orphan:
        for r in [child] + child.primitives():
            r.removed = True
    child.meta["clone-max"] = str(clone.clone_max)
    return child
