"""Rule evaluation and name/value set unpacking (instance, meta and cluster property sets).

Rules are evaluated against a RuleInput: the time, a node's attributes, and optionally a
resource's agent, an operation, parameters and meta-attributes. The comparison semantics
(typed comparisons, string case-insensitivity, missing attributes) follow Pacemaker's.
"""

from __future__ import annotations

import re
from typing import Callable, Mapping

from daemon.records import field, record
from daemon.scheduler import dates
from daemon.scheduler import scores
from daemon.scheduler.roles import Role, parse_role

IdLookup = Callable[[str], object]


@record(frozen=True)
class RuleInput:
    """Everything a rule may look at."""

    now: int
    node_attrs: Mapping[str, str] | None = None
    role: Role = Role.UNKNOWN
    rsc_standard: str | None = None
    rsc_provider: str | None = None
    rsc_agent: str | None = None
    op_name: str | None = None
    op_interval_ms: int | None = None
    rsc_params: Mapping[str, str] | None = None
    rsc_meta: Mapping[str, str] | None = None


def resolve_idref(el, lookup: IdLookup | None):
    """Follow an id-ref attribute to the element it names (or return `el`)."""
    ref = el.get("id-ref")
    if ref is None or lookup is None:
        return el
    target = lookup(ref)
    return target if target is not None else None


def evaluate_rule(rule, inp: RuleInput, lookup: IdLookup | None = None) -> bool:
    rule = resolve_idref(rule, lookup)
    if rule is None:
        return False
    combine_or = (rule.get("boolean-op") or "and").lower() == "or"
    result = True
    for expr in rule:
        tag = expr.tag
        if not isinstance(tag, str):
            continue
        if tag == "expression":
            ok = _attr_expression(resolve_idref(expr, lookup), inp)
        elif tag == "date_expression":
            ok = _date_expression(expr, inp)
        elif tag == "rsc_expression":
            ok = _rsc_expression(expr, inp)
        elif tag == "op_expression":
            ok = _op_expression(expr, inp)
        elif tag == "rule":
            ok = evaluate_rule(expr, inp, lookup)
        else:
            continue
        result = ok
        if ok and combine_or:
            return True
        if not ok and not combine_or:
            return False
    return result


def evaluate_rules(parent, inp: RuleInput, lookup: IdLookup | None = None) -> bool:
    """A block with no rules applies; otherwise any one passing rule makes it apply."""
    rules = [r for r in parent if r.tag == "rule"]
    if not rules:
        return True
    return any(evaluate_rule(r, inp, lookup) for r in rules)


def _compare(left: str | None, right: str | None, vtype: str | None, op: str) -> int:
    if left is None and right is None:
        return 0
    if right is None:
        return 1
    if left is None:
        return -1
    if vtype is None:
        if op in ("lt", "lte", "gt", "gte"):
            vtype = "number" if ("." in left or "." in right) else "integer"
        else:
            vtype = "string"
    vtype = vtype.lower()
    if vtype == "integer":
        lv, rv = _int(left), _int(right)
        if lv is None or rv is None:
            return _compare(left, right, "string", op)
        return (lv > rv) - (lv < rv)
    if vtype == "number":
        lf, rf = _float(left), _float(right)
        if lf is None or rf is None:
            return _compare(left, right, "string", op)
        return (lf > rf) - (lf < rf)
    if vtype == "version":
        return _compare_version(left, right)
    lc, rc = left.lower(), right.lower()
    return (lc > rc) - (lc < rc)


_INT_PREFIX = re.compile(r"\s*([+-]?\d+)")
_FLOAT_PREFIX = re.compile(r"\s*([+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))")


def _int(text: str) -> int | None:
    """Leading integer, like strtoll() (trailing characters are ignored)."""
    m = _INT_PREFIX.match(text)
    return int(m.group(1)) if m else None


def _float(text: str) -> float | None:
    """Leading floating-point number, like strtod()."""
    m = _FLOAT_PREFIX.match(text)
    return float(m.group(1)) if m else None


def _compare_version(a: str, b: str) -> int:
    def parts(v: str) -> list[int]:
        out = []
        for p in v.split("."):
            out.append(int(p) if p.isdigit() else 0)
        return out
    pa, pb = parts(a), parts(b)
    while len(pa) < len(pb):
        pa.append(0)
    while len(pb) < len(pa):
        pb.append(0)
    return (pa > pb) - (pa < pb)


def _attr_expression(expr, inp: RuleInput) -> bool:
    if expr is None:
        return False
    attr = expr.get("attribute")
    op = (expr.get("operation") or "").lower()
    value = expr.get("value")
    vtype = expr.get("type")
    source = (expr.get("value-source") or "literal").lower()
    if source == "param" and value is not None:
        value = (inp.rsc_params or {}).get(value)
    elif source == "meta" and value is not None:
        value = (inp.rsc_meta or {}).get(value)
    actual = None
    if attr is not None and inp.node_attrs is not None:
        actual = inp.node_attrs.get(attr)
    if op == "defined":
        return actual is not None
    if op == "not_defined":
        return actual is None
    cmp = _compare(actual, value, vtype, op)
    if op == "eq":
        return cmp == 0
    if op == "ne":
        return cmp != 0
    if actual is None or value is None:
        return False
    if op == "lt":
        return cmp < 0
    if op == "lte":
        return cmp <= 0
    if op == "gt":
        return cmp > 0
    if op == "gte":
        return cmp >= 0
    return False


def _date_expression(expr, inp: RuleInput) -> bool:
    op = (expr.get("operation") or "in_range").lower()
    now = inp.now
    try:
        if op == "date_spec":
            spec = expr.find("date_spec")
            if spec is None:
                return False
            fields = dates.spec_fields(now)
            for name, value in spec.attrib.items():
                if name == "id":
                    continue
                key = "weekyears" if name == "weekyear" else name
                if key in fields and not dates.in_spec_range(fields[key], value):
                    return False
            return True
        start = expr.get("start")
        end = expr.get("end")
        start_s = dates.parse_date(start) if start else None
        end_s = dates.parse_date(end) if end else None
        if op == "gt":
            return start_s is not None and now > start_s
        if op == "lt":
            return end_s is not None and now < end_s
        if op == "in_range":
            if end_s is None:
                duration = expr.find("duration")
                if duration is not None and start_s is not None:
                    end_s = dates.add_duration(start_s, dict(duration.attrib))
            if start_s is not None and now < start_s:
                return False
            if end_s is not None and now > end_s:
                return False
            return start_s is not None or end_s is not None
    except (dates.DateError, ValueError):
        return False
    return False


def _rsc_expression(expr, inp: RuleInput) -> bool:
    for attr, actual in (("class", inp.rsc_standard), ("provider", inp.rsc_provider),
                         ("type", inp.rsc_agent)):
        want = expr.get(attr)
        if want is not None and want != actual:
            return False
    return True


def _op_expression(expr, inp: RuleInput) -> bool:
    from daemon.scheduler.timespec import interval_ms
    name = expr.get("name")
    if name is not None and name != inp.op_name:
        return False
    interval = expr.get("interval")
    if interval is not None and interval_ms(interval) != (inp.op_interval_ms or 0):
        return False
    return True


@record
class _SortedSet:
    el: object
    score: int
    first: bool = False
    order: int = field(default=0)


def unpack_nvpair_sets(parent, set_tag: str, inp: RuleInput, into: dict[str, str],
                       first_id: str | None = None, overwrite: bool = False,
                       lookup: IdLookup | None = None) -> dict[str, str]:
    """Merge every `set_tag` block under `parent` into `into`: the block with id
    `first_id` wins, then the best-scored one, then (same score) the later one in the
    document (the earlier one when `overwrite`); blocks whose rules fail are skipped; a name already in `into` is kept unless
    `overwrite`, as Pacemaker does.
    """
    if parent is None:
        return into
    sets = []
    for idx, el in enumerate(parent):
        if el.tag != set_tag:
            continue
        real = resolve_idref(el, lookup)
        if real is None:
            continue
        sets.append(_SortedSet(real, scores.parse(real.get("score"), 0),
                               first=(first_id is not None and real.get("id") == first_id),
                               order=idx))
    if not sets:
        return into
    # Pacemaker 3 lists the blocks last first (pcmk__xe_dereference_children prepends) and
    # sorts that list stably: of two blocks with the same score, the later one is read
    # first, so it wins unless values are overwritten (then the block read last wins: the
    # first_id block and the best score are read last).
    if overwrite:
        sets.sort(key=lambda s: (1 if s.first else 0, s.score, -s.order))
    else:
        sets.sort(key=lambda s: (0 if s.first else 1, -s.score, -s.order))
    for s in sets:
        if not evaluate_rules(s.el, inp, lookup):
            continue
        for nv in s.el:
            if nv.tag != "nvpair":
                continue
            nv = resolve_idref(nv, lookup)
            if nv is None:
                continue
            name = nv.get("name")
            value = nv.get("value")
            if name is None or value is None:
                continue
            if value.lower() == "#default":
                # "let it default": drops a value an earlier set gave, even without overwrite
                into.pop(name, None)
            elif overwrite or name not in into:
                into[name] = value
    return into
