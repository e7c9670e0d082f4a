"""Fail counts: summing `fail-count-<rsc>#<op>_<interval>` node attributes, with expiry."""

from __future__ import annotations

import re

from daemon.scheduler import scores, timespec
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.working_set import WorkingSet

EFFECTIVE = 1     # ignore fail counts older than failure-timeout
LAUNCHED = 2      # add the fail counts of the resources it launches (not for bundles)


def clone_strip(rsc_id: str) -> str:
    """Drop a trailing ':N' instance number."""
    base, sep, num = rsc_id.rpartition(":")
    if sep and num.isdigit():
        return base
    if sep and num == "":
        return base
    return rsc_id


def fail_name(rsc: Resource) -> str:
    name = rsc.history_id or rsc.id
    return name if rsc.unique else clone_strip(name)


def _patterns(ws: WorkingSet, rsc: Resource) -> tuple[re.Pattern, re.Pattern]:
    name = fail_name(rsc)
    key = ("fc-re", name, rsc.unique)
    cached = ws.config_cache.get(key)
    if cached is None:
        inst = "" if rsc.unique else r"(:[0-9]+)?"
        esc = re.escape(name)
        cached = (re.compile(rf"^fail-count-{esc}{inst}#.+_[0-9]+$"),
                  re.compile(rf"^last-failure-{esc}{inst}#.+_[0-9]+$"))
        ws.config_cache[key] = cached
    return cached


def ms_to_s(ms: int) -> int:
    return ms // 1000 + (1 if ms % 1000 else 0)


def _failure_attrs(ws: WorkingSet, node: Node) -> dict[str, list[tuple[str, str]]]:
    """A node's fail-count-*/last-failure-* attributes, indexed by the resource name they
    start with (instance number dropped), so a lookup looks at that resource's only."""
    key = ("failure-attrs", node.name)
    index = ws.config_cache.get(key)
    if index is None:
        index = {}
        for name, value in node.attrs.items():
            if name.startswith("fail-count-"):
                rest = name[len("fail-count-"):]
            elif name.startswith("last-failure-"):
                rest = name[len("last-failure-"):]
            else:
                continue
            index.setdefault(clone_strip(rest.partition("#")[0]), []).append((name, value))
        ws.config_cache[key] = index
    return index


def raw_failcount(ws: WorkingSet, node: Node, rsc: Resource) -> tuple[int, int]:
    """(sum of matching fail counts, newest last-failure time) on a node."""
    candidates = _failure_attrs(ws, node).get(clone_strip(fail_name(rsc)))
    if not candidates:
        return 0, 0
    fc_re, lf_re = _patterns(ws, rsc)
    count = 0
    last = 0
    for name, value in candidates:
        if fc_re.match(name):
            if scores.is_valid(value):
                count = scores.add(count, scores.parse(value))
        elif lf_re.match(name):
            try:
                last = max(last, int(value))
            except ValueError:
                pass
    return count, last


def get_failcount(ws: WorkingSet, node: Node, rsc: Resource, flags: int = 0,
                  xml_op=None) -> tuple[int, int]:
    """pe_get_failcount(): (fail count, time of last failure or 0)."""
    count, last = raw_failcount(ws, node, rsc)
    if count > 0 and rsc.failure_expiration_ms > 0 and _block_failure(ws, node, rsc, xml_op):
        rsc.failure_expiration_ms = 0
    if (flags & EFFECTIVE) and count > 0 and last > 0 and rsc.failure_expiration_ms > 0:
        if ws.now > last + ms_to_s(rsc.failure_expiration_ms):
            count = 0
    if (flags & LAUNCHED) and rsc.launched and getattr(rsc, "bundle", None) is None:
        # a launcher fails with what it launches (a guest's VM with its connection)
        for launched in rsc.launched:
            more, when = get_failcount(ws, node, launched, flags, xml_op)
            count = scores.add(count, more)
            last = max(last, when)
    return count, (last if count > 0 and last > 0 else 0)


def _block_failure(ws: WorkingSet, node: Node, rsc: Resource, xml_op) -> bool:
    """Whether a failure of this resource is configured with on-fail=block."""
    xml_name = clone_strip(rsc.id)
    prim = rsc.xml if rsc.xml is not None and rsc.xml.tag == "primitive" else None
    if prim is None:
        return False
    blocking = [op for op in prim.iter("op") if op.get("on-fail") == "block"]
    for conf in blocking:
        if xml_op is not None:
            if _matched_failure(xml_name, conf, xml_op):
                return True
        else:
            name = conf.get("name")
            interval = timespec.interval_ms(conf.get("interval"))
            for hist in _node_history(ws, node, xml_name):
                if hist.get("operation") == name and hist.get("interval") == str(interval):
                    if _matched_failure(xml_name, conf, hist):
                        return True
    return False


def _node_history(ws: WorkingSet, node: Node, rsc_id: str) -> list:
    state = node.state_xml
    if state is None:
        return []
    out = []
    for lrm_rsc in state.iterfind("lrm/lrm_resources/lrm_resource"):
        if lrm_rsc.get("id") == rsc_id:
            out.extend(lrm_rsc.iterfind("lrm_rsc_op"))
    return out


def _matched_failure(rsc_id: str, conf, hist) -> bool:
    conf_name = conf.get("name")
    conf_interval = timespec.interval_ms(conf.get("interval"))
    try:
        hist_interval = int(hist.get("interval") or 0)
    except ValueError:
        hist_interval = 0
    if conf_interval != hist_interval or (conf_name or "").lower() != \
            (hist.get("operation") or "").lower():
        return False
    hid = hist.get("id") or ""
    if hid.lower() == f"{rsc_id}_last_failure_0".lower():
        return True
    if hid.lower() == f"{rsc_id}_{conf_name}_{conf_interval}".lower():
        from daemon.scheduler.history_entry import expected_rc
        try:
            rc = int(hist.get("rc-code") or 0)
        except ValueError:
            rc = 0
        return rc != expected_rc(hist)
    return False
