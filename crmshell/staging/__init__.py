"""The staged CIB: what `configure` edits before `commit` turns it into a patch."""
