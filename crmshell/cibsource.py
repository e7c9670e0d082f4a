"""Where the session's CIB lives: a CIB file, a shadow CIB, or (later) the live cluster.

Pacemaker's tools honour `CIB_file=PATH` and `CIB_shadow=NAME`; so do we, with `--cib-file`
taking precedence over both. Shadow CIBs are plain CIB files named `shadow.<name>` in the
shadow directory (`CIB_shadow_dir`, as crm_shadow uses it), so they can be handed to
Pacemaker's tools with `CIB_file=`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Protocol

from crmshell.errors import NeedsDaemon, ShellError

if TYPE_CHECKING:
    from lxml.etree import _Element

    from crmshell.ui.context import Options

SHADOW_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class CibSource(Protocol):
    label: str  # what the prompt shows: live, the shadow name, or the file name

    def load(self): ...  # -> the whole <cib> element

    def store(self, root: "_Element") -> None: ...


@dataclass
class FileSource:
    """A CIB file; a missing file reads as an empty CIB and is created on the first commit."""

    path: Path
    label: str

    def load(self):
        from daemon.cib.persist import load_cib_file

        return load_cib_file(self.path)

    def store(self, root) -> None:
        from daemon.cib.persist import write_cib_file

        write_cib_file(self.path, root)


@dataclass
class LiveSource:
    """The running cluster: reached through the node daemon, which is not built yet."""

    label: str = "live"

    def load(self):
        raise NeedsDaemon(
            "no cluster daemon to talk to yet: work on a CIB file with --cib-file PATH "
            "(or CIB_file=PATH), or on a shadow CIB with CIB_shadow=NAME"
        )

    def store(self, root) -> None:
        self.load()


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


def real_source(options: "Options", env: Mapping[str, str]) -> CibSource:
    """The CIB that shadows are copied from and committed to: a file, or the live cluster."""
    path = options.cib_file or env.get("CIB_file")
    if path:
        return FileSource(Path(path), Path(path).name)
    return LiveSource()


def source_from_options(options: "Options", env: Mapping[str, str]) -> CibSource:
    if options.cib_file:
        return FileSource(Path(options.cib_file), Path(options.cib_file).name)
    shadow = options.shadow or env.get("CIB_shadow")
    if shadow:
        return shadow_source(env, shadow)
    return real_source(options, env)
