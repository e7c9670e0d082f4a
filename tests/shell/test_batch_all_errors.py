"""A batch reports all its errors in one run (issue 10, item 7): a parse error or a refused
definition no longer hides what verify would have said about the rest of the transaction."""

from __future__ import annotations

BATCH = """\
configure
property stonith-enabled=false
primitive p1 ocf:heartbeat:NoSuchAgent
primitive p2 ocf:heartbeat:Dummy params bogus=1
group g1 p2 missing
primitive p3 ocf:heartbeat:Dummy meta target-role=Sleeping
primitive p4 ocf:heartbeat:Dummy op monitor interval=banana
primitive bad syntax here = =
commit
"""


def test_parse_error_does_not_hide_the_verify_errors(shell):
    before = shell.cib.read_bytes()
    proc = shell.batch(BATCH)
    assert proc.returncode == 1
    err = proc.stderr
    for line, fragment in [(5, "resource missing does not exist"),
                           (8, "expected <name>=<value>"),
                           (3, "NoSuchAgent: no such agent"),
                           (4, 'parameter "bogus" is not known'),
                           (6, "'Sleeping' is not one of"),
                           (7, "'banana' is not a duration")]:
        assert f"batch.crm:{line}:" in err and fragment in err, (fragment, err)
    assert "6 errors; nothing was committed" in err
    assert shell.cib.read_bytes() == before


def test_without_commit_the_dropped_transaction_is_verified_too(shell):
    proc = shell.batch(BATCH.replace("commit\n", ""))
    assert proc.returncode == 1
    assert "NoSuchAgent: no such agent" in proc.stderr
    assert "6 errors; nothing was committed" in proc.stderr
