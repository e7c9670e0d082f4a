"""Error quotes escape what the terminal must not see (issue 10, item 11): ESC and BEL from
the input, and bytes that were not UTF-8, are written as \\xNN escapes."""

from __future__ import annotations

import os
import subprocess
import sys

from crmshell.ui.words import printable


def test_printable_escapes_control_characters_and_undecodable_bytes():
    assert printable("p\x1b[31mX\x07") == "p\\x1b[31mX\\x07"
    assert printable(b"p\x81".decode("utf-8", "surrogateescape")) == "p\\x81"
    assert printable("plain\ttext") == "plain\ttext"


def test_command_line_error_quotes_no_raw_escape(shell):
    proc = shell.run("configure", "primitive", "p\x1b[31mX\x07", "Dummy")
    assert proc.returncode == 1
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr
    assert "p\\x1b[31mX\\x07" in proc.stderr


def test_undecodable_argument_is_shown_as_its_byte(shell):
    argv = [sys.executable, "-m", "crmshell", "configure", "primitive", b"p\x81", "Dummy"]
    proc = subprocess.run(argv, capture_output=True, env=shell.env, cwd=shell.workdir,
                          timeout=60, check=False)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1
    assert "\\udc81" not in err and "p\\x81" in err, err
