"""The command framework shared by the REPL, one-shot argv and batch input."""
