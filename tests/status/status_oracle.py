"""Running Pacemaker's crm_mon on a CIB file, and putting our output next to its.

crm_mon cannot be given a time: it prints the current one ("Last updated", and reads the
clock for failure expiry). So the comparison takes `now` from crm_mon's own output and
renders ours at that second; nothing else is normalised. Pacemaker 2.1.5 does not know
Pacemaker 3's option names (fencing-enabled...), so crm_mon gets a copy of the CIB with
their 2.1 names, which our side reads the same either way.

Text must match byte for byte. XML is compared as a tree (tags, attributes, children in
order), ignoring only what the clock and the command line decide (<last_update time>,
the root's `request`), and a difference is reported by its XML path.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from daemon.cib.options import cluster_option
from daemon.status.options import StatusOptions
from daemon.status.simple import render_simple
from daemon.status.text import render_text
from daemon.status.timefmt import parse_ctime
from daemon.status.xml import render_xml

CRM_MON = shutil.which("crm_mon")
TIMEOUT_S = 30

# option set name -> (crm_mon flags, our options)
OPTION_SETS: dict[str, tuple[list[str], StatusOptions]] = {
    "-1": ([], StatusOptions()),
    "-r": (["-r"], StatusOptions(inactive=True)),
    "-n": (["-n"], StatusOptions(group_by_node=True)),
    "-n -r": (["-n", "-r"], StatusOptions(group_by_node=True, inactive=True)),
    "-o": (["-o"], StatusOptions(operations=True)),
    "-f": (["-f"], StatusOptions(failcounts=True)),
    "-t": (["-t"], StatusOptions(timing=True)),
    "-A": (["-A"], StatusOptions(node_attributes=True)),
    "-R -r": (["-R", "-r"], StatusOptions(detail=True, inactive=True)),
    "-c -L": (["-c", "-L"], StatusOptions(tickets=True, neg_locations="")),
    "-Q -r": (["-Q", "-r"], StatusOptions(quiet=True, inactive=True)),
    "-b": (["-b"], StatusOptions(brief=True)),
    "-b -r": (["-b", "-r"], StatusOptions(brief=True, inactive=True)),
    "-n -b -r": (["-n", "-b", "-r"], StatusOptions(group_by_node=True, brief=True,
                                                   inactive=True)),
    "-s": (["-s"], StatusOptions(output="simple")),
    "-D": (["-D"], StatusOptions(hide_headers=True)),
    "xml": (["--output-as=xml"], StatusOptions()),
}
_UPDATED = re.compile(r'Last updated: (.*)|<last_update time="([^"]*)"')


@dataclass
class Outcome:
    case: str
    option_set: str
    same: bool
    oracle_failed: bool = False     # crm_mon could not read the CIB (schema too new)
    diff: str = ""


def oracle_copy(cib_text: str, workdir: Path, name: str) -> Path:
    """The CIB as crm_mon 2.1.5 reads it: Pacemaker 3 option names spelled the 2.1 way."""
    root = etree.fromstring(cib_text.encode())
    for nvpair in root.iterfind("configuration/crm_config//nvpair"):
        spec = cluster_option(nvpair.get("name") or "")
        if spec is not None and spec.name != nvpair.get("name"):
            nvpair.set("name", spec.name)
    path = workdir / f"{name}.xml"
    path.write_bytes(etree.tostring(root))
    os.chmod(path, 0o600)
    return path


def run_crm_mon(cib_path: Path, flags: list[str]) -> tuple[str | None, int]:
    """crm_mon's output (None when it could not read the CIB) and the second it ran at."""
    started = int(time.time())
    result = subprocess.run([CRM_MON, "-1", *flags], env={**os.environ, "CIB_file": str(cib_path)},
                            capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    if result.returncode != 0 or not result.stdout.strip() or "<errors>" in result.stdout:
        return None, started
    return result.stdout, started


def ours(cib_text: str, option_set: str, now: int) -> str:
    flags, options = OPTION_SETS[option_set]
    root = etree.fromstring(cib_text.encode())
    if option_set == "xml":
        return render_xml(root, now=now, options=options,
                          request=" ".join([CRM_MON, "-1", *flags])).decode()
    render = render_simple if options.output == "simple" else render_text
    return "\n".join(render(root, now=now, options=options)) + "\n"


def compare(case: str, cib_text: str, option_set: str, expected: str | None,
            ran_at: int) -> Outcome:
    """Our output at crm_mon's second next to crm_mon's (its "Last updated" when shown)."""
    if expected is None:
        return Outcome(case, option_set, False, oracle_failed=True)
    match = _UPDATED.search(expected)
    now = parse_ctime(match.group(1) or match.group(2)) if match else ran_at
    actual = ours(cib_text, option_set, now)
    if option_set == "xml":
        difference = xml_difference(etree.fromstring(expected.encode()),
                                    etree.fromstring(actual.encode()))
        return Outcome(case, option_set, difference is None, diff=difference or "")
    if actual == expected:
        return Outcome(case, option_set, True)
    diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                        "crm_mon", "ours", n=1))
    return Outcome(case, option_set, False, diff=diff)


# Attributes the clock or the command line sets, by element.
_IGNORED = {"last_update": {"time"}, "pacemaker-result": {"request"}}


def xml_difference(theirs, mine, path: str = "") -> str | None:
    """The first place two crm_mon XML trees differ, as 'PATH: what', or None (PATH as
    '/pacemaker-result/nodes/node[2]')."""
    here = path or f"/{theirs.tag}"
    if theirs.tag != mine.tag:
        return f"{path}: <{theirs.tag}> expected, <{mine.tag}> found"
    ignored = _IGNORED.get(theirs.tag, set())
    expected = [(k, v) for k, v in theirs.attrib.items() if k not in ignored]
    actual = [(k, v) for k, v in mine.attrib.items() if k not in ignored]
    if expected != actual:
        return f"{here}: attributes {expected} expected, {actual} found"
    if (theirs.text or "").strip() != (mine.text or "").strip():
        return f"{here}: text {theirs.text!r} expected, {mine.text!r} found"
    if len(theirs) != len(mine):
        return (f"{here}: {len(theirs)} children {[c.tag for c in theirs]} expected, "
                f"{len(mine)} {[c.tag for c in mine]} found")
    for index, (a, b) in enumerate(zip(theirs, mine), 1):
        found = xml_difference(a, b, f"{here}/{a.tag}[{index}]")
        if found is not None:
            return found
    return None


def scratch_dir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="crmshell-status-")
