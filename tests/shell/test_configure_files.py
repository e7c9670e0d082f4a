"""edit, load (replace/update/push, text and XML), save, refresh and ra, end to end."""

from __future__ import annotations

import io
import os
import stat
import sys

import pytest

from crmshell.session import Session

pytestmark = pytest.mark.needs_agents

BASE = """configure
property stonith-enabled=false
primitive d1 ocf:pacemaker:Dummy
primitive d2 ocf:pacemaker:Dummy
group g1 d1 d2
commit
"""


def test_save_and_load_replace_round_trip(shell):
    assert shell.batch(BASE).returncode == 0
    before = shell.show()
    proc = shell.batch("configure\nsave saved.crm\nerase\nload replace saved.crm\ncommit\n")
    assert proc.returncode == 0, proc.stderr
    assert shell.show() == before


def test_save_xml_and_load_xml_update(shell):
    assert shell.batch(BASE).returncode == 0
    assert shell.run("configure", "save", "xml", "d1", "out.xml").returncode == 0
    text = (shell.workdir / "out.xml").read_text()
    assert "<primitive" in text and 'id="d1"' in text
    (shell.workdir / "out.xml").write_text(text.replace('type="Dummy"', 'type="Stateful"', 1))
    proc = shell.run("configure", "load", "xml", "update", "out.xml")
    assert proc.returncode == 0, proc.stderr
    assert "primitive d1 ocf:pacemaker:Stateful" in shell.show()


def test_load_push_removes_what_the_file_does_not_have(shell):
    assert shell.batch(BASE).returncode == 0
    (shell.workdir / "push.crm").write_text(
        "property stonith-enabled=false\nprimitive d3 ocf:pacemaker:Dummy\n")
    proc = shell.run("configure", "load", "push", "push.crm")
    assert proc.returncode == 0, proc.stderr
    shown = shell.show()
    assert "primitive d3" in shown and "d1" not in shown and "g1" not in shown


def test_load_from_standard_input(shell):
    proc = shell.run("configure", "load", "update", "-",
                     stdin="property stonith-enabled=false\nprimitive d9 ocf:pacemaker:Dummy\n")
    assert proc.returncode == 0, proc.stderr
    assert "primitive d9" in shell.show()


def test_load_of_a_bad_file_changes_nothing(shell):
    assert shell.batch(BASE).returncode == 0
    before = shell.cib.read_bytes()
    (shell.workdir / "bad.crm").write_text("primitive d5 ocf:pacemaker:Dummy\nlocation l1 d5\n")
    proc = shell.run("configure", "load", "update", "bad.crm")
    assert proc.returncode == 1
    assert "bad.crm:2:" in proc.stderr
    assert shell.cib.read_bytes() == before


def test_save_to_standard_output(shell):
    assert shell.batch(BASE).returncode == 0
    proc = shell.run("configure", "save", "g1", "-")
    assert proc.stdout == "group g1 d1 d2\n"


def test_ra_level(shell):
    proc = shell.run("ra", "info", "ocf:heartbeat:IPaddr2")
    assert proc.returncode == 0, proc.stderr
    assert "ip*" in proc.stdout or "ip (string)" in proc.stdout
    assert "ocf" in shell.run("ra", "classes").stdout
    assert "Dummy" in shell.run("ra", "list", "ocf", "pacemaker").stdout
    bad = shell.run("ra", "info", "ocf:heartbeat:NoSuchAgent")
    assert bad.returncode == 1 and "NoSuchAgent" in bad.stderr


def _editor(tmp_path, script: str) -> str:
    path = tmp_path / "editor.sh"
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def _session(shell, editor, answers):
    env = dict(shell.env, EDITOR=editor)
    out, err = io.StringIO(), io.StringIO()
    session = Session.create(env=env, out=out, err=err, interactive=False)
    session.ctx.options.interactive = True
    asked = []

    def ask(question, choices):
        asked.append(question)
        return answers.pop(0)

    session.ctx.ask = ask
    return session, asked, err


def test_edit_applies_the_edited_text(shell, tmp_path):
    assert shell.batch(BASE).returncode == 0
    editor = _editor(tmp_path, "sed -i 's/group g1 d1 d2/group g1 d2 d1/' \"$1\"")
    session, asked, err = _session(shell, editor, [])
    session.walker.execute("configure")
    session.walker.execute("edit g1")
    session.walker.execute("commit")
    assert "group g1 d2 d1" in shell.show()
    assert not asked


def test_edit_with_an_error_offers_to_edit_again(shell, tmp_path):
    assert shell.batch(BASE).returncode == 0
    counter = tmp_path / "count"
    # first round: break the group; second round: fix it
    editor = _editor(tmp_path, f"""if [ -e {counter} ]; then
  sed -i 's/group g1 .*/group g1 d2 d1/' "$1"
else
  touch {counter}; sed -i 's/group g1 d1 d2/group g1 d1 nosuch/' "$1"
fi""")
    session, asked, err = _session(shell, editor, ["yes"])
    session.walker.execute("configure")
    session.walker.execute("edit g1")
    assert asked == ["Edit again?"]
    assert "nosuch does not exist" in err.getvalue()
    session.walker.execute("commit")
    assert "group g1 d2 d1" in shell.show()


def test_edit_with_a_syntax_error_offers_to_edit_again(shell, tmp_path):
    assert shell.batch(BASE).returncode == 0
    editor = _editor(tmp_path, "sed -i 's/group g1 d1 d2/location l1 g1/' \"$1\"")
    session, asked, err = _session(shell, editor, ["no"])
    session.walker.execute("configure")
    with pytest.raises(Exception, match="edit discarded"):
        session.walker.execute("edit g1")
    assert asked == ["Edit again?"]
    assert ":1:" in err.getvalue()  # the parse error names the line in the edited file
    assert not session.ctx.staged.has_changes()


def test_edit_refused_in_a_batch(shell):
    proc = shell.batch("configure\nedit\n")
    assert proc.returncode == 1
    assert "edit needs an interactive terminal" in proc.stderr


def test_refresh_drops_staged_changes(shell):
    assert shell.batch(BASE).returncode == 0
    proc = shell.batch("configure\nprimitive d7 ocf:pacemaker:Dummy\nrefresh\ncommit\n")
    assert proc.returncode == 0, proc.stderr
    assert "d7" not in shell.show()


def test_get_property_gives_values_and_defaults(shell):
    assert shell.batch(BASE).returncode == 0
    proc = shell.run("configure", "get-property", "stonith-enabled", "no-quorum-policy")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["false", "stop"]
    assert shell.run("configure", "get-property", "-t", "fencing-enabled").stdout == "false\n"
    bad = shell.run("configure", "get-property", "no-such-option")
    assert bad.returncode == 1 and "no-such-option" in bad.stderr


def test_default_timeouts_take_the_agents_advice(shell):
    assert shell.batch(BASE.replace("primitive d1 ocf:pacemaker:Dummy",
                                    "primitive d1 ocf:heartbeat:Delay op monitor interval=10s"))\
        .returncode == 0
    proc = shell.run("configure", "default-timeouts", "d1")
    assert proc.returncode == 0, proc.stderr
    shown = shell.show()
    # Delay advises start 30s, stop 30s, monitor 30s (its meta-data)
    assert "op monitor interval=10s timeout=30s" in shown, shown
    assert "op start timeout=30s interval=0" in shown
    assert "op stop timeout=30s interval=0" in shown
    refused = shell.run("configure", "default-timeouts", "g1")
    assert refused.returncode == 1 and "not a primitive" in refused.stderr
