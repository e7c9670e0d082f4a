"""The REPL through a real pseudo-terminal (pexpect): Tab completion, Ctrl-C, Ctrl-D, the
pending-changes question, continuation lines, and history that survives a restart.

Each test starts `crmshell` with TERM=xterm, private HOME and XDG directories and CIB_file
pointing at a copy of the fixture CIB. prompt_toolkit's cursor-position request is switched
off (PROMPT_TOOLKIT_NO_CPR) because nothing answers it in a pty.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

CRMSHELL = Path(sys.executable).with_name("crmshell")
TIMEOUT = 20
ROOT_PROMPT = "crmshell(cib.xml)#"  # prompt_toolkit moves the cursor past the space
CONF_PROMPT = "crmshell(cib.xml)configure#"


@pytest.fixture
def shell(tmp_path, cib_path, shell_env):
    """Start crmshell in a pty; yields a function that starts it (again)."""
    from tests.interactive.conftest import private_env

    cib = tmp_path / "cib.xml"
    shutil.copy(cib_path, cib)
    env = private_env(tmp_path)
    env["XDG_CACHE_HOME"] = shell_env["XDG_CACHE_HOME"]  # agents' meta-data already cached
    env.update(TERM="xterm", CIB_file=str(cib), PROMPT_TOOLKIT_NO_CPR="1", EDITOR="true",
               NO_COLOR="1")  # plain text to match; test_show_is_coloured drops it
    children = []

    def start():
        child = pexpect.spawn(str(CRMSHELL), [], env=env, cwd=str(tmp_path), encoding="utf-8",
                              timeout=TIMEOUT, dimensions=(40, 200))
        children.append(child)
        child.expect_exact(ROOT_PROMPT)
        return child

    start.env = env
    start.cib = cib
    yield start
    for child in children:
        if child.isalive():
            child.terminate(force=True)


def _enter_configure(child):
    child.sendline("configure")
    child.expect_exact(CONF_PROMPT)


@pytest.mark.needs_agents
def test_tab_completes_agents_and_parameters(shell):
    child = shell()
    _enter_configure(child)
    child.send("primitive ip ocf:heartbeat:IP")
    child.send("\t")
    child.expect_exact("IPaddr2")
    child.send("addr2 params ")
    child.send("\t")
    child.expect_exact("ip=")
    child.expect_exact("IPv4 or IPv6 address")  # the parameter's description in the menu
    child.send("\x03")  # Ctrl-C cancels the line
    child.expect_exact(CONF_PROMPT)
    child.sendline("show ip")
    child.expect_exact("primitive ip IPaddr2")  # the fixture's ip, not the cancelled line
    child.expect_exact(CONF_PROMPT)


def test_ctrl_c_does_not_exit_and_ctrl_d_leaves_the_level(shell):
    child = shell()
    child.send("some half-typed line")
    child.send("\x03")
    child.expect_exact(ROOT_PROMPT)
    child.sendline("ls")
    child.expect(r"configure\s+level")
    child.expect_exact(ROOT_PROMPT)
    _enter_configure(child)
    child.send("\x04")  # Ctrl-D on an empty line: up one level
    child.expect_exact(ROOT_PROMPT)
    child.send("\x04")  # at the top: leave
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_leaving_configure_with_changes_asks(shell):
    child = shell()
    _enter_configure(child)
    child.sendline("primitive d9 ocf:pacemaker:Dummy")
    child.expect_exact(CONF_PROMPT)
    child.sendline("up")
    child.expect_exact("+primitive d9 ocf:pacemaker:Dummy")  # the diff of what is pending
    child.expect_exact("[commit/discard/cancel]")
    child.sendline("cancel")
    child.expect_exact(CONF_PROMPT)  # still in configure, changes kept
    child.sendline("end")
    child.expect_exact("[commit/discard/cancel]")
    child.sendline("co")
    child.expect_exact(ROOT_PROMPT)
    assert 'id="d9"' in shell.cib.read_text()
    child.sendline("quit")
    child.expect(pexpect.EOF)


def test_quit_with_changes_asks_and_discard_drops_them(shell):
    child = shell()
    child.sendline("configure primitive d7 ocf:pacemaker:Dummy")  # one-shot: asks on return
    child.expect_exact("[commit/discard/cancel]")
    child.sendline("discard")
    child.expect_exact(ROOT_PROMPT)
    assert 'id="d7"' not in shell.cib.read_text()


def test_continuation_lines(shell):
    child = shell()
    _enter_configure(child)
    child.send("primitive d8 \\\r")
    child.expect_exact(">")
    child.send("ocf:pacemaker:Dummy\r")
    child.expect_exact(CONF_PROMPT)
    child.sendline("show d8")
    child.expect_exact("primitive d8 ocf:pacemaker:Dummy")


def test_history_survives_a_restart(shell):
    child = shell()
    child.sendline("help scores")
    child.expect_exact("INFINITY")
    child.expect_exact(ROOT_PROMPT)
    child.send("\x04")  # leave with Ctrl-D, so the last line in the history is the help
    child.expect(pexpect.EOF)
    history = Path(shell.env["XDG_STATE_HOME"]) / "crmshell" / "history"
    assert "help scores" in history.read_text()
    child = shell()
    child.send("\x1b[A")  # up arrow: the last line of the previous session
    child.expect_exact("help scores")
    child.send("\r")
    child.expect_exact("INFINITY")


def test_needs_daemon_levels_say_so(shell):
    child = shell()
    child.sendline("cluster join")
    child.expect_exact("give a node of it with -c SEED")
    child.sendline("resource restart ip")
    child.expect(re.escape("needs the crmshell node daemon"))
    child.expect_exact(ROOT_PROMPT)


def test_show_is_coloured_on_the_terminal_unless_no_color(shell):
    del shell.env["NO_COLOR"]
    child = shell()
    child.sendline("configure show d1")
    child.expect(r"\x1b\[[0-9;]*m\s*primitive")
    child.expect_exact(ROOT_PROMPT)


def test_help_level_command_inside_a_level(shell):
    """`help configure primitive` typed inside configure (issue 10, item 13) prints the
    primitive's help, as `help primitive` does there; and a command of another level."""
    child = shell()
    _enter_configure(child)
    child.sendline("help configure primitive")
    child.expect_exact("usage: primitive <id>")
    child.expect_exact("see also:")
    child.expect_exact(CONF_PROMPT)
    child.sendline("help resource move")
    child.expect_exact("usage: move <rsc>")
    child.expect_exact(CONF_PROMPT)
    child.sendline("primitive --help")
    child.expect_exact("usage: primitive <id>")
    child.expect_exact(CONF_PROMPT)
