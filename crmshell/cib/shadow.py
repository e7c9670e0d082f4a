"""Shadow CIBs: plain CIB files named `shadow.<name>` in Pacemaker's shadow directory.

The directory is the one Pacemaker's tools use (lib/cib/cib_client.c, get_shadow_file), so a
shadow made here is found by `CIB_shadow=<name> crm_mon -1` and one made by `crm_shadow` is
found here, as crmsh does it (xmlutil.cib_shadow_dir):

- `CIB_shadow_dir` when set;
- for root and hacluster (the effective user's name, `$USER` if it has none): Pacemaker's
  configuration directory, /var/lib/pacemaker/cib;
- else `$HOME/.cib` (`$HOME` from the password database when unset), made 0700 if missing,
  when `$HOME` is an absolute path and the directory can be made;
- else `$TMPDIR` when it is an absolute path, else /tmp.
"""

from __future__ import annotations

import os
import pwd
import re
from pathlib import Path
from typing import Mapping

from crmshell.cib.files import FileSource
from crmshell.errors import ShellError

SHADOW_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CRM_CONFIG_DIR = Path("/var/lib/pacemaker/cib")
CRM_DAEMON_USER = "hacluster"


def shadow_dir(env: Mapping[str, str]) -> Path:
    """The shadow directory, as crm_shadow finds it (see the module docstring); like
    crm_shadow, this makes `$HOME/.cib` when that is where it belongs."""
    if env.get("CIB_shadow_dir"):
        return Path(env["CIB_shadow_dir"])
    try:
        entry = pwd.getpwuid(os.geteuid())
        user, pw_home = entry.pw_name, entry.pw_dir
    except KeyError:
        user, pw_home = env.get("USER"), None
    if user and user.lower() in ("root", CRM_DAEMON_USER):
        return CRM_CONFIG_DIR
    home = env["HOME"] if "HOME" in env else pw_home
    if home and home.startswith("/"):
        cib_home = Path(home) / ".cib"
        try:
            cib_home.mkdir(mode=0o700)
        except FileExistsError:
            return cib_home
        except OSError:
            pass
        else:
            return cib_home
    tmp = env.get("TMPDIR")
    return Path(tmp if tmp and tmp.startswith("/") else "/tmp")


def shadow_path(env: Mapping[str, str], name: str) -> Path:
    if not SHADOW_NAME.match(name):
        raise ShellError(f"invalid shadow CIB name '{name}': use letters, digits, '.', '_' and '-'")
    return shadow_dir(env) / f"shadow.{name}"


def shadow_source(env: Mapping[str, str], name: str, *, must_exist: bool = True) -> FileSource:
    path = shadow_path(env, name)
    if must_exist and not path.exists():
        former = _former_dir(env) / path.name
        hint = f"; crmshell once kept shadows in {former.parent}: move {former} to " \
            f"{path.parent}/ to use it" if former.exists() else ""
        raise ShellError(f"no shadow CIB named '{name}' (looked for {path}{hint})")
    return FileSource(path, name)


def _former_dir(env: Mapping[str, str]) -> Path:
    """Where crmshell kept shadows before it used Pacemaker's directory."""
    if os.geteuid() == 0:
        return Path("/var/lib/crmshell/shadow")
    state = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".local/state")
    return Path(state) / "crmshell" / "shadow"
