"""Where the session's CIB lives, behind one interface: a CIB file, a shadow CIB, or the
live cluster through crmshelld.

The session builds its source once (`choose.session_source`); everything that reads or
writes the CIB goes through `load()` and `commit()`, so the resource and node levels work
the same on a file and on a running cluster. The compare-and-swap lives with whoever owns
the CIB: a file source re-reads under a lock, the daemon checks a patch's base itself.
"""
