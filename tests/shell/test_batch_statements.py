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
