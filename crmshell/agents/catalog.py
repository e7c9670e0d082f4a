"""The agent catalogue: list agents, resolve crmsh-style names, fetch and cache meta-data.

One object holds the roots, the cache directory and an in-memory memo; nothing is global, so a
test builds a catalogue over a temporary OCF root and a temporary cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from daemon.executor.meta import discovery, fetch
from daemon.executor.meta import errors as daemon_errors
from daemon.executor.meta.discovery import AgentRoots
from daemon.executor.meta.model import AgentMeta, Parameter
from daemon.executor.model import CLASSES_WITH_PROVIDER, AgentSpec

from crmshell.agents.cache import MetadataCache, default_cache_dir, fingerprint
from crmshell.agents.errors import AgentError, UnknownAgentError, shell_error

BASE_CLASSES = ("lsb", "ocf", "service", "stonith")
ALL_CLASSES = BASE_CLASSES + ("systemd",)
PREFERRED_PROVIDERS = ("heartbeat", "pacemaker")


def fencer_parameters() -> tuple[Parameter, ...]:
    """The `pcmk_*` parameters the fencer accepts on every fence device, as agent parameters."""
    from daemon.cib.options import DURATION, FENCING_PARAMETERS, TIMEOUT

    # Pacemaker 2.1's fencer meta-data calls both duration types "time"; `ra info` shows that.
    return tuple(Parameter(name=o.name, type="time" if o.vtype in (DURATION, TIMEOUT) else o.vtype,
                           default=o.default or None,
                           shortdesc=o.shortdesc, allowed=o.allowed, origin="fencer")
                 for o in FENCING_PARAMETERS)


class AgentCatalog:
    """Resource and fence agents installed under `roots`, meta-data cached in `cache_dir`
    (None: no disk cache). `timeout` bounds every agent or helper run, in seconds."""

    def __init__(self, roots: AgentRoots | None = None, cache_dir: Path | None = None, *,
                 timeout: float = 30.0) -> None:
        self.roots = roots or AgentRoots().with_shipped()
        self.cache = MetadataCache(cache_dir) if cache_dir is not None else None
        self.timeout = timeout
        self.runs = 0
        """Agent processes started so far (the cache's job is to keep this at zero)."""
        self._memo: dict[AgentSpec, AgentMeta] = {}
        self._systemd: list[str] | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, timeout: float = 30.0) -> AgentCatalog:
        """The catalogue a shell uses: `OCF_ROOT` (default /usr/lib/ocf) and the cache under
        `XDG_CACHE_HOME`, both read from `env`."""
        return cls(AgentRoots.from_environment(env).with_shipped(), default_cache_dir(env),
                   timeout=timeout)

    # --- listing ---------------------------------------------------------------------------

    def _systemd_types(self) -> list[str]:
        if self._systemd is None:
            self._systemd = discovery.systemd_types(self.roots, self.timeout)
        return self._systemd

    def classes(self) -> list[str]:
        """Agent classes available here; systemd only where systemctl answers."""
        return list(BASE_CLASSES) + (["systemd"] if self._systemd_types() else [])

    def providers(self, type: str | None = None) -> list[str]:
        """OCF providers; with `type`, only those that ship an agent of that name."""
        all_providers = discovery.ocf_providers(self.roots)
        if type is None:
            return all_providers
        return [p for p in all_providers
                if discovery.ocf_agent_path(self.roots, p, type).is_file()]

    def types(self, cls: str, provider: str | None = None) -> list[str]:
        """Agent types of a class (of one provider for ocf, all providers if None), sorted."""
        if cls == "ocf":
            provs = [provider] if provider else discovery.ocf_providers(self.roots)
            return sorted({t for p in provs for t in discovery.ocf_types(self.roots, p)})
        if provider:
            raise AgentError(f"{cls}:{provider}", f"class {cls} has no providers")
        if cls == "lsb":
            return discovery.lsb_types(self.roots)
        if cls == "systemd":
            return list(self._systemd_types())
        if cls == "service":
            return sorted(set(discovery.lsb_types(self.roots)) | set(self._systemd_types()))
        if cls == "stonith":
            return sorted(discovery.fence_types(self.roots)
                          + discovery.glue_plugin_types(self.roots))
        raise AgentError(cls, f"unknown agent class (known: {', '.join(ALL_CLASSES)})")

    # --- names -----------------------------------------------------------------------------

    def resolve(self, spec: str) -> AgentSpec:
        """`[class:[provider:]]type` as crmsh reads it: a bare type is OCF, and an OCF agent
        without provider gets heartbeat if it (or nobody) has it, else pacemaker, else the
        first provider that has it. Does not check that the agent exists."""
        parts = spec.split(":")
        if len(parts) > 3 or any(not p.strip() for p in parts):
            raise AgentError(spec, "not an agent name (expected [class:[provider:]]type)")
        if len(parts) == 1:
            cls, provider, type_ = "ocf", "", parts[0]
        elif len(parts) == 2:
            (cls, type_), provider = parts, ""
        else:
            cls, provider, type_ = parts
        if cls not in ALL_CLASSES:
            raise AgentError(spec, f"unknown agent class '{cls}' "
                                   f"(known: {', '.join(ALL_CLASSES)})")
        if cls in CLASSES_WITH_PROVIDER:
            provider = provider or self._pick_provider(type_)
        elif provider:
            raise AgentError(spec, f"class {cls} does not take a provider")
        return AgentSpec(cls, provider, type_)

    def _pick_provider(self, type_: str) -> str:
        having = self.providers(type_)
        for preferred in PREFERRED_PROVIDERS:
            if not having or preferred in having:
                return preferred
        return having[0]

    def _locate(self, spec: AgentSpec) -> tuple[str, Path]:
        """How to get the meta-data of `spec` and the file it comes from."""
        try:
            return fetch.locate(self.roots, spec)
        except daemon_errors.AgentError as err:
            raise shell_error(err) from None

    def agent_path(self, spec: str | AgentSpec) -> Path:
        """The file behind an agent (script, unit, fence agent, plugin); UnknownAgentError if
        it is not installed."""
        spec = self.resolve(spec) if isinstance(spec, str) else spec
        _kind, path = self._locate(spec)
        if not path.is_file():
            raise UnknownAgentError(str(spec), f"no such agent ({path} does not exist)")
        return path

    # --- meta-data -------------------------------------------------------------------------

    def metadata(self, spec: str | AgentSpec) -> AgentMeta:
        """Parsed meta-data of an agent: from memory, else from the disk cache if the agent
        file is unchanged, else by running (or reading) the agent. Fence devices also list the
        fencer's `pcmk_*` parameters. Raises UnknownAgentError or AgentError."""
        spec = self.resolve(spec) if isinstance(spec, str) else spec
        meta = self._memo.get(spec)
        if meta is not None:
            return meta
        kind, path = self._locate(spec)
        try:
            source = fingerprint(path)
        except OSError:
            raise UnknownAgentError(str(spec), f"no such agent ({path} does not exist)") from None
        label = str(spec)
        meta = self.cache.load(label, source) if self.cache else None
        if meta is None:
            meta = self._fetch(kind, spec, path)
            if self.cache:
                self.cache.store(label, source, meta)
        if spec.cls == "stonith":
            meta = meta.with_parameters(fencer_parameters())
        self._memo[spec] = meta
        return meta

    def _fetch(self, kind: str, spec: AgentSpec, path: Path) -> AgentMeta:
        if fetch.runs_agent(kind):
            self.runs += 1
        try:
            return fetch.fetch(self.roots, spec, kind, path, self.timeout)
        except daemon_errors.AgentError as err:
            raise shell_error(err) from None
