"""Running crmsh's recorded language cases (../shared/conformance/crmsh) against crmshell.

Each case is applied to a copy of `empty-cib.xml` in a scratch directory with `-f`, then
`configure show` is taken and the `<configuration>` read back, as the cases' README says.
Comparison follows the README's rules; `compare_case` returns the list of differences.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from tests.shared_paths import CRMSH_CASES as CASES
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class CaseResult:
    name: str
    rc: int
    show: str
    xml: bytes
    stdout: str
    stderr: str
    cib_path: Path | None = None
    problems: list[str] = field(default_factory=list)


def case_names() -> list[str]:
    with open(CASES / "cases.tsv", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return [r[0] for r in rows[1:] if r and not r[0].startswith("#")]


def expected_rc(name: str) -> int:
    return int((CASES / f"{name}.rc").read_text().strip())


def normalise_lines(text: str) -> list[str]:
    out = []
    for line in ANSI.sub("", text).splitlines():
        line = re.sub(r"[ \t]+", " ", line).strip()
        if line:
            out.append(line)
    return out


def canonical(elem) -> bytes:
    """Canonical form of an element: comments and whitespace dropped, attributes sorted."""
    elem = etree.fromstring(etree.tostring(elem)) if not isinstance(elem, bytes) else etree.fromstring(elem)
    for node in list(elem.iter()):
        if not isinstance(node.tag, str):
            parent = node.getparent()
            if parent is not None:
                if node.tail and node.tail.strip():
                    pass
                parent.remove(node)
            continue
        node.text = None if node.text is None or not node.text.strip() else node.text
        node.tail = None
    return etree.tostring(elem, method="c14n")


def run_case(name: str, workdir: Path, run) -> CaseResult:
    """`run(args, cwd, env) -> (rc, stdout, stderr)` runs crmshell (in-process or as a process)."""
    shutil.copy(CASES / "empty-cib.xml", workdir / "cib.xml")
    shutil.copy(CASES / f"{name}.crm", workdir / f"{name}.crm")
    files = CASES / f"{name}.files"
    if files.is_dir():
        for item in files.iterdir():
            shutil.copy(item, workdir / item.name)
    env = {"CIB_file": str(workdir / "cib.xml"), "CIB_shadow_dir": str(workdir / "shadow")}
    rc, out, err = run(["-f", f"{name}.crm"], workdir, env)
    _, show, show_err = run(["configure", "show"], workdir, env)
    root = etree.parse(str(workdir / "cib.xml")).getroot()
    xml = etree.tostring(root.find("configuration"))
    return CaseResult(name, rc, show, xml, out, err + show_err, workdir / "cib.xml")


def compare_case(result: CaseResult) -> list[str]:
    name = result.name
    problems = []
    want_rc = expected_rc(name)
    # crmshell deliberately differs on cases where crmsh commits part of a failed batch: there
    # nothing may be committed (README, "Where crmshell deliberately differs").
    transactional_refusal = want_rc != 0
    if (want_rc == 0) != (result.rc == 0):
        problems.append(f"exit status {result.rc}, expected {want_rc}")
    if transactional_refusal:
        empty = etree.parse(str(CASES / "empty-cib.xml")).getroot().find("configuration")
        if canonical(result.xml) != canonical(empty):
            problems.append("the CIB changed although the batch failed")
        if normalise_lines(result.show):
            problems.append("show is not empty although the batch failed")
        return problems
    want_show = normalise_lines((CASES / f"{name}.show").read_text())
    got_show = normalise_lines(result.show)
    if want_show != got_show:
        import difflib

        diff = "\n".join(difflib.unified_diff(want_show, got_show, "expected", "crmshell", lineterm=""))
        problems.append(f"show differs:\n{diff}")
    want_xml = canonical((CASES / f"{name}.xml").read_bytes())
    if canonical(result.xml) != want_xml:
        import difflib

        a = etree.tostring(etree.fromstring(want_xml), pretty_print=True).decode().splitlines()
        b = etree.tostring(etree.fromstring(canonical(result.xml)), pretty_print=True).decode().splitlines()
        diff = "\n".join(difflib.unified_diff(a, b, "expected", "crmshell", lineterm=""))
        problems.append(f"xml differs:\n{diff}")
    out_file = CASES / f"{name}.out"
    if out_file.exists():
        want_out = [l for l in normalise_lines(out_file.read_text())]
        got_out = [l for l in normalise_lines(result.stdout)
                   if not re.match(r"^(ERROR|WARNING|INFO|DEBUG):", l)]
        if want_out != got_out:
            problems.append(f"stdout differs: expected {want_out!r}, got {got_out!r}")
    return problems


def in_process_runner():
    """Run crmshell in this process (fast), capturing its streams."""
    import os

    from crmshell.session import Session

    def run(args, cwd, env):
        out, err = io.StringIO(), io.StringIO()
        old = os.getcwd()
        full_env = dict(os.environ)
        full_env.pop("CIB_shadow", None)
        full_env.update(env)
        os.chdir(cwd)
        try:
            session = Session.create(env=full_env, out=out, err=err)
            if args[0] == "-f":
                text = Path(args[1]).read_text()
                rc = session.batch(text, args[1])
            else:
                rc = session.one_shot(args)
        finally:
            os.chdir(old)
        return rc, out.getvalue(), err.getvalue()

    return run
