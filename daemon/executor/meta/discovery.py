"""Where agents live on disk and how to list them, class by class.

All places are fields of `AgentRoots`, so tests and several nodes on one machine can point the
catalogue and the executor elsewhere; `AgentRoots.from_environment` reads the usual variables
from a mapping the caller passes (no hidden reads of `os.environ`). Extra OCF roots and fence
directories hold the agents shipped with crmshell (`with_shipped()`), found without being
installed; the first root that has an agent wins, the system's own first.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

DEFAULT_OCF_ROOT = "/usr/lib/ocf"
# The agents shipped with crmshell: daemon/agents/resource.d/<provider>/ and daemon/agents/fence/.
SHIPPED_OCF_ROOT = Path(__file__).resolve().parents[2] / "agents"
SHIPPED_FENCE_DIR = SHIPPED_OCF_ROOT / "fence"
SYSTEMD_UNIT_DIRS = ("/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
                     "/lib/systemd/system", "/usr/lib/systemd/system")


@dataclass(frozen=True)
class AgentRoots:
    """Every place the catalogue and the executor look. `stonith_program` runs cluster-glue
    plugins; `systemctl` lists and drives units (None: do not list systemd units);
    `systemd_run_dir` exists only where systemd is the running init (as sd_booted() checks)."""

    ocf_root: Path = Path(DEFAULT_OCF_ROOT)
    lsb_dir: Path = Path("/etc/init.d")
    fence_dir: Path = Path("/usr/sbin")
    stonith_plugin_dir: Path = Path("/usr/lib/stonith/plugins")
    stonith_program: Path = Path("/usr/sbin/stonith")
    systemctl: Path | None = Path("/usr/bin/systemctl")
    systemd_unit_dirs: tuple[Path, ...] = field(
        default_factory=lambda: tuple(Path(d) for d in SYSTEMD_UNIT_DIRS))
    systemd_run_dir: Path = Path("/run/systemd/system")
    extra_ocf_roots: tuple[Path, ...] = ()
    extra_fence_dirs: tuple[Path, ...] = ()

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> AgentRoots:
        return cls(ocf_root=Path(env.get("OCF_ROOT") or DEFAULT_OCF_ROOT))

    def with_shipped(self) -> AgentRoots:
        """These roots plus the agents shipped with crmshell (ocf:crmshell:*, the sandbox
        fence agent), looked up after the system's own."""
        return replace(self, extra_ocf_roots=self.extra_ocf_roots + (SHIPPED_OCF_ROOT,),
                       extra_fence_dirs=self.extra_fence_dirs + (SHIPPED_FENCE_DIR,))

    @property
    def ocf_providers_dir(self) -> Path:
        return self.ocf_root / "resource.d"

    @property
    def all_ocf_providers_dirs(self) -> tuple[Path, ...]:
        return (self.ocf_providers_dir,) + tuple(r / "resource.d" for r in self.extra_ocf_roots)

    @property
    def all_fence_dirs(self) -> tuple[Path, ...]:
        return (self.fence_dir,) + self.extra_fence_dirs


def _executables(directory: Path, prefix: str = "") -> list[str]:
    """Names of the executable, non-hidden files in `directory` (sorted), [] if it is missing."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    names = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.startswith(prefix):
            continue
        try:
            if entry.is_file() and os.access(entry.path, os.X_OK):
                names.append(entry.name)
        except OSError:
            continue
    return sorted(names)


def ocf_providers(roots: AgentRoots) -> list[str]:
    names: set[str] = set()
    for directory in roots.all_ocf_providers_dirs:
        try:
            names.update(e.name for e in os.scandir(directory)
                         if e.is_dir() and not e.name.startswith("."))
        except OSError:
            continue
    return sorted(names)


def ocf_types(roots: AgentRoots, provider: str) -> list[str]:
    return sorted({t for d in roots.all_ocf_providers_dirs for t in _executables(d / provider)})


def ocf_agent_path(roots: AgentRoots, provider: str, type_: str) -> Path:
    """The agent's file in the first root that has it (the system's own if none has)."""
    return _first_existing([d / provider / type_ for d in roots.all_ocf_providers_dirs])


def fence_agent_path(roots: AgentRoots, type_: str) -> Path:
    return _first_existing([d / type_ for d in roots.all_fence_dirs])


def _first_existing(candidates: list[Path]) -> Path:
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return candidates[0]


def lsb_types(roots: AgentRoots) -> list[str]:
    return _executables(roots.lsb_dir)


def fence_types(roots: AgentRoots) -> list[str]:
    return sorted({t for d in roots.all_fence_dirs for t in _executables(d, prefix="fence_")})


def glue_plugin_types(roots: AgentRoots) -> list[str]:
    """cluster-glue stonith plugins: the `stonith2/*.so` modules (their `external` and `rhcs`
    modules are loaders, not devices) plus the scripts under `external/` and `rhcs/`."""
    names: list[str] = []
    try:
        modules = os.listdir(roots.stonith_plugin_dir / "stonith2")
    except OSError:
        modules = []
    for module in modules:
        stem, dot, ext = module.rpartition(".")
        if dot and ext == "so" and stem not in ("external", "rhcs"):
            names.append(stem)
    for loader in ("external", "rhcs"):
        names += [f"{loader}/{n}" for n in _executables(roots.stonith_plugin_dir / loader)]
    return sorted(names)


def glue_plugin_path(roots: AgentRoots, type_: str) -> Path:
    """The file behind a cluster-glue plugin type (what its meta-data depends on)."""
    if "/" in type_:
        return roots.stonith_plugin_dir / type_
    return roots.stonith_plugin_dir / "stonith2" / f"{type_}.so"


def systemd_types(roots: AgentRoots, timeout: float) -> list[str]:
    """Service units known to systemctl; [] when systemctl is absent or fails (containers,
    systems without systemd): listing is a convenience, never an error."""
    if roots.systemctl is None:
        return []
    argv = [str(roots.systemctl), "list-unit-files", "--full", "--type=service", "--no-legend",
            "--no-pager"]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return []
    if proc.returncode != 0:
        return []
    names = set()
    for line in proc.stdout.splitlines():
        unit = line.split(None, 1)[0] if line.strip() else ""
        if unit.endswith(".service") and "@" not in unit:
            names.add(unit[: -len(".service")])
    return sorted(names)


def systemd_unit_path(roots: AgentRoots, type_: str) -> Path | None:
    """The unit file that defines `type_` (first match in systemd's search order)."""
    unit = type_ if type_.endswith(".service") else f"{type_}.service"
    for directory in roots.systemd_unit_dirs:
        candidate = directory / unit
        if candidate.exists():
            return candidate
    return None
