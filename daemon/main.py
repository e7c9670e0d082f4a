"""`crmshelld`: the node daemon's command line.

In the foreground (as systemd and the sandbox run it) it logs to its file and standard
error; otherwise it detaches first, as daemons started by hand do. With --remote it serves
only the remote API (pcsd's role) and never imports the cluster node's machinery.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from daemon import logs
from daemon.pidfile import remove_pid_file, write_pid_file
from daemon.settings import from_argv


def main(argv: list[str] | None = None) -> int:
    settings = from_argv(sys.argv[1:] if argv is None else argv)
    if not settings.remote:
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
    if settings.remote:
        return _run_remote(settings, log)
    if not settings.foreground:
        _detach()
    from daemon.node import Node

    return _run(settings, log, "crmshelld", lambda: Node(settings).run())


def _run_remote(settings, log) -> int:
    """Only the remote API: no corosync, no CIB, none of the node's machinery imported."""
    from daemon.remote.pam import install_pam_service
    from daemon.remote.server import RemoteServer, SetupError

    server = RemoteServer(settings.remote_dir, address=settings.remote_address,
                          port=settings.remote_port, group=settings.access_group)
    try:
        server.bind()           # a taken port or a bad identity reaches the terminal
    except SetupError as err:
        log.critical("crmshelld --remote: %s", err)
        if not settings.foreground:
            print(f"crmshelld: {err}", file=sys.stderr)
        return 1
    try:
        installed = install_pam_service()
    except OSError as err:
        log.warning("cannot install the PAM service file /etc/pam.d/crmshell: %s", err.strerror)
    else:
        if installed is not None:
            log.info("installed the PAM service file %s", installed)
    if not settings.foreground:
        _detach()
    return _run(settings, log, "crmshelld --remote", lambda: _serve_remote(server, log))


async def _serve_remote(server, log) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, logs.reopen, log)
    await server.start()
    await stop.wait()
    log.info("remote API stopping")
    await server.close()
    return 0


def _run(settings, log, name: str, coroutine) -> int:
    """Run the daemon's loop (after detaching) with its pid file written around it."""
    if settings.pid_file is not None:
        try:
            write_pid_file(settings.pid_file)
        except OSError as err:
            log.warning("cannot write pid file %s: %s", settings.pid_file, err.strerror)
    try:
        return asyncio.run(coroutine())
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # noqa: BLE001 - the one place a failure reaches the user
        log.critical("%s failed: %s", name, err, exc_info=True)
        return 1
    finally:
        if settings.pid_file is not None:
            remove_pid_file(settings.pid_file)


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

