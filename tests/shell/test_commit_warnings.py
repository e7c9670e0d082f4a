"""A commit warns about what its transaction changed, not again about every untouched,
already committed object (issue 10, item 10); `verify` still lists everything."""

from __future__ import annotations

WARNING = "warning: p1: interval in monitor should be larger than 0"


def test_commit_warns_only_about_changed_objects(shell):
    assert shell.run("configure", "property", "stonith-enabled=false").returncode == 0
    first = shell.run("configure", "primitive", "p1", "Dummy", "op", "monitor", "interval=0")
    assert first.returncode == 0 and WARNING in first.stderr, first.stderr
    second = shell.run("configure", "primitive", "p2", "Dummy")
    assert second.returncode == 0, second.stderr
    assert "p1" not in second.stderr
    assert WARNING in shell.run("configure", "verify").stderr
