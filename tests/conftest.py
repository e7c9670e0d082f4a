"""Processes the tests start run this checkout's code.

The virtualenv's crmshell is an editable install of one checkout; a test in another one (a git
worktree) that runs `python -m crmshell` or the `crmshell` script from a scratch directory would
otherwise run that other checkout's code and test nothing of this one. PYTHONPATH comes before
the installed packages, and child processes inherit it.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = str(Path(__file__).resolve().parent.parent)
_rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != REPO]
os.environ["PYTHONPATH"] = os.pathsep.join([REPO, *_rest])
