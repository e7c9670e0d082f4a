"""Runs the real crm (crmsh 4.4) on a configuration, as the oracle for the renderer tests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CIB_TEMPLATE = (
    '<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" '
    'admin_epoch="0"><configuration>%s</configuration><status/></cib>\n')


class CrmFailed(Exception):
    """crm refused the configuration (typically: it does not validate against the schema)."""


def crm_available() -> bool:
    return shutil.which("crm") is not None and shutil.which("cibadmin") is not None


def cib_document(configuration_inner: str) -> str:
    return _CIB_TEMPLATE % configuration_inner


def crm_show(configuration_inner: str, *args: str, timeout: float = 60) -> str:
    """`crm configure show [args]` on a scratch CIB file holding the configuration."""
    with tempfile.TemporaryDirectory(prefix="render-oracle-") as scratch:
        cib = Path(scratch) / "cib.xml"
        cib.write_text(cib_document(configuration_inner))
        env = dict(os.environ, CIB_file=str(cib), HOME=scratch)
        proc = subprocess.run(["crm", "configure", "show", *args], env=env, cwd=scratch,
                              capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, check=False)
    # crm logs syntax errors while it tries its own text; those objects are shown as xml
    if proc.returncode != 0 or "Traceback" in proc.stderr or "Missing requirements" in proc.stderr:
        raise CrmFailed(proc.stderr.strip()[-2000:])
    return _ANSI.sub("", proc.stdout)
