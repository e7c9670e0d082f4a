"""Shadow CIBs: plain CIB files named `shadow.<name>` in the shadow directory.

The directory is `CIB_shadow_dir` when set, as crm_shadow uses it, so a shadow can be handed
to Pacemaker's tools with `CIB_file=`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping

from crmshell.cib.files import FileSource
from crmshell.errors import ShellError

SHADOW_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def shadow_dir(env: Mapping[str, str]) -> Path:
    if env.get("CIB_shadow_dir"):
        return Path(env["CIB_shadow_dir"])
    if os.geteuid() == 0:
        return Path("/var/lib/crmshell/shadow")
    state = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".local/state")
    return Path(state) / "crmshell" / "shadow"


def shadow_path(env: Mapping[str, str], name: str) -> Path:
    if not SHADOW_NAME.match(name):
        raise ShellError(f"invalid shadow CIB name '{name}': use letters, digits, '.', '_' and '-'")
    return shadow_dir(env) / f"shadow.{name}"


def shadow_source(env: Mapping[str, str], name: str, *, must_exist: bool = True) -> FileSource:
    path = shadow_path(env, name)
    if must_exist and not path.exists():
        raise ShellError(f"no shadow CIB named '{name}' (looked for {path})")
    return FileSource(path, name)
