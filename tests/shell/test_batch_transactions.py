"""Batches are transactions: what fails is not committed, and nothing after it is applied."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.needs_agents

GOOD = """configure
property stonith-enabled=false
primitive d1 ocf:pacemaker:Dummy
commit
"""


def test_clean_batch_commits_and_exits_zero(shell):
    proc = shell.batch(GOOD)
    assert proc.returncode == 0, proc.stderr
    assert "primitive d1 ocf:pacemaker:Dummy" in shell.show()


def test_batch_without_commit_commits_at_the_end(shell):
    proc = shell.batch("configure\nproperty stonith-enabled=false\nprimitive d1 ocf:pacemaker:Dummy\n")
    assert proc.returncode == 0, proc.stderr
    assert "primitive d1" in shell.show()


def test_failed_command_blocks_its_transaction_and_everything_after(shell):
    before = shell.cib.read_bytes()
    proc = shell.batch("""configure
property stonith-enabled=false
primitive d1 ocf:pacemaker:Dummy
group g1 d1 nosuch
commit
primitive d2 ocf:pacemaker:Dummy
commit
""")
    assert proc.returncode == 1
    assert shell.cib.read_bytes() == before  # not even the first definitions
    assert re.search(r"^batch\.crm:4:1: group g1: resource nosuch does not exist$", proc.stderr, re.M)
    assert "    group g1 d1 nosuch" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "batch.crm: 1 error; nothing was committed"


def test_earlier_transactions_stay_committed(shell):
    proc = shell.batch(GOOD + """primitive d2 ocf:pacemaker:Dummy params bogus
commit
primitive d3 ocf:pacemaker:Dummy
""")
    assert proc.returncode == 1
    shown = shell.show()
    assert "primitive d1" in shown and "d2" not in shown and "d3" not in shown
    last = proc.stderr.strip().splitlines()[-1]
    assert last == ("batch.crm: 1 error; committed: lines 1-4; everything after line 4 "
                    "was not committed"), proc.stderr
    # the verify error points at the statement that defined the object
    assert 'batch.crm:5:1: error: d2: parameter "bogus" is not known' in proc.stderr


def test_all_errors_are_reported_even_after_a_failure(shell):
    proc = shell.batch("""configure
primitive d1 ocf:pacemaker:Dummy op
commit
location l1 d2
prim d3 ocf:pacemaker:Dummy
primtive d4 ocf:pacemaker:Dummy
""")
    assert proc.returncode == 1
    lines = [l for l in proc.stderr.splitlines() if l.startswith("batch.crm:")]
    where = [l.split(": ", 1)[0] for l in lines]
    assert where[:2] == ["batch.crm:2:36", "batch.crm:3:1"], proc.stderr
    assert any(w.startswith("batch.crm:4:") for w in where), proc.stderr
    assert any(l.startswith("batch.crm:6:1: unknown command 'primtive'; did you mean 'primitive'")
               for l in lines), proc.stderr
    assert not any(w.startswith("batch.crm:5:") for w in where), "a prefix is not an error"


def test_verify_errors_refuse_the_commit(shell):
    before = shell.cib.read_bytes()
    proc = shell.batch("configure\nprimitive d1 ocf:pacemaker:Dummy\ncommit\n")
    assert proc.returncode == 1
    assert "STONITH" in proc.stderr
    assert shell.cib.read_bytes() == before


def test_warnings_do_not_fail_a_batch(shell):
    proc = shell.batch("configure\nproperty stonith-enabled=false\n"
                       "primitive d1 ocf:pacemaker:Dummy op monitor interval=10s timeout=1s\n")
    assert proc.returncode == 0, proc.stderr
    assert "warning:" in proc.stderr


def test_standard_input_is_a_batch(shell):
    proc = shell.run(stdin=GOOD)
    assert proc.returncode == 0, proc.stderr
    assert "primitive d1" in shell.show()


def test_batch_comments_are_dropped_as_crmsh_drops_them(shell):
    """Issue 10, item 15: they were attached to the next object and printed by show."""
    proc = shell.batch(GOOD.replace("primitive d1", "# the first resource\nprimitive d1"))
    assert proc.returncode == 0, proc.stderr
    assert "primitive d1" in shell.show()
    assert "# the first resource" not in shell.show()
    assert "the first resource" not in shell.cib.read_text()


def test_a_bug_in_a_command_is_reported_and_nothing_is_committed(shell, monkeypatch):
    """An unexpected exception is a bug: said plainly at its line, the batch commits nothing."""
    import io

    from crmshell.levels import configure
    from crmshell.session import Session

    def broken(ctx, **kwargs):
        raise RuntimeError("boom")

    # (the command table keeps the level's methods, so the bug goes into what verify calls)
    monkeypatch.setattr(configure, "run_verify", broken)
    monkeypatch.delenv("CRMSHELL_DEBUG", raising=False)
    before = shell.cib.read_bytes()
    err = io.StringIO()
    session = Session.create(env=shell.env, out=io.StringIO(), err=err)
    status = session.batch(GOOD.replace("commit", "verify\ncommit"), "bug.crm")
    assert status == 1
    assert "bug.crm:4:1: internal error while running this statement: RuntimeError: boom" \
        in err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert shell.cib.read_bytes() == before
