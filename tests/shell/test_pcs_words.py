"""`did you mean` proposes only close words, and pcs words get the crmshell command that does
it (issue 10, item 14)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("argv, hint", [
    (("resource", "create", "p1", "ocf:heartbeat:Dummy"), "configure primitive"),
    (("constraint", "location"), "configure location|colocation|order"),
    (("property", "set", "stonith-enabled=false"), "configure property <name>=<value>"),
    (("stonith", "list"), "ra list stonith"),
])
def test_pcs_words_get_the_crmshell_command(shell, argv, hint):
    proc = shell.run(*argv)
    assert proc.returncode == 1
    assert "(that is pcs)" in proc.stderr and hint in proc.stderr, proc.stderr
    assert "migrate" not in proc.stderr


def test_close_misspellings_still_get_a_suggestion(shell):
    proc = shell.run("resource", "stauts")
    assert "did you mean 'status'?" in proc.stderr


def test_an_unrelated_word_gets_no_suggestion(shell):
    proc = shell.run("resource", "frobnicate")
    assert "unknown command 'frobnicate'" in proc.stderr and "did you mean" not in proc.stderr
