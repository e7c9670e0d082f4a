"""Unpacking location, colocation and order constraints (with resource sets and tags)."""

from __future__ import annotations

from copy import deepcopy

from lxml import etree

from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler import rules, scores, tickets
from daemon.scheduler.cluster_options import is_false, is_true
from daemon.scheduler.model import Colocation, Location, Resource
from daemon.scheduler.params import rsc_params
from daemon.scheduler.roles import Role, parse_role
from daemon.scheduler.working_set import WorkingSet


def unpack_constraints(ws: WorkingSet, section) -> None:
    if section is None:
        return
    for el in section:
        if not isinstance(el.tag, str):
            continue
        if el.get("id") is None:
            ws.warn(f"ignoring <{el.tag}> constraint without id")
            continue
        lifetime = el.find("lifetime")
        if lifetime is not None and not rules.evaluate_rules(
                lifetime, rules.RuleInput(now=ws.now), ws.lookup_id):
            continue
        if el.tag == "rsc_order":
            unpack_order(ws, el)
        elif el.tag == "rsc_colocation":
            unpack_colocation(ws, el)
        elif el.tag == "rsc_location":
            unpack_location(ws, el)
        elif el.tag == "rsc_ticket":
            tickets.unpack_rsc_ticket(ws, el)


def find_constraint_resource(ws: WorkingSet, rsc_id: str | None) -> Resource | None:
    if rsc_id is None:
        return None
    rsc = ws.rsc_by_id.get(rsc_id)
    if rsc is not None:
        if rsc.parent is not None and rsc.instance_num is not None and rsc.id != rsc_id:
            return rsc.top()
        return rsc
    for r in ws.rsc_by_id.values():
        if r.history_id == rsc_id:
            return r.top()
    return None


def _tag_members(ws: WorkingSet, ref: str) -> list[str] | None:
    """A tag's or a template's resources (None when `ref` is neither)."""
    if ref in ws.tags:
        return ws.tags[ref]
    if ref in ws.templates:     # the primitives made from it (their unexpanded XML)
        section = ws.cib.find("configuration/resources")
        return [] if section is None else [
            p.get("id") for p in section.iter("primitive") if p.get("template") == ref]
    return None


def _set_resources(ws: WorkingSet, set_el) -> list[Resource] | None:
    out = []
    for ref in set_el:
        if ref.tag != "resource_ref":
            continue
        rid = ref.get("id")
        members = _tag_members(ws, rid)
        for member in (members if members is not None else [rid]):
            rsc = find_constraint_resource(ws, member)
            if rsc is None:
                ws.warn(f"{set_el.get('id')}: no resource found for {member}")
                return None
            out.append(rsc)
    return out


def _tags_to_sets(ws: WorkingSet, el, sides: tuple[tuple[str, str, str], ...], *,
                  two_tags: bool):
    """A constraint naming a tag or template in a plain attribute, rewritten with sets as
    Pacemaker reads it: that side becomes a non-sequential set of its resources, the other a
    set of its one resource, and the side's role or action moves onto its set. None when no
    side names a tag (the constraint is read as it is); False when it cannot be used."""
    found = [(_tag_members(ws, el.get(attr)) if el.get(attr) is not None else None)
             for attr, _, _ in sides]
    tagged = sum(members is not None for members in found)
    if tagged == 0:
        return None
    if tagged > 1 and not two_tags:
        ws.warn(f"ignoring constraint '{el.get('id')}': two templates or tags cannot be "
                "colocated")
        return False
    expanded = deepcopy(el)
    for (attr, moved, as_name), members in zip(sides, found):
        ref = expanded.get(attr)
        if ref is None:
            continue
        if members is None and find_constraint_resource(ws, ref) is None:
            ws.warn(f"ignoring constraint '{el.get('id')}': '{ref}' is not a resource or tag")
            return False
        rset = etree.SubElement(expanded, "resource_set", id=ref)
        for member in (members if members is not None else [ref]):
            etree.SubElement(rset, "resource_ref", id=member)
        if members is not None:
            rset.set("sequential", "false")
        if expanded.get(moved) is not None:
            rset.set(as_name, expanded.get(moved))
            del expanded.attrib[moved]
        del expanded.attrib[attr]
    return expanded


# ---- location ---------------------------------------------------------------------

def _discover_mode(value: str | None) -> int:
    v = (value or "always").lower()
    if v == "never":
        return m.DISCOVER_NEVER
    if v == "exclusive":
        return m.DISCOVER_EXCLUSIVE
    return m.DISCOVER_ALWAYS


def _location_role(text: str | None) -> Role | None:
    if text is None:
        return Role.UNKNOWN
    role = parse_role(text)
    if role == Role.UNKNOWN:
        return None
    if role in (Role.STARTED, Role.UNPROMOTED):
        return Role.UNKNOWN
    return role


def new_location(ws: WorkingSet, lid: str, rsc: Resource, role: Role, discovery: str | None):
    loc = Location(lid, rsc, role, _discover_mode(discovery))
    if loc.discover_mode == m.DISCOVER_EXCLUSIVE:
        rsc.exclusive_discover = True
    ws.locations.append(loc)
    rsc.locations.append(loc)
    return loc


def unpack_location(ws: WorkingSet, el) -> None:
    sets = [s for s in el if s.tag == "resource_set"]
    if sets:
        for s in sets:
            s = rules.resolve_idref(s, ws.lookup_id)
            if s is None:
                return
            rscs = _set_resources(ws, s)
            if rscs is None:
                return
            for rsc in rscs:
                _unpack_rsc_location(ws, el, rsc, s.get("role"), s.get("score"))
        return
    rsc_id = el.get("rsc")
    if rsc_id is not None:
        members = _tag_members(ws, rsc_id)
        if members is not None:
            for member in members:
                rsc = find_constraint_resource(ws, member)
                if rsc is not None:
                    _unpack_rsc_location(ws, el, rsc, None, None)
            return
        rsc = find_constraint_resource(ws, rsc_id)
        if rsc is None:
            ws.warn(f"ignoring constraint '{el.get('id')}': resource '{rsc_id}' does not exist")
            return
        _unpack_rsc_location(ws, el, rsc, None, None)
    pattern = el.get("rsc-pattern")
    if pattern is not None:
        import re
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:]
        try:
            regex = re.compile(pattern)
        except re.error:
            ws.warn(f"ignoring constraint '{el.get('id')}': invalid rsc-pattern")
            return
        for rsc in list(ws.resources):
            matched = regex.search(rsc.id) is not None
            if matched != invert:
                _unpack_rsc_location(ws, el, rsc, None, None)


def _unpack_rsc_location(ws: WorkingSet, el, rsc: Resource, role_spec: str | None,
                         score: str | None) -> None:
    lid = el.get("id")
    node_name = el.get("node")
    discovery = el.get("resource-discovery")
    if score is None:
        score = el.get("score")
    if node_name is not None and score is not None:
        node = ws.find_node(node_name)
        if node is None:
            return
        if not scores.is_valid(score):
            ws.warn(f"ignoring location constraint {lid}: invalid score '{score}'")
            return
        role = _location_role(role_spec if role_spec is not None else el.get("role"))
        if role is None:
            return
        loc = new_location(ws, lid, rsc, role, discovery)
        loc.nodes.append((node, scores.parse(score)))
        return
    rule = el.find("rule")
    if rule is None:
        return
    rule = rules.resolve_idref(rule, ws.lookup_id)
    if rule is None or rule.get("id") is None:
        return
    role = _location_role(rule.get("role"))
    if role is None:
        return
    score_attr = rule.get("score-attribute")
    rule_score = 0
    if score_attr is None:
        if rule.get("score") is None or not scores.is_valid(rule.get("score")):
            return
        rule_score = scores.parse(rule.get("score"))
    loc = new_location(ws, rule.get("id"), rsc, role, discovery)
    for node in ws.nodes:
        inp = rules.RuleInput(now=ws.now, node_attrs=node.attrs,
                              rsc_params=rsc_params(ws, rsc, node), rsc_meta=rsc.meta)
        if not rules.evaluate_rule(rule, inp, ws.lookup_id):
            continue
        value = rule_score
        if score_attr is not None:
            raw = node.attrs.get(score_attr)
            if not raw or not scores.is_valid(raw):
                continue
            value = scores.parse(raw)
        loc.nodes.insert(0, (node, value))


# ---- colocation -------------------------------------------------------------------

def _coloc_priority_cmp(r1: Resource, r2: Resource) -> int:
    if r1.priority != r2.priority:
        return -1 if r1.priority > r2.priority else 1
    if r1.variant != r2.variant:
        return -1 if r1.variant > r2.variant else 1
    if r1.variant == m.CLONE and r1.promotable != r2.promotable:
        return -1 if r1.promotable else 1
    return (r1.id > r2.id) - (r1.id < r2.id)


def insert_sorted(lst: list[Colocation], coloc: Colocation, by_primary: bool) -> None:
    """g_list_insert_sorted(): before the first entry that does not sort before it."""
    key_rsc = coloc.primary if by_primary else coloc.dependent
    for i, other in enumerate(lst):
        other_rsc = other.primary if by_primary else other.dependent
        if _coloc_priority_cmp(key_rsc, other_rsc) <= 0:
            lst.insert(i, coloc)
            return
    lst.append(coloc)


def new_colocation(ws: WorkingSet, cid: str, node_attr: str | None, score: int,
                   dependent: Resource | None, primary: Resource | None,
                   dependent_role: str | None, primary_role: str | None,
                   influence: bool, explicit: bool = True) -> Colocation | None:
    if score == 0 or dependent is None or primary is None:
        return None
    d_role = Role.UNKNOWN if dependent_role is None or dependent_role.lower() == "started" \
        else parse_role(dependent_role)
    p_role = Role.UNKNOWN if primary_role is None or primary_role.lower() == "started" \
        else parse_role(primary_role)
    coloc = Colocation(cid, dependent, primary, score, d_role, p_role,
                       node_attr or "#uname", influence, explicit)
    insert_sorted(dependent.this_with, coloc, by_primary=True)
    insert_sorted(primary.with_this, coloc, by_primary=False)
    ws.colocations.append(coloc)
    if score <= -scores.INFINITY:
        _anti_colocation_order(ws, dependent, d_role, primary, p_role)
        _anti_colocation_order(ws, primary, p_role, dependent, d_role)
    return coloc


def _anti_colocation_order(ws: WorkingSet, first: Resource, first_role: Role,
                           then: Resource, then_role: Role) -> None:
    if first_role == Role.PROMOTED:
        first_tasks = ["demote"]
    else:
        first_tasks = ["stop"] + (["promote"] if first_role == Role.UNPROMOTED else [])
    if then_role == Role.PROMOTED:
        then_tasks = ["promote"]
    else:
        then_tasks = ["start"] + (["demote"] if then_role == Role.UNPROMOTED else [])
    for ft in first_tasks:
        for tt in then_tasks:
            act.order_resource_actions(ws, first, ft, then, tt, m.AR_ANTI_COLOCATION)


def _influence(rsc: Resource, value: str | None) -> bool:
    if value is not None:
        if is_true(value):
            return True
        if is_false(value):
            return False
    return rsc.critical


def unpack_colocation(ws: WorkingSet, el) -> None:
    expanded = _tags_to_sets(ws, el, (("rsc", "rsc-role", "role"),
                                      ("with-rsc", "with-rsc-role", "role")), two_tags=False)
    if expanded is False:
        return
    el = el if expanded is None else expanded
    cid = el.get("id")
    score_s = el.get("score")
    score = scores.parse(score_s) if score_s is not None else 0
    influence_s = el.get("influence")
    sets = [rules.resolve_idref(s, ws.lookup_id) for s in el if s.tag == "resource_set"]
    if sets:
        last = None
        for s in sets:
            if s is None:
                return
            _colocation_set(ws, s, score, cid, influence_s)
            if last is not None:
                _colocate_sets(ws, cid, last, s, score, influence_s)
            last = s
        return
    dependent = find_constraint_resource(ws, el.get("rsc"))
    primary = find_constraint_resource(ws, el.get("with-rsc"))
    if dependent is None or primary is None:
        ws.warn(f"ignoring constraint '{cid}': resource does not exist")
        return
    new_colocation(ws, cid, el.get("node-attribute"), score, dependent, primary,
                   el.get("rsc-role"), el.get("with-rsc-role"),
                   _influence(dependent, influence_s))


def _colocation_set(ws: WorkingSet, s, score: int, cid: str, influence_s) -> None:
    local = scores.parse(s.get("score")) if s.get("score") is not None else score
    if local == 0:
        return
    if is_false(s.get("sequential")):
        return
    role = s.get("role")
    rscs = _set_resources(ws, s)
    if rscs is None:
        return
    ordering = (s.get("ordering") or "group").lower()
    if local > 0 and ordering == "group":
        with_rsc = None
        for rsc in rscs:
            if with_rsc is not None:
                new_colocation(ws, s.get("id"), None, local, rsc, with_rsc, role, role,
                               _influence(rsc, influence_s))
            with_rsc = rsc
    elif local > 0:
        last = None
        for rsc in rscs:
            if last is not None:
                new_colocation(ws, s.get("id"), None, local, last, rsc, role, role,
                               _influence(last, influence_s))
            last = rsc
    else:
        for i, rsc in enumerate(rscs):
            for with_rsc in rscs[:i]:
                new_colocation(ws, s.get("id"), None, local, rsc, with_rsc, role, role,
                               _influence(rsc, influence_s))


def _colocate_sets(ws: WorkingSet, cid: str, set1, set2, score: int, influence_s) -> None:
    if score == 0:
        return
    r1 = _set_resources(ws, set1) or []
    r2 = _set_resources(ws, set2) or []
    rsc1 = r1[0] if (r1 and not is_false(set1.get("sequential"))) else None
    rsc2 = r2[-1] if (r2 and not is_false(set2.get("sequential"))) else None
    role1, role2 = set1.get("role"), set2.get("role")
    if rsc1 is not None and rsc2 is not None:
        new_colocation(ws, cid, None, score, rsc1, rsc2, role1, role2,
                       _influence(rsc1, influence_s))
    elif rsc1 is not None:
        for b in r2:
            new_colocation(ws, cid, None, score, rsc1, b, role1, role2,
                           _influence(rsc1, influence_s))
    elif rsc2 is not None:
        for a in r1:
            new_colocation(ws, cid, None, score, a, rsc2, role1, role2,
                           _influence(a, influence_s))
    else:
        for a in r1:
            for b in r2:
                new_colocation(ws, cid, None, score, a, b, role1, role2,
                               _influence(a, influence_s))


# ---- order ------------------------------------------------------------------------

KIND_OPTIONAL = 0
KIND_MANDATORY = 1
KIND_SERIALIZE = 2

_INVERT = {"start": "stop", "stop": "start", "promote": "demote", "demote": "promote",
           "promoted": "demoted", "demoted": "promoted", "running": "stopped",
           "stopped": "running"}


def _order_kind(el) -> int:
    kind = el.get("kind")
    if kind is None:
        score = el.get("score")
        if score is not None and scores.parse(score) == 0:
            return KIND_OPTIONAL
        return KIND_MANDATORY
    return {"Mandatory": KIND_MANDATORY, "Optional": KIND_OPTIONAL,
            "Serialize": KIND_SERIALIZE}.get(kind, KIND_MANDATORY)


def _order_symmetric(el, parent_kind: int, parent_symmetrical: str | None) -> bool:
    kind = parent_kind
    if el.get("kind") is not None or el.get("score") is not None:
        kind = _order_kind(el)
    sym = el.get("symmetrical")
    if sym is None or not (is_true(sym) or is_false(sym)):
        sym = parent_symmetrical if parent_symmetrical is not None else None
    if sym is not None and (is_true(sym) or is_false(sym)):
        return is_true(sym) and kind != KIND_SERIALIZE
    return kind != KIND_SERIALIZE


def order_flags(kind: int, first_task: str, symmetry: str) -> int:
    if kind == KIND_OPTIONAL:
        return m.AR_ORDERED
    if kind == KIND_SERIALIZE:
        return m.AR_SERIALIZE
    flags = m.AR_ORDERED
    if symmetry == "asymmetric":
        flags |= m.AR_ASYMMETRIC
    elif symmetry == "symmetric":
        flags |= m.AR_FIRST_IMPLIES_THEN
        if first_task in ("start", "promote"):
            flags |= m.AR_UNRUNNABLE_FIRST_BLOCKS
    else:
        flags |= m.AR_THEN_IMPLIES_FIRST
    return flags


def unpack_order(ws: WorkingSet, el) -> None:
    expanded = _tags_to_sets(ws, el, (("first", "first-action", "action"),
                                      ("then", "then-action", "action")), two_tags=True)
    if expanded is False:
        return
    el = el if expanded is None else expanded
    sets = [rules.resolve_idref(s, ws.lookup_id) for s in el if s.tag == "resource_set"]
    if sets:
        _unpack_order_sets(ws, el, sets)
        return
    oid = el.get("id")
    first = find_constraint_resource(ws, el.get("first"))
    then = find_constraint_resource(ws, el.get("then"))
    if first is None or then is None:
        ws.warn(f"ignoring constraint '{oid}': resource does not exist")
        return
    first_task = el.get("first-action") or "start"
    then_task = el.get("then-action") or first_task
    kind = _order_kind(el)
    symmetric = _order_symmetric(el, kind, None)
    flags = order_flags(kind, first_task, "symmetric" if symmetric else "asymmetric")
    if kind == KIND_OPTIONAL and then.meta.get("restart-type") == "restart":
        flags |= m.AR_FIRST_IMPLIES_THEN
    min_required = _minimum_first_instances(first, el)
    if min_required > 0:
        _clone_min_ordering(ws, oid, first, first_task, then, then_task, flags, min_required)
    else:
        act.order_resource_actions(ws, first, first_task, then, then_task, flags)
    if symmetric:
        inv_then = _INVERT.get(then_task)
        inv_first = _INVERT.get(first_task)
        if inv_then is None or inv_first is None:
            return
        inv_flags = order_flags(kind, inv_first, "inverse")
        if kind == KIND_OPTIONAL and then.meta.get("restart-type") == "restart":
            inv_flags |= m.AR_THEN_IMPLIES_FIRST
        act.order_resource_actions(ws, then, inv_then, first, inv_first, inv_flags)


def _minimum_first_instances(rsc: Resource, el) -> int:
    if rsc.variant != m.CLONE:
        return 0
    value = rsc.meta.get("clone-min")
    if value is not None:
        v = value.strip()
        return max(0, int(v)) if v.lstrip("-").isdigit() else 0
    require_all = el.get("require-all")
    if require_all is not None and is_false(require_all):
        return 1
    return 0


def _clone_min_ordering(ws: WorkingSet, oid: str, first: Resource, first_task: str,
                        then: Resource, then_task: str, flags: int, clone_min: int) -> None:
    task = f"clone-one-or-more:{oid}"
    met = act.get_pseudo_op(ws, task)
    met.required_runnable_before = clone_min
    met.flags |= m.MIN_RUNNABLE
    for child in first.children:
        act.new_ordering(ws, child, act.op_key(child.id, first_task, 0), None, None, None, met,
                         m.AR_MIN_RUNNABLE | m.AR_FIRST_IMPLIES_THEN_GRAPHED)
    act.new_ordering(ws, None, None, met, then, act.op_key(then.id, then_task, 0), None,
                     flags | m.AR_UNRUNNABLE_FIRST_BLOCKS)


def _unpack_order_sets(ws: WorkingSet, el, sets) -> None:
    kind = _order_kind(el)
    parent_sym = el.get("symmetrical")
    last = None
    for s in sets:
        if s is None:
            return
        _order_set(ws, s, kind, parent_sym)
        if last is not None:
            symmetric = _order_symmetric(el, kind, None)
            _order_sets(ws, el.get("id"), last, s, kind, "symmetric" if symmetric
                        else "asymmetric")
            if symmetric:
                _order_sets(ws, el.get("id"), s, last, kind, "inverse")
        last = s


def _order_set(ws: WorkingSet, s, parent_kind: int, parent_sym) -> None:
    action = s.get("action") or "start"
    local_kind = _order_kind(s) if s.get("kind") is not None else parent_kind
    sequential = s.get("sequential") is None or is_true(s.get("sequential"))
    symmetric = _order_symmetric(s, parent_kind, parent_sym)
    flags = order_flags(local_kind, action, "symmetric" if symmetric else "asymmetric")
    rscs = _set_resources(ws, s)
    if rscs is None or len(rscs) <= 1:
        return
    last = None
    for i, rsc in enumerate(rscs):
        if local_kind == KIND_SERIALIZE:
            for then in rscs[i + 1:]:
                act.order_resource_actions(ws, rsc, action, then, action, flags)
        elif sequential:
            if last is not None:
                act.order_resource_actions(ws, last, action, rsc, action, flags)
            last = rsc
    if not symmetric:
        return
    inv = _INVERT.get(action)
    if inv is None:
        return
    flags = order_flags(local_kind, inv, "inverse")
    last = None
    for rsc in rscs:
        if sequential:
            if last is not None:
                act.order_resource_actions(ws, rsc, inv, last, inv, flags)
            last = rsc


def _order_sets(ws: WorkingSet, oid: str, set1, set2, kind: int, symmetry: str) -> None:
    a1 = set1.get("action") or "start"
    a2 = set2.get("action") or "start"
    if symmetry == "inverse":
        a1, a2 = _INVERT.get(a1, a1), _INVERT.get(a2, a2)
    require_all = not is_false(set1.get("require-all"))
    if a1 in ("stop", "demote"):
        require_all = True
    flags = order_flags(kind, a1, symmetry)
    r1 = _set_resources(ws, set1) or []
    r2 = _set_resources(ws, set2) or []
    if not require_all:
        pseudo = act.get_pseudo_op(ws, f"one-or-more:{set1.get('id')}")
        pseudo.flags |= m.MIN_RUNNABLE
        for a in r1:
            act.new_ordering(ws, a, act.op_key(a.id, a1, 0), None, None, None, pseudo,
                             m.AR_MIN_RUNNABLE | m.AR_FIRST_IMPLIES_THEN_GRAPHED)
        for b in r2:
            act.new_ordering(ws, None, None, pseudo, b, act.op_key(b.id, a2, 0), None,
                             flags | m.AR_UNRUNNABLE_FIRST_BLOCKS)
        return
    rsc1 = rsc2 = None
    if is_true(set1.get("sequential")) and r1:
        rsc1 = r1[0] if symmetry == "inverse" else r1[-1]
    if is_true(set2.get("sequential")) and r2:
        rsc2 = r2[-1] if symmetry == "inverse" else r2[0]
    if rsc1 is not None and rsc2 is not None:
        act.order_resource_actions(ws, rsc1, a1, rsc2, a2, flags)
    elif rsc1 is not None:
        for b in r2:
            act.order_resource_actions(ws, rsc1, a1, b, a2, flags)
    elif rsc2 is not None:
        for a in r1:
            act.order_resource_actions(ws, a, a1, rsc2, a2, flags)
    else:
        for a in r1:
            for b in r2:
                act.order_resource_actions(ws, a, a1, b, a2, flags)
