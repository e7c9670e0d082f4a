"""Scheduler inputs for `cib import`: a CIB file, or a saved scheduler input found by name or
number in Pacemaker's directory of them (pe-input-*.bz2 and the like), decompressed."""

from __future__ import annotations

import bz2
from pathlib import Path
from typing import Mapping

from crmshell.errors import ShellError

DEFAULT_PE_DIR = "/var/lib/pacemaker/pengine"


def pe_dir(env: Mapping[str, str]) -> Path:
    """Where Pacemaker keeps scheduler inputs (CRMSHELL_PE_DIR overrides it)."""
    return Path(env.get("CRMSHELL_PE_DIR") or DEFAULT_PE_DIR)


def find_input(name: str, env: Mapping[str, str]) -> Path:
    """The file `name`, else (a bare name or number) the one scheduler input it names:
    `<name>`, `<name>.bz2` or `pe-*-<name>.bz2` in the inputs' directory."""
    path = Path(name)
    if path.is_file():
        return path
    if "/" in name:
        raise ShellError(f"{name}: no such file")
    folder = pe_dir(env)
    for pattern in (name, f"{name}.bz2", f"pe-*-{name}.bz2"):
        found = sorted(folder.glob(pattern))
        if len(found) > 1:
            raise ShellError(f"more than one {name} scheduler input: "
                             + " ".join(str(f) for f in found))
        if found:
            return found[0]
    raise ShellError(f"no file {name}, and no {name} scheduler input in {folder}")


def read_input(path: Path):
    """The <cib> element of a CIB file or a (bz2-compressed) scheduler input."""
    from daemon.cib.document import parse_cib
    from daemon.cib.errors import CibError

    try:
        data = path.read_bytes()
        if path.suffix == ".bz2":
            data = bz2.decompress(data)
        return parse_cib(data, source=str(path))
    except OSError as err:
        raise ShellError(f"cannot read {path}: {err.strerror or err}") from None
    except ValueError as err:        # bz2's "invalid data stream"
        raise ShellError(f"{path}: cannot decompress it: {err}") from None
    except CibError as err:
        raise ShellError(str(err)) from None
