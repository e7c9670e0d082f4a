"""`edit` through $EDITOR (with the language's mode line), and the pending-changes handler the
REPL installs, driven through the walker with a scripted `ask`."""

from __future__ import annotations

import io
import shlex
import shutil
import sys

import pytest

from crmshell.errors import ShellError
from crmshell.repl.pending import CHOICES, QUESTION, pending_handler, pick
from crmshell.session import Session


@pytest.fixture
def session(tmp_path, cib_path, shell_env):
    cib = tmp_path / "cib.xml"
    shutil.copy(cib_path, cib)
    env = {**shell_env, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    s = Session.create(cib_file=str(cib), interactive=True, env=env, out=io.StringIO(),
                       err=io.StringIO())
    return s, cib


def _editor(tmp_path, script: str) -> str:
    """A real program as $EDITOR: a Python one-liner run on the file's path."""
    path = tmp_path / "editor.py"
    path.write_text(script)
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(path))}"


def test_edit_runs_the_editor_on_a_crm_file_with_a_mode_line(session, tmp_path):
    s, _cib = session
    seen = tmp_path / "seen.crm"
    s.ctx.env["EDITOR"] = _editor(tmp_path, (
        "import sys, shutil\n"
        f"shutil.copy(sys.argv[1], {str(seen)!r})\n"
        "text = open(sys.argv[1]).read().replace('10.0.0.1', '10.0.0.9')\n"
        "open(sys.argv[1], 'w').write(text)\n"))
    s.ctx.ask = lambda question, choices: "no"
    s.walker.execute("configure")
    s.walker.execute("edit ip")
    written = seen.read_text()
    assert seen.suffix == ".crm" and written.startswith("primitive ip IPaddr2")
    assert written.endswith("# vim: set filetype=pcmk:\n")
    s.ctx.out.truncate(0)
    s.walker.execute("show ip")
    assert "ip=10.0.0.9" in s.ctx.out.getvalue()
    assert s.ctx.staged.find("ip") is not None and s.ctx.staged.has_changes()


def test_the_editor_preference_wins_over_EDITOR(session, tmp_path):
    s, _cib = session
    marker = tmp_path / "ran"
    s.ctx.env["EDITOR"] = "false"
    editor = _editor(tmp_path, f"open({str(marker)!r}, 'w').close()\n")
    s.walker.execute(f"options editor {shlex.quote(editor)}")
    s.ctx.ask = lambda question, choices: "no"
    s.walker.execute("configure edit ip")
    assert marker.exists()


def test_pending_changes_commit_discard_cancel(session):
    s, cib = session
    answers = []
    s.ctx.on_pending_changes = pending_handler(lambda q, c: (q, c) == (QUESTION, CHOICES) and answers.pop(0))
    s.walker.execute("configure")
    s.walker.execute("primitive d5 ocf:pacemaker:Dummy")
    answers.append("cancel")
    with pytest.raises(ShellError, match="staying in configure"):
        s.walker.execute("up")
    assert s.walker.path() == ["configure"]
    assert "+primitive d5 ocf:pacemaker:Dummy" in s.ctx.out.getvalue()
    answers.append("discard")
    s.walker.execute("up")
    assert s.walker.path() == [] and 'id="d5"' not in cib.read_text()
    answers.append("commit")
    s.walker.execute("configure primitive d6 ocf:pacemaker:Dummy")
    assert 'id="d6"' in cib.read_text()


def test_answers_by_unique_prefix():
    assert pick("C", CHOICES) is None  # commit or cancel
    assert pick("com", CHOICES) == "commit" and pick(" D ", CHOICES) == "discard"
    assert pick("", CHOICES) is None and pick("x", CHOICES) is None
