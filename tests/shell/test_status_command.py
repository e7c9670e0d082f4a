"""`status` alone on a CIB file (issue 10, item 5): the cluster summary crm_mon prints, and a
clear refusal when there is no CIB file at all."""

from __future__ import annotations

import re


def _summary_lines(text: str) -> list[str]:
    """The lines that do not depend on the clock."""
    return [line for line in text.splitlines() if "Last updated" not in line]


def test_bare_status_prints_the_cluster_summary(shell):
    assert shell.run("configure", "property", "stonith-enabled=false").returncode == 0
    proc = shell.run("status")
    assert proc.returncode == 0, proc.stderr
    lines = _summary_lines(proc.stdout)
    assert lines[0] == "Cluster Summary:"
    assert "  * 0 nodes configured" in lines
    assert _summary_lines(shell.run("status", "show").stdout) == lines


def test_status_of_a_missing_cib_file_says_so(shell):
    shell.cib.unlink()
    proc = shell.run("status")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert re.search(r"cib\.xml: there is no CIB file: no cluster status to show", proc.stderr)
    assert not shell.cib.exists()
