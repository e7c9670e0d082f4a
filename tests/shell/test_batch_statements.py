"""Splitting batch input into logical statements."""

from crmshell.batch import statements


def test_continuations_blank_lines_and_comments():
    text = "configure\n\n# a comment\nprimitive p1 Dummy \\\n\top monitor interval=10s\ncommit\n"
    got = [(s.line, s.is_comment, s.text) for s in statements(text)]
    assert got == [
        (1, False, "configure"),
        (3, True, "# a comment"),
        (4, False, "primitive p1 Dummy \\\n\top monitor interval=10s"),
        (6, False, "commit"),
    ]


def test_a_level_named_on_the_command_line_runs_the_batch_on_stdin_there(shell):
    """`crmshell configure < FILE`, as crmsh: the statements run in configure and commit at
    the end; `crmshell status` with a pipe still runs status itself."""
    proc = shell.run("configure", stdin="property stonith-enabled=false\n"
                     "primitive piped ocf:heartbeat:Dummy\n")
    assert proc.returncode == 0, proc.stderr
    assert "primitive piped Dummy" in shell.show()
    proc = shell.run("configure", stdin="primitive broken ocf:heartbeat:Dummy params nosuch=1\n")
    assert proc.returncode == 1 and "<stdin>:1:1:" in proc.stderr, proc.stderr
    assert "broken" not in shell.show()
