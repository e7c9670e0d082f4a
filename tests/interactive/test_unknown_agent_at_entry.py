"""An agent that is not installed is said at once (issue 10, item 8), at the prompt and after
`edit`, as crmsh says "got no meta-data"; a batch leaves it to verify (said once)."""

from __future__ import annotations

import io
import shlex
import shutil
import sys

import pytest

from crmshell.session import Session


@pytest.fixture
def session(tmp_path, cib_path, shell_env):
    cib = tmp_path / "cib.xml"
    shutil.copy(cib_path, cib)
    env = {**shell_env, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    return Session.create(cib_file=str(cib), interactive=True, env=env, out=io.StringIO(),
                          err=io.StringIO())


def test_unknown_agent_is_said_when_typed(session):
    session.walker.execute("configure")
    session.walker.execute("primitive p9 ocf:heartbeat:NoSuchAgent")
    err = session.ctx.err.getvalue()
    assert "error: p9: ocf:heartbeat:NoSuchAgent: got no meta-data, does this agent exist?" in err
    session.walker.execute("primitive p8 ocf:pacemaker:Dummy")
    assert "p8" not in session.ctx.err.getvalue()


def test_unknown_agent_is_said_after_edit(session, tmp_path):
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\n"
                      "open(sys.argv[1], 'a').write('primitive p7 ocf:heartbeat:Nope\\n')\n")
    session.ctx.env["EDITOR"] = f"{shlex.quote(sys.executable)} {shlex.quote(str(editor))}"
    session.ctx.ask = lambda question, choices: "no"
    session.walker.execute("configure")
    session.walker.execute("edit")
    assert "p7: ocf:heartbeat:Nope: got no meta-data" in session.ctx.err.getvalue()


def test_a_batch_says_it_once_at_verify(tmp_path, cib_path, shell_env):
    cib = tmp_path / "cib.xml"
    shutil.copy(cib_path, cib)
    err = io.StringIO()
    s = Session.create(cib_file=str(cib), env=shell_env, out=io.StringIO(), err=err)
    s.batch("configure\nprimitive p9 ocf:heartbeat:NoSuchAgent\ncommit\n", "b.crm")
    assert err.getvalue().count("no such agent") == 1
    assert "got no meta-data" not in err.getvalue()
