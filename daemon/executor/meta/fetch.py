"""How to get the meta-data of a resolved agent, class by class.

OCF and fence agents describe themselves when run; cluster-glue plugins through the
`stonith` program; LSB scripts and systemd units do not, so their meta-data is derived from
the file. `locate` says which way applies and which file the answer depends on (what a
cache keys on), `command` gives the run as argv and environment, `parse_output` and
`from_file` turn the answer into an AgentMeta. `fetch` does the whole thing synchronously.
"""

from __future__ import annotations

from pathlib import Path

from daemon.executor.meta import discovery
from daemon.executor.meta.discovery import AgentRoots
from daemon.executor.meta.errors import AgentError, UnknownAgentError
from daemon.executor.meta.model import AgentMeta
from daemon.executor.meta.parse import MetadataError, adjust_fence_agent, parse_metadata
from daemon.executor.meta.run import ocf_environment, plain_environment, run_for_metadata
from daemon.executor.meta.services import lsb_metadata, systemd_metadata
from daemon.executor.model import AgentSpec

OCF, FENCE, GLUE, LSB, SYSTEMD = "ocf", "fence", "glue", "lsb", "systemd"
_FROM_FILE = (LSB, SYSTEMD)


def locate(roots: AgentRoots, spec: AgentSpec) -> tuple[str, Path]:
    """(kind, file) for `spec`; `service:` is LSB where the init script exists, else
    systemd. UnknownAgentError for a systemd unit found in no unit directory."""
    if spec.standard == "ocf":
        return OCF, discovery.ocf_agent_path(roots, spec.provider or "", spec.type)
    if spec.standard == "stonith":
        fence = discovery.fence_agent_path(roots, spec.type)
        if spec.type.startswith("fence_") and fence.is_file():
            return FENCE, fence
        return GLUE, discovery.glue_plugin_path(roots, spec.type)
    if spec.standard in ("lsb", "service"):
        script = roots.lsb_dir / spec.type
        if spec.standard == "lsb" or script.is_file():
            return LSB, script
    unit = discovery.systemd_unit_path(roots, spec.type)
    if unit is None:
        raise UnknownAgentError(str(spec), "no such agent (no unit file "
                                           f"{spec.type}.service in the systemd unit paths)")
    return SYSTEMD, unit


def runs_agent(kind: str) -> bool:
    return kind not in _FROM_FILE


def command(roots: AgentRoots, spec: AgentSpec, kind: str, path: Path
            ) -> tuple[list[str], dict[str, str]]:
    """argv and environment of the meta-data run (for kinds that run something)."""
    if kind == OCF:
        return ([str(path), "meta-data"],
                ocf_environment(str(roots.ocf_root), spec.provider or "", spec.type))
    if kind == FENCE:
        return [str(path), "-o", "metadata"], plain_environment()
    return [str(roots.stonith_program), "-m", "-t", spec.type], plain_environment()


def parse_output(spec: AgentSpec, kind: str, output: bytes) -> AgentMeta:
    try:
        meta = parse_metadata(output, spec)
    except MetadataError as err:
        raise AgentError(str(spec), str(err)) from None
    return adjust_fence_agent(meta) if kind == FENCE else meta


def from_file(spec: AgentSpec, kind: str, path: Path) -> AgentMeta:
    """The derived meta-data of an LSB script or systemd unit."""
    try:
        text = path.read_text(errors="replace")
    except OSError as err:
        raise AgentError(str(spec), f"cannot read {path}: {err.strerror}") from None
    return (lsb_metadata if kind == LSB else systemd_metadata)(spec, text)


def fetch(roots: AgentRoots, spec: AgentSpec, kind: str, path: Path, timeout: float
          ) -> AgentMeta:
    """The meta-data of a located agent, running it if it describes itself."""
    if not runs_agent(kind):
        return from_file(spec, kind, path)
    argv, env = command(roots, spec, kind, path)
    return parse_output(spec, kind, run_for_metadata(str(spec), argv, env, timeout))
