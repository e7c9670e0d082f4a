"""Meta-data for LSB init scripts and systemd units, which do not describe themselves.

Pacemaker derives it: from the script's LSB header (`### BEGIN INIT INFO`), or from the unit.
The advised timeouts are Pacemaker's (15 s for LSB actions, 100 s for systemd), so `ra info`
and the timeout checks agree with the cluster. Pure functions over the file's text.
"""

from __future__ import annotations

from daemon.executor.meta.model import AgentMeta
from daemon.executor.meta.parse import synthesized
from daemon.executor.model import AgentSpec

_LSB_ACTIONS = (
    ("meta-data", (("timeout", "5"),)),
    ("start", (("timeout", "15"),)),
    ("stop", (("timeout", "15"),)),
    ("status", (("timeout", "15"),)),
    ("restart", (("timeout", "15"),)),
    ("force-reload", (("timeout", "15"),)),
    ("monitor", (("timeout", "15"), ("interval", "15"))),
)

_SYSTEMD_ACTIONS = (
    ("start", (("timeout", "100"),)),
    ("stop", (("timeout", "100"),)),
    ("status", (("timeout", "100"),)),
    ("monitor", (("timeout", "100"), ("interval", "60"))),
    ("meta-data", (("timeout", "5"),)),
)


def lsb_header(text: str) -> dict[str, str]:
    """The `key: value` lines of the LSB comment block; a `Description` continues on lines
    that start with `#` followed by a tab or at least two spaces."""
    fields: dict[str, str] = {}
    inside = False
    last = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("### BEGIN INIT INFO"):
            inside = True
            continue
        if stripped.startswith("### END INIT INFO"):
            break
        if not inside or not line.startswith("#"):
            continue
        body = line[1:]
        if last == "Description" and (body.startswith("\t") or body.startswith("  ")):
            fields[last] += "\n" + body.strip()
            continue
        key, sep, value = body.partition(":")
        key = key.strip()
        if sep and key and " " not in key:
            fields[key] = value.strip()
            last = key
        else:
            last = None
    return fields


def lsb_metadata(spec: AgentSpec, script_text: str) -> AgentMeta:
    header = lsb_header(script_text)
    return synthesized(spec, header.get("Short-Description", ""),
                       header.get("Description", ""), _LSB_ACTIONS)


def unit_description(unit_text: str) -> str:
    """The `Description=` of the `[Unit]` section, empty when there is none."""
    section = ""
    for line in unit_text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
        elif section == "Unit" and stripped.startswith("Description="):
            return stripped.partition("=")[2].strip()
    return ""


def systemd_metadata(spec: AgentSpec, unit_text: str) -> AgentMeta:
    description = unit_description(unit_text) or f"systemd unit {spec.type}"
    return synthesized(spec, description,
                       f"The systemd unit {spec.type}.service, started and stopped by the cluster.",
                       _SYSTEMD_ACTIONS)
