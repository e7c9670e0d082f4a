"""A long line the terminal wraps is not marked as a continuation line (issue 10, item 16):
only the lines after one ended in a backslash start with `> `. Through a real pty, 60 columns
wide; the rows are read from prompt_toolkit's output with its escape sequences taken out."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from crmshell.repl.prompt import continuation

pexpect = pytest.importorskip("pexpect")

CRMSHELL = Path(sys.executable).with_name("crmshell")
PROMPT = "crmshell(cib.xml)#"
COLUMNS = 60
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|[\x07\x08]")


@pytest.fixture
def narrow(tmp_path, cib_path, shell_env):
    from tests.interactive.conftest import private_env

    cib = tmp_path / "cib.xml"
    shutil.copy(cib_path, cib)
    env = private_env(tmp_path)
    env["XDG_CACHE_HOME"] = shell_env["XDG_CACHE_HOME"]
    env.update(TERM="xterm", CIB_file=str(cib), PROMPT_TOOLKIT_NO_CPR="1", NO_COLOR="1")
    child = pexpect.spawn(str(CRMSHELL), [], env=env, cwd=str(tmp_path), encoding="utf-8",
                          timeout=20, dimensions=(30, COLUMNS))
    child.expect_exact(PROMPT)
    yield child
    if child.isalive():
        child.terminate(force=True)


def _rows_until(child, marker: str) -> list[str]:
    """The screen rows written until `marker` shows (escape sequences removed)."""
    child.expect_exact(marker)
    text = _ESCAPES.sub("", child.before + marker)
    return [row.strip("\r") for row in text.split("\n")]


def test_a_wrapped_line_has_no_marker_and_a_continued_one_has(narrow):
    long_line = "configure primitive " + "x" * 70 + "END"
    narrow.send(long_line)
    rows = _rows_until(narrow, "END")
    assert any(row.endswith("xEND") for row in rows), rows  # it did wrap: the end is alone
    assert not [row for row in rows if row.startswith(">")], rows
    narrow.send("\x03")
    narrow.expect_exact(PROMPT)
    narrow.send("configure primitive d5 \\\r")
    narrow.send("ocf:pacemaker:Dummy MARK")
    rows = _rows_until(narrow, "MARK")
    assert any(row.startswith(">") and row.endswith("Dummy MARK") for row in rows), rows
    narrow.send("\x03")
    narrow.expect_exact(PROMPT)


@pytest.mark.parametrize("line_number,wrap_count,expected", [
    (1, 0, "> "), (3, 0, "> "), (0, 1, ""), (1, 2, "")])
def test_the_continuation_text(line_number, wrap_count, expected):
    assert continuation(20, line_number, wrap_count) == expected
