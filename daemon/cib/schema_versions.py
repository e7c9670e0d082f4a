"""The CIB's `validate-with`: the schema versions known, and upgrading a document to the
newest of them as `cibadmin --upgrade` does.

crmshell validates every document with one grammar (grammars/cib.rng, the union of the
versions); the version names are what Pacemaker's tools read. The newest one here is the
one crmshell writes in new CIBs, the newest Pacemaker 2.1 reads. Crossing a major version
(1.x -> 2.0, 2.x -> 3.0) changes syntax, which Pacemaker does with XSL transforms shipped
with its schemas; those files are used from Pacemaker's schema directory when a document
needs them (lxml runs them).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping

from daemon.cib.errors import CibError

KNOWN = tuple(
    [f"pacemaker-1.{minor}" for minor in (0, 2, 3)]
    + [f"pacemaker-2.{minor}" for minor in range(0, 11)]
    + [f"pacemaker-3.{minor}" for minor in range(0, 10)])
NEWEST = KNOWN[-1]
SPECIAL = ("pacemaker-next", "none")
DEFAULT_SCHEMA_DIR = "/usr/share/pacemaker"
# The transforms that take a document of the given major version to the next one.
_TRANSFORMS = {1: ("upgrade-1.3.xsl",),
               2: ("upgrade-2.10-enter.xsl", "upgrade-2.10.xsl", "upgrade-2.10-leave.xsl")}
_VERSION = re.compile(r"^pacemaker-(\d+)\.(\d+)$")


def version_of(name: str | None) -> tuple[int, int] | None:
    """(major, minor) of 'pacemaker-X.Y'; None for anything else."""
    found = _VERSION.match(name or "")
    return (int(found.group(1)), int(found.group(2))) if found else None


def schema_dir(env: Mapping[str, str]) -> Path:
    """Where Pacemaker's schemas and transforms are (PCMK_schema_directory, as its tools)."""
    return Path(env.get("PCMK_schema_directory") or DEFAULT_SCHEMA_DIR)


def upgrade(root, env: Mapping[str, str] = os.environ) -> tuple[str, str]:
    """Bring a <cib> to NEWEST in place, transforming it across major versions; returns
    (old validate-with, new). CibError when it cannot (no known version, a transform
    missing or failing)."""
    from lxml import etree

    old = root.get("validate-with") or "pacemaker-1.0"
    current = version_of(old)
    if current is None:
        raise CibError(f"cannot upgrade from validate-with '{old}': not a schema version "
                       f"(known: {KNOWN[0]} ... {NEWEST})")
    if current > version_of(NEWEST):
        raise CibError(f"validate-with is {old}, newer than {NEWEST}, the newest crmshell knows")
    tree = root.getroottree()
    for major in sorted(m for m in _TRANSFORMS if m >= current[0] and m < version_of(NEWEST)[0]):
        for name in _TRANSFORMS[major]:
            path = schema_dir(env) / name
            try:
                transform = etree.XSLT(etree.parse(str(path)))
                tree = transform(tree)
            except OSError:
                raise CibError(f"upgrading from {old} needs Pacemaker's transform {path}, "
                               "which is not installed") from None
            except (etree.XSLTError, etree.XMLSyntaxError) as err:
                raise CibError(f"{path}: the transform failed: {err}") from None
    upgraded = tree.getroot()
    if upgraded is not root:                # the transforms' layout goes: parsed afresh
        from daemon.cib.document import parse_cib
        upgraded = parse_cib(etree.tostring(upgraded), source="<upgraded CIB>")
        root.attrib.clear()
        root.attrib.update(upgraded.attrib)
        root[:] = list(upgraded)
    root.set("validate-with", NEWEST)
    return old, NEWEST
