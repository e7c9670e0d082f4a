"""`crmshelld`: the node daemon's command line.

In the foreground (as systemd and the sandbox run it) it logs to its file and standard
error; otherwise it detaches first, as daemons started by hand do.
"""

from __future__ import annotations

import asyncio
import os
import sys

from daemon import logs
from daemon.settings import from_argv


def main(argv: list[str] | None = None) -> int:
    settings = from_argv(sys.argv[1:] if argv is None else argv)
    try:
        settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o750)
    except OSError as err:
        print(f"crmshelld: cannot use state directory {settings.state_dir}: {err.strerror}",
              file=sys.stderr)
        return 1
    try:
        log = logs.setup(settings.log_file, stderr=settings.foreground, debug=settings.debug)
    except OSError as err:
        print(f"crmshelld: cannot open log file {settings.log_file}: {err.strerror}",
              file=sys.stderr)
        return 1
    if not settings.foreground:
        _detach()
    from daemon.node import Node

    try:
        return asyncio.run(Node(settings).run())
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # noqa: BLE001 - the one place a failure reaches the user
        log.critical("crmshelld failed: %s", err, exc_info=True)
        return 1


def _detach() -> None:
    """The classic double fork: no controlling terminal, not a process group leader."""
    if os.fork() > 0:
        os._exit(0)
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def console() -> None:
    sys.exit(main())


if __name__ == "__main__":
    console()

