"""Whatever is typed, a command either works or says what is wrong: never a traceback.

Random statements are drawn from the shell's own vocabulary (levels, commands, the ids in the
CIB, keywords) mixed with odd words, and run against a staged copy of a real configuration.
Commands that start other programs (edit, filter) are left out.
"""

from __future__ import annotations

import io
import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmshell.errors import reportable
from crmshell.session import Session
from crmshell.ui.walker import QuitSession
from tests.shared_paths import CRMSH_CASES

pytestmark = pytest.mark.needs_agents

VOCABULARY = [
    "configure", "cib", "ra", "options", "status", "resource", "node", "cd", "..", "up", "ls",
    "help", "show", "xml", "verify", "commit", "force", "delete", "rename", "modgroup", "add",
    "remove", "after", "before", "set", "erase", "nodes", "load", "save", "update", "replace",
    "push", "refresh", "simulate", "scores", "get-property", "default-timeouts", "new", "use",
    "list", "diff", "reset", "classes", "providers", "info", "primitive", "group", "clone", "ms",
    "location", "colocation", "order", "property", "rsc_defaults", "tag", "type:primitive",
    "related:d1", "changed", "and", "or", "d1", "d2", "g1", "p1", "st", "c1", "node1", "inf:",
    "100:", "Mandatory:", "params", "meta", "op", "monitor", "interval=10s", "ocf:heartbeat:Dummy",
    "Dummy", "d1.state", "d1.monitor.timeout", "rule", "#uname", "eq", "(", ")", "[", "]", "{",
    "}", "-", "=", "'", '"', "\\", "$id=x", "@x", "stonith-enabled=false", "nosuch", "",
]
EXCLUDED = {"edit", "filter", "quit", "exit", "bye"}

LEVELS = ["configure", "cib", "ra", "options", "status", "resource", "node", "cluster", ""]
COMMANDS = [w for w in VOCABULARY if w not in LEVELS] + ["cd /", "cd ..", "up", "end", "back"]
word = st.one_of(st.sampled_from(VOCABULARY), st.sampled_from(VOCABULARY),
                st.sampled_from(VOCABULARY), st.text(alphabet="abc:=.-'\"\\ $@#()", max_size=6))
# a level (or none), a command, then arguments: what people type, and its near misses
statement = st.tuples(st.sampled_from(LEVELS), st.sampled_from(COMMANDS),
                      st.lists(word, max_size=5)).map(
    lambda t: " ".join(w for w in (t[0], t[1], *t[2]) if w))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz")
    shutil.copy(CRMSH_CASES / "empty-cib.xml", path / "cib.xml")
    text = (CRMSH_CASES / "commit-rename.crm").read_text()
    env = dict(os.environ, CIB_file=str(path / "cib.xml"), CIB_shadow_dir=str(path / "sh"),
               XDG_CONFIG_HOME=str(path / "cfg"), XDG_STATE_HOME=str(path / "state"))
    session = Session.create(env=env, out=io.StringIO(), err=io.StringIO())
    assert session.batch(text, "setup.crm") == 0, session.ctx.err.getvalue()
    return path, env


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(statement, min_size=1, max_size=4))
def test_random_statements_never_raise_anything_else(workdir, statements):
    path, env = workdir
    if any(w in EXCLUDED for s in statements for w in s.split()):
        return
    shutil.copy(path / "cib.xml", path / "work.xml")
    session = Session.create(env=dict(env, CIB_file=str(path / "work.xml")),
                             out=io.StringIO(), err=io.StringIO())
    old = os.getcwd()
    os.chdir(path)
    try:
        for text in statements:
            try:
                session.walker.execute(text)
            except QuitSession:
                break
            except reportable():
                session.ctx.transaction.failed = False
        try:
            session.walker.leave_all()
        except reportable():
            pass
    finally:
        os.chdir(old)
