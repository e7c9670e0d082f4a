"""Cluster properties, resource and operation defaults, and whether fencing can work.

Unknown names are warnings in crmsh's words (`cib-bootstrap-options: unknown attribute 'x'`),
and only in the `cib-bootstrap-options` set: other property sets are where agents keep state
of their own. Values Pacemaker cannot parse are errors (it would fall back to the default).
"""

from __future__ import annotations

from typing import Callable, Iterator

from daemon.cib import options as opts
from crmshell.verify.findings import Finding, error, warning
from crmshell.verify.index import CibIndex

BOOTSTRAP_SET = "cib-bootstrap-options"
NO_FENCING_DEVICE = (
    "Resource start-up disabled since no STONITH resources have been defined",
    "Either configure some or disable STONITH with the stonith-enabled option",
    "NOTE: Clusters with shared data need STONITH to ensure data integrity",
)


def _nvpairs(index: CibIndex, nvset):
    target = index.resolve_ref(nvset)
    return [] if target is None else list(target.iterchildren("nvpair"))


def _check_nvset(index: CibIndex, nvset, lookup: Callable[[str], opts.OptionSpec | None],
                 report_unknown: bool) -> Iterator[Finding]:
    set_id = nvset.get("id") or nvset.get("id-ref") or "?"
    for nvpair in _nvpairs(index, nvset):
        name, value = nvpair.get("name"), nvpair.get("value")
        if name is None:
            continue
        spec = lookup(name)
        if spec is None:
            if report_unknown:
                yield warning(nvpair, set_id, f"{set_id}: unknown attribute '{name}'")
            continue
        problem = opts.value_problem(spec, value) if value is not None else None
        if problem:
            yield error(nvpair, set_id, f"{set_id}: invalid value for '{name}': {problem}")


def check_cluster_properties(index: CibIndex) -> Iterator[Finding]:
    for nvset in index.property_sets:
        bootstrap = (nvset.get("id") or nvset.get("id-ref")) == BOOTSTRAP_SET
        yield from _check_nvset(index, nvset, opts.cluster_option, report_unknown=bootstrap)


def check_defaults(index: CibIndex) -> Iterator[Finding]:
    for nvset in index.rsc_defaults:
        yield from _check_nvset(index, nvset, opts.resource_meta, report_unknown=True)
    for nvset in index.op_defaults:
        yield from _check_nvset(index, nvset, opts.op_attribute, report_unknown=True)


def _score(nvset) -> int:
    try:
        return opts.parse_score(nvset.get("score") or "0")
    except opts.OptionValueError:
        return 0


def cluster_property(index: CibIndex, *names: str) -> str | None:
    """The value Pacemaker would read for a property known under `names`: sets without rules,
    higher score first, the first set (in document order) winning ties; the first name that is
    set wins within the chosen order of names."""
    sets = [s for s in index.property_sets if s.find("rule") is None]
    sets.sort(key=_score, reverse=True)  # stable: document order among equal scores
    for name in names:
        for nvset in sets:
            for nvpair in _nvpairs(index, nvset):
                if nvpair.get("name") == name and nvpair.get("value") is not None:
                    return nvpair.get("value")
    return None


def default_op_timeout(index: CibIndex) -> str:
    for nvset in index.op_defaults:
        if nvset.find("rule") is None:
            for nvpair in _nvpairs(index, nvset):
                if nvpair.get("name") == "timeout" and nvpair.get("value"):
                    return nvpair.get("value")
    return opts.op_attribute("timeout").default or "20s"


def _boolean_property(index: CibIndex, default: bool, *names: str) -> bool:
    value = cluster_property(index, *names)
    try:
        return default if value is None else opts.parse_boolean(value)
    except opts.OptionValueError:
        return default  # Pacemaker uses the default for a value it cannot read


def fencing_enabled(index: CibIndex) -> bool:
    """`fencing-enabled` (3.x) or `stonith-enabled` (2.1); true unless set to a false value."""
    return _boolean_property(index, True, "fencing-enabled", "stonith-enabled")


def check_fencing(index: CibIndex) -> Iterator[Finding]:
    enabled = fencing_enabled(index)
    resources = index.conf.find("resources")
    # With SBD (the cluster sets have-watchdog), nodes fence themselves: no device needed.
    watchdog = _boolean_property(index, False, "have-watchdog")
    if enabled and not watchdog and not any(index.is_stonith(p) for p in index.primitives):
        for line in NO_FENCING_DEVICE:
            yield error(resources, None, line)
    if not enabled:
        for ticket in index.constraints:
            if ticket.tag == "rsc_ticket" and ticket.get("loss-policy") == "fence":
                tid = ticket.get("id")
                yield error(ticket, tid, f"{tid}: Resetting 'loss-policy' for ticket "
                                         f"'{ticket.get('ticket')}' to 'stop' because fencing "
                                         "is not configured")
