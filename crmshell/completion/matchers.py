"""From a kind to candidates: the second stage of completion, the only one that looks things up.

Each matcher takes the kind, the word being typed and the environment, and returns candidates
that start with that word. Look-ups that fail (an unknown agent, an unreadable CIB) give no
candidates rather than an error: completion never interrupts typing.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from crmshell.completion import kinds as k
from crmshell.completion.env import CompletionEnv, ObjectRef

_RESOURCE_KINDS = frozenset({"primitive", "group", "clone", "ms", "rsc_template", "bundle"})
_CONSTRAINT_KINDS = frozenset({"location", "colocation", "order", "rsc_ticket"})
_STANDARD_OPS = ("start", "stop", "monitor", "promote", "demote", "migrate_to", "migrate_from",
                 "notify", "reload", "reload-agent")
_OBJECT_KINDS = ("node", "primitive", "group", "clone", "ms", "rsc_template", "bundle",
                 "location", "colocation", "order", "rsc_ticket", "property", "rsc_defaults",
                 "op_defaults", "fencing_topology", "tag", "alert", "role", "acl_target",
                 "acl_group", "user")


def candidates(kind, word: str, env: CompletionEnv) -> Iterator[k.Candidate]:
    """The candidates of one kind, lazily (a caller with a limit stops early); a look-up that
    fails (unknown agent, unreadable CIB) ends the candidates of this kind, never typing."""
    matcher = _MATCHERS.get(type(kind))
    if matcher is None:
        return
    from crmshell.agents.errors import AgentError
    from crmshell.errors import ShellError, swallowed

    try:
        yield from matcher(kind, word, env)
    except (ShellError, AgentError, OSError, ValueError) as err:
        swallowed(err, f"completing {word!r} as {type(kind).__name__}")
        return


def _words(items: Iterable[tuple[str, str]], word: str, *, fold: bool = False
           ) -> Iterable[k.Candidate]:
    low = word.lower()
    for text, meta in items:
        if text.startswith(word) or (fold and text.lower().startswith(low)):
            yield k.Candidate(text, text, meta)


def _choice(kind: k.Choice | k.Keywords, word: str, env) -> Iterable[k.Candidate]:
    return _words(kind.items, word, fold=isinstance(kind, k.Keywords))


# -- objects ----------------------------------------------------------------------------------
def _wanted(kinds: frozenset[str] | None) -> Callable[[ObjectRef], bool]:
    if kinds is None:
        return lambda ref: True
    plain = kinds - {"resource", "constraint", "fencing"}
    resource, constraint, fencing = ("resource" in kinds, "constraint" in kinds,
                                     "fencing" in kinds)

    def wanted(ref: ObjectRef) -> bool:
        return (ref.kind in plain or (resource and ref.kind in _RESOURCE_KINDS)
                or (constraint and ref.kind in _CONSTRAINT_KINDS)
                or (fencing and ref.kind == "primitive" and ref.agent.startswith("stonith:")))

    return wanted


def _object_ids(kind: k.ObjectIds, word: str, env: CompletionEnv) -> Iterable[k.Candidate]:
    if not word.startswith(kind.prefix) and not kind.prefix.startswith(word):
        return
    rest = word[len(kind.prefix):]
    wanted = _wanted(kind.kinds)
    free = kind.free
    for ref in env.objects():
        if ref.id.startswith(rest) and wanted(ref) and not (free and ref.container):
            meta = f"{ref.kind} {ref.agent}".rstrip()
            yield k.Candidate(kind.prefix + ref.id + kind.suffix, ref.id, meta)


# -- agents -----------------------------------------------------------------------------------
def _agent_name(kind, word: str, env: CompletionEnv) -> Iterable[k.Candidate]:
    catalog = env.catalog()
    if catalog is None:
        return
    parts = word.split(":")
    if len(parts) == 1:
        yield from _words(((f"{c}:", "agent class") for c in _classes(catalog)), word)
        if word:
            types = sorted({t for p in catalog.providers() for t in catalog.types("ocf", p)})
            yield from _words(((t, "ocf agent") for t in types), word)
        return
    cls = parts[0]
    if cls == "ocf" and len(parts) == 2:
        yield from _words(((f"ocf:{p}:", "ocf provider") for p in catalog.providers()), word)
        return
    if cls == "ocf" and len(parts) == 3:
        head = f"ocf:{parts[1]}:"
        for t in catalog.types("ocf", parts[1]):
            if (head + t).startswith(word):
                yield k.Candidate(head + t, t, f"ocf:{parts[1]} agent")
        return
    if len(parts) == 2 and cls in _classes(catalog):
        yield from _words(((f"{cls}:{t}", f"{cls} agent") for t in catalog.types(cls)), word)


def _classes(catalog) -> list[str]:
    from crmshell.agents.catalog import BASE_CLASSES

    return list(BASE_CLASSES) + ["systemd"]


def _agent_class(kind, word: str, env) -> Iterable[k.Candidate]:
    catalog = env.catalog()
    return _words(((c, "agent class") for c in _classes(catalog)), word) if catalog else ()


def _agent_provider(kind, word: str, env) -> Iterable[k.Candidate]:
    catalog = env.catalog()
    return _words(((p, "ocf provider") for p in catalog.providers()), word) if catalog else ()


def _agent_type(kind: k.AgentType, word: str, env) -> Iterable[k.Candidate]:
    catalog = env.catalog()
    return _words(((t, f"{kind.cls} agent") for t in catalog.types(kind.cls)), word) \
        if catalog else ()


def agent_meta(agent: str | None, env: CompletionEnv):
    """The meta-data of an agent as written in a definition (`@template` follows the
    template to its agent); None when there is none to be had."""
    if not agent:
        return None
    if agent.startswith("@"):
        refs = [r for r in env.objects() if r.id == agent[1:] and r.kind == "rsc_template"]
        if not refs:
            return None
        agent = refs[0].agent
    catalog = env.catalog()
    if catalog is None:
        return None
    return catalog.metadata(agent)


def _op_names(kind: k.OpNames, word: str, env: CompletionEnv) -> Iterable[k.Candidate]:
    meta = agent_meta(kind.agent, env)
    seen: dict[str, str] = {}
    if meta is not None:
        for action in meta.actions:
            if action.name in seen or action.name == "meta-data" or action.name.startswith("validate"):
                continue
            advice = " ".join(f"{n}={v}" for n, v in (("interval", action.interval),
                                                        ("timeout", action.timeout)) if v)
            seen[action.name] = f"advised: {advice}" if advice else "agent action"
    else:
        seen = {name: "operation" for name in _STANDARD_OPS}
    return _words(seen.items(), word)


# -- attributes -------------------------------------------------------------------------------
def attribute_specs(domain: str, env: CompletionEnv) -> list[tuple[str, str, str | None,
                                                                   tuple[str, ...], str]]:
    """(name, type, default, allowed values, description) of every name a domain allows."""
    if domain.startswith("params:"):
        meta = agent_meta(domain[len("params:"):], env)
        if meta is None:
            return []
        return [(p.name, p.type, p.default, p.allowed,
                 p.shortdesc + (" (required)" if p.effectively_required else "")
                 + (" (deprecated)" if p.deprecated else ""))
                for p in meta.parameters]
    from daemon.cib import options as opts

    if domain.startswith("meta:"):
        kind = domain[len("meta:"):]
        specs = [m.option for m in opts.RESOURCE_META if not kind or kind in m.kinds]
        seen: dict[str, object] = {}
        for spec in specs:
            seen.setdefault(spec.name, spec)
        return [_option_row(s) for s in seen.values()]
    if domain in ("op_defaults",) or domain.startswith("op:"):
        return [_option_row(s) for s in opts.OP_ATTRIBUTES if s.name != "name"]
    if domain == "property":
        return [_option_row(s) for s in opts.CLUSTER_OPTIONS if not s.generated]
    return []


def _option_row(spec) -> tuple[str, str, str | None, tuple[str, ...], str]:
    return (spec.name, spec.vtype, spec.default, spec.allowed,
            spec.shortdesc + (" (deprecated)" if spec.deprecated else ""))


def describe_attribute(row) -> str:
    name, vtype, default, _allowed, desc = row
    head = vtype + (f", default {default}" if default not in (None, "") else "")
    return f"{desc} [{head}]" if desc else f"[{head}]"


def _attributes(kind: k.Attributes, word: str, env: CompletionEnv) -> Iterable[k.Candidate]:
    if kind.domain.startswith("op:"):
        yield from _advised(kind.domain, word, env, kind.given)
    for row in attribute_specs(kind.domain, env):
        name = row[0]
        if name in kind.given or not name.startswith(word):
            continue
        yield k.Candidate(f"{name}=", f"{name}=", describe_attribute(row))


def _advised(domain: str, word: str, env: CompletionEnv, given: frozenset[str]
             ) -> Iterable[k.Candidate]:
    """`interval=`/`timeout=` with the values the agent advises for this operation."""
    agent, _sep, op_name = domain[len("op:"):].rpartition(":")
    try:
        meta = agent_meta(agent, env)
    except Exception as err:  # noqa: BLE001 - no advice without meta-data; the names still complete
        from crmshell.errors import swallowed

        swallowed(err, f"reading the meta-data of {agent} for its advised {op_name}")
        meta = None
    action = meta.action(op_name) if meta is not None and op_name else None
    if action is None:
        return
    for attr in ("interval", "timeout"):
        value = getattr(action, attr)
        text = f"{attr}={value}"
        if value and attr not in given and text.startswith(word):
            yield k.Candidate(text, text, f"advised by {meta.spec.type} for {op_name}")


def _attr_value(kind: k.AttrValue, word: str, env: CompletionEnv) -> Iterable[k.Candidate]:
    rows = [r for r in attribute_specs(kind.domain, env) if r[0] == kind.name]
    values: dict[str, str] = {}
    if kind.domain.startswith("op:"):
        for cand in _advised(kind.domain, f"{kind.name}=", env, frozenset()):
            values[cand.text.split("=", 1)[1]] = cand.meta
    for _name, vtype, default, allowed, _desc in rows:
        for value in allowed:
            values.setdefault(value, "allowed value")
        if vtype == "boolean":
            values.setdefault("true", "boolean")
            values.setdefault("false", "boolean")
        if default not in (None, ""):
            values.setdefault(default, "default")
    prefix = f"{kind.name}="
    for value, meta in values.items():
        text = prefix + value
        if text.startswith(word):
            yield k.Candidate(text, value, meta)


# -- nodes, shadows, files, selectors ---------------------------------------------------------
def _node_names(kind: k.NodeNames, word: str, env: CompletionEnv) -> Iterable[k.Candidate]:
    return _words(((n + kind.suffix, "node") for n in env.nodes()), word)


def _shadow_names(kind: k.ShadowNames, word: str, env: CompletionEnv) -> Iterable[k.Candidate]:
    names = [(n, "shadow CIB") for n in env.shadows()]
    if kind.live:
        names.insert(0, ("live", "the real CIB"))
    return _words(names, word)


def _file_paths(kind: k.FilePaths, word: str, env: CompletionEnv) -> Iterable[k.Candidate]:
    if kind.stdin and word in ("", "-"):
        yield k.Candidate("-", "-", "standard input/output")
    folder, _sep, base = word.rpartition("/")
    head = folder + "/" if _sep else ""
    for name, is_dir in env.list_dir(folder if _sep else ""):
        if name.startswith(base) and (base.startswith(".") or not name.startswith(".")):
            text = head + name + ("/" if is_dir else "")
            yield k.Candidate(text, name + ("/" if is_dir else ""),
                              "directory" if is_dir else "file")


def _selectors(kind: k.Selectors, word: str, env: CompletionEnv) -> Iterable[k.Candidate]:
    if word.startswith("type:"):
        yield from _words(((f"type:{t}", "objects of this kind") for t in _OBJECT_KINDS), word)
        return
    if word.startswith("tag:"):
        yield from _object_ids(k.ObjectIds(frozenset({"tag"}), prefix="tag:"), word, env)
        return
    if word.startswith("related:"):
        yield from _object_ids(k.ObjectIds(k.RESOURCES, prefix="related:"), word, env)
        return
    fixed = [("type:", "objects of a kind"), ("tag:", "members of a tag"),
             ("related:", "a resource and what refers to it"),
             ("changed", "objects changed since the last commit"),
             ("and", "intersect with the selectors before"), ("or", "add to the selection")]
    if kind.xml:
        fixed.insert(0, ("xml", "as CIB XML"))
    yield from _words(fixed, word)
    yield from _object_ids(k.ObjectIds(None), word, env)


def _set_path(kind: k.SetPath, word: str, env: CompletionEnv) -> Iterable[k.Candidate]:
    oid, dot, rest = word.partition(".")
    if not dot:
        yield from _object_ids(k.ObjectIds(k.RESOURCES, suffix="."), word, env)
        return
    refs = [r for r in env.objects() if r.id == oid]
    if not refs:
        return
    ref = refs[0]
    domains = [f"meta:{'promotable' if ref.kind == 'ms' else ref.kind}"]
    if ref.agent:
        domains.insert(0, f"params:{ref.agent}")
    for domain in domains:
        for row in attribute_specs(domain, env):
            if row[0].startswith(rest):
                yield k.Candidate(f"{oid}.{row[0]}", row[0], describe_attribute(row))


_MATCHERS: dict[type, Callable] = {
    k.Choice: _choice,
    k.Keywords: _choice,
    k.ObjectIds: _object_ids,
    k.AgentName: _agent_name,
    k.AgentClass: _agent_class,
    k.AgentProvider: _agent_provider,
    k.AgentType: _agent_type,
    k.OpNames: _op_names,
    k.Attributes: _attributes,
    k.AttrValue: _attr_value,
    k.NodeNames: _node_names,
    k.ShadowNames: _shadow_names,
    k.FilePaths: _file_paths,
    k.Selectors: _selectors,
    k.SetPath: _set_path,
}
