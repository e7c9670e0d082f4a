"""The daemon's log: a file (re-opened on SIGHUP, for logrotate) and, in the foreground,
standard error. Lines carry time, level and the part of the daemon speaking."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

FORMAT = "%(asctime)s.%(msecs)03d %(name)s %(levelname)s: %(message)s"
DATEFMT = "%Y-%m-%d %H:%M:%S"


def setup(log_file: Path | None, *, stderr: bool, debug: bool) -> logging.Logger:
    root = logging.getLogger("crmshelld")
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    root.propagate = False
    root.handlers.clear()
    formatter = logging.Formatter(FORMAT, DATEFMT)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        handler = logging.handlers.WatchedFileHandler(log_file, encoding="utf-8")
        handler.setFormatter(formatter)
        root.addHandler(handler)
        try:
            os.chmod(log_file, 0o640)
        except OSError:
            pass
    if stderr or log_file is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(formatter)
        root.addHandler(handler)
    return root


def reopen(logger: logging.Logger) -> None:
    """SIGHUP: let a rotated log file be replaced by a new one."""
    for handler in logger.handlers:
        if isinstance(handler, logging.handlers.WatchedFileHandler):
            handler.reopenIfNeeded()
