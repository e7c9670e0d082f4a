"""Resources against their agents' meta-data, and meta attributes against Pacemaker's table.

Meta-data is fetched once per agent type however many primitives use it. The wording of the
warnings follows crmsh's `configure verify` where crmsh has the same check.
"""

from __future__ import annotations

from typing import Iterator

from daemon.cib import options as opts
from crmshell.agents import AgentCatalog, AgentError, AgentMeta
from crmshell.verify.findings import WARNING, Finding, at, error, warning
from crmshell.verify.index import CibIndex

# Actions with no recurrence; monitor is the one recurring action.
NO_INTERVAL_OPS = frozenset({"start", "stop", "promote", "demote"})
HIDDEN_ACTIONS = frozenset({"meta-data", "validate-all"})
# Parameters the fencer fills in for fence agents even where their meta-data requires them.
FENCER_SUPPLIED = frozenset({"action", "port", "plug"})
ROLE_ALIASES = {"master": "promoted", "slave": "unpromoted"}
_STRICT_OP_ATTRS = frozenset({"interval", "timeout"})


def _parse_ms(value: str) -> int | None:
    try:
        return opts.parse_duration_ms(value)
    except opts.OptionValueError:
        return None


def _nvpair_elems(index: CibIndex, elem, set_tag: str):
    for nvset in elem.iterchildren(set_tag):
        target = index.resolve_ref(nvset)
        if target is not None:
            yield from target.iterchildren("nvpair")


def _ops(index: CibIndex, elem) -> list:
    ops = []
    for operations in elem.iterchildren("operations"):
        target = index.resolve_ref(operations)
        if target is not None:
            ops.extend(target.iterchildren("op"))
    return ops


class AgentChecks:
    """Agent-dependent checks of primitives and templates, with meta-data looked up once per
    agent type (a failed lookup is remembered too, and reported on every resource using it)."""

    def __init__(self, index: CibIndex, catalog: AgentCatalog, default_timeout: str) -> None:
        self.index = index
        self.catalog = catalog
        self._meta: dict[tuple[str, str, str], AgentMeta | AgentError] = {}
        # Large configurations repeat the same few values ("10s", "20s"): parse each once.
        self._durations: dict[str, int | None] = {}
        self._op_values: dict[tuple[str, str], str | None] = {}
        self._verdicts: dict[tuple, list[tuple[str, str]]] = {}
        self.default_timeout = default_timeout

    def _ms(self, value: str | None) -> int | None:
        if value is None:
            return None
        if value not in self._durations:
            self._durations[value] = _parse_ms(value)
        return self._durations[value]

    def _op_value_problem(self, attr: str, value: str) -> str | None:
        key = (attr, value)
        if key not in self._op_values:
            spec = opts.op_attribute(attr)
            self._op_values[key] = None if spec is None else opts.value_problem(spec, value)
        return self._op_values[key]

    def _lookup(self, cls: str, provider: str, type_: str) -> AgentMeta | AgentError:
        key = (cls, provider, type_)
        found = self._meta.get(key)
        if found is None:
            spec = f"{cls}:{provider}:{type_}" if provider else f"{cls}:{type_}"
            try:
                found = self.catalog.metadata(spec)
            except AgentError as err:
                found = err
            self._meta[key] = found
        return found

    def check_all(self) -> Iterator[Finding]:
        for template in self.index.templates.values():
            yield from self.check(template, template, is_template=True)
        sharing: dict[tuple, list] = {}
        for primitive in self.index.primitives:
            name = primitive.get("template")
            agent_elem = primitive
            if name:
                agent_elem = self.index.templates.get(name)
                if agent_elem is None:
                    continue  # reported by the reference checks
            yield from self.check(primitive, agent_elem, is_template=False)
            for key in self._unique_values(primitive, agent_elem):
                sharing.setdefault(key, []).append(primitive)
        yield from _uniqueness(sharing)

    def _unique_values(self, elem, agent_elem) -> Iterator[tuple]:
        """(agent, parameter, value) of each unique parameter `elem` has, its template's
        included: two primitives of one agent must not share one (crmsh refuses that)."""
        cls, type_ = agent_elem.get("class"), agent_elem.get("type")
        if not cls or not type_:
            return
        meta = self._lookup(cls, agent_elem.get("provider") or "", type_)
        if isinstance(meta, AgentError):
            return
        unique = {p.name for p in meta.parameters if p.unique}
        values: dict[str, str] = {}
        for source in ((elem,) if agent_elem is elem else (agent_elem, elem)):
            for nv in _nvpair_elems(self.index, source, "instance_attributes"):
                if nv.get("name") in unique and nv.get("value") is not None:
                    values[nv.get("name")] = nv.get("value")
        for name, value in values.items():
            yield (str(meta.spec), name, value)

    def check(self, elem, agent_elem, *, is_template: bool) -> Iterator[Finding]:
        rid = elem.get("id")
        cls, type_ = agent_elem.get("class"), agent_elem.get("type")
        if not cls or not type_:
            return  # a placeholder member: reported by the structure checks
        meta = self._lookup(cls, agent_elem.get("provider") or "", type_)
        sources = (elem,) if agent_elem is elem else (agent_elem, elem)
        ops = [op for source in sources for op in _ops(self.index, source)]
        yield from self._check_op_attributes(rid, ops)
        if isinstance(meta, AgentError):
            yield error(elem, rid, f"{rid}: {meta}")
            return
        names = {nv.get("name") for source in sources
                 for nv in _nvpair_elems(self.index, source, "instance_attributes")}
        names.discard(None)
        yield from self._check_params(elem, rid, meta, names, is_template)
        yield from self._check_ops(elem, rid, meta, ops, stonith=cls == "stonith")

    def _check_params(self, elem, rid: str, meta: AgentMeta, names: set[str],
                      is_template: bool) -> Iterator[Finding]:
        known = meta.parameter_names
        for name in sorted(names - known):
            if not name.startswith("$"):
                yield error(elem, rid, f'{rid}: parameter "{name}" is not known')
        if is_template:
            return
        stonith = meta.spec.cls == "stonith"
        for param in meta.parameters:
            if (param.effectively_required and param.name not in names
                    and not (stonith and param.name in FENCER_SUPPLIED)):
                yield error(elem, rid, f'{rid}: required parameter "{param.name}" not defined')

    def _check_op_attributes(self, rid: str, ops: list) -> Iterator[Finding]:
        for op in ops:
            name = op.get("name")
            for attr, value in op.attrib.items():
                if attr in ("name", "id", "description"):
                    continue
                problem = self._op_value_problem(attr, value)
                if problem is None:
                    continue
                if attr in _STRICT_OP_ATTRS:
                    yield error(op, rid, f"{rid}: op '{name}' {attr}: {problem}")
                else:
                    yield warning(op, rid, f"{rid}: op '{name}' attribute '{attr}' value "
                                           f"'{value}' not recognized")

    def _check_ops(self, elem, rid: str, meta: AgentMeta, ops: list, *, stonith: bool
                   ) -> Iterator[Finding]:
        seen: dict[tuple[str, int], str] = {}
        configured = set()
        for op in ops:
            name, interval = op.get("name") or "", op.get("interval") or "0"
            interval_ms = self._ms(interval)
            configured.add(name)
            if interval_ms is not None:
                op_id = op.get("id") or f"{rid}-{name}-{interval}"
                first = seen.setdefault((name, interval_ms), op_id)
                if first != op_id:
                    yield error(op, rid, f"{rid}: Operation {op_id} is duplicate of {first} (do "
                                         "not use same name and interval combination more than "
                                         "once per resource)")
            key = (meta.spec, stonith, name, interval, op.get("timeout"), op.get("role"),
                   _depth(self.index, op) if len(op) else None)
            verdict = self._verdicts.get(key)
            if verdict is None:
                verdict = self._verdicts[key] = self._op_verdict(meta, *key[1:])
            for severity, message in verdict:
                yield at(op, severity, rid, f"{rid}: {message}")
        if not stonith:
            for name in ("start", "stop"):
                if name not in configured and meta.has_action(name):
                    for severity, message in self._timeout_verdict(name, None, meta.action(name)):
                        yield at(elem, severity, rid, f"{rid}: {message}")

    def _op_verdict(self, meta: AgentMeta, stonith: bool, name: str, interval: str,
                    timeout: str | None, role: str | None, depth: str | None
                    ) -> list[tuple[str, str]]:
        """What is wrong with one op against the agent's advice, as (severity, message after
        the resource id). Many resources share the same ops, so the answer is memoized."""
        if stonith and name in ("start", "stop"):
            return []
        if not meta.has_action(name) or name in HIDDEN_ACTIONS:
            return [(WARNING, f"action '{name}' not found in Resource Agent meta-data")]
        advice = meta.action(name, _role(role), depth)
        verdict = []
        interval_ms = self._ms(interval)
        if name == "monitor" and interval_ms == 0:
            advised = advice.interval if advice is not None and advice.interval else "a value"
            verdict.append((WARNING, f"interval in monitor should be larger than 0, advised is "
                                     f"{advised}"))
        elif name in NO_INTERVAL_OPS and interval_ms:
            verdict.append((WARNING, f"Specified interval for {name} is {interval}, it must be 0"))
        return verdict + self._timeout_verdict(name, timeout, advice)

    def _timeout_verdict(self, name: str, timeout: str | None, advice) -> list[tuple[str, str]]:
        if advice is None or not advice.timeout:
            return []
        advised_ms = self._ms(advice.timeout)
        actual, which = (timeout, "specified") if timeout else (self.default_timeout, "default")
        actual_ms = self._ms(actual)
        if advised_ms is not None and actual_ms is not None and advised_ms > actual_ms:
            return [(WARNING, f"{which} timeout {actual} for {name} is smaller than the advised "
                              f"{advice.timeout}")]
        return []


def _uniqueness(sharing: dict[tuple, list]) -> Iterator[Finding]:
    for (_, name, value), elems in sorted(sharing.items()):
        if len(elems) > 1:
            ids = ",".join(e.get("id") for e in elems)
            yield error(elems[-1], elems[-1].get("id"),
                        f'Resources {ids} violate uniqueness for parameter "{name}": "{value}"')


def _role(role: str | None) -> str | None:
    if not role:
        return None
    return ROLE_ALIASES.get(role.lower(), role)


def _depth(index: CibIndex, op) -> str | None:
    for nvpair in _nvpair_elems(index, op, "instance_attributes"):
        if nvpair.get("name") == "OCF_CHECK_LEVEL":
            return nvpair.get("value")
    return None


_KIND_OF_TAG = {"primitive": opts.PRIMITIVE, "template": opts.TEMPLATE, "group": opts.GROUP,
                "clone": opts.CLONE, "master": opts.PROMOTABLE, "bundle": opts.BUNDLE}


def _resource_kind(index: CibIndex, elem) -> str:
    kind = _KIND_OF_TAG[elem.tag]
    if kind == opts.CLONE:
        for nvpair in _nvpair_elems(index, elem, "meta_attributes"):
            if nvpair.get("name") == "promotable":
                try:
                    if opts.parse_boolean(nvpair.get("value") or ""):
                        return opts.PROMOTABLE
                except opts.OptionValueError:
                    pass
    return kind


def check_meta_attributes(index: CibIndex) -> Iterator[Finding]:
    objects = list(index.templates.values()) + index.primitives + index.containers
    for elem in objects:
        rid = elem.get("id")
        kind = _resource_kind(index, elem)
        for nvpair in _nvpair_elems(index, elem, "meta_attributes"):
            name, value = nvpair.get("name"), nvpair.get("value")
            if name is None:
                continue
            spec = opts.resource_meta(name, kind)
            if spec is None:
                yield warning(nvpair, rid, f"{rid}: unknown attribute '{name}'")
                continue
            problem = opts.value_problem(spec, value) if value is not None else None
            if problem:
                yield error(nvpair, rid, f"{rid}: invalid value for meta attribute "
                                         f"'{name}': {problem}")
