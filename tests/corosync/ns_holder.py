"""Holds a private network + mount namespace and runs corosync in it on request.

Started by the test harness under `unshare --net --mount`: brings loopback up, mounts fresh
tmpfs on /run and /dev/shm (corosync's pid file, libqb's shared memory), then obeys one
command per line on stdin: `start`, `kill` (SIGKILL), `stop` (SIGTERM), each answered by one
line on stdout. When stdin closes (the test ended, or pytest itself died) it kills corosync
and exits, so nothing outlives the test run.

Usage: ns_holder.py COROSYNC_CONF
"""

from __future__ import annotations

import signal
import subprocess
import sys


def _setup() -> None:
    for argv in (["ip", "link", "set", "lo", "up"],
                 ["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/run"],
                 ["mount", "-t", "tmpfs", "-o", "mode=1777", "tmpfs", "/dev/shm"]):
        subprocess.run(argv, check=True, timeout=10)


def _end(proc: subprocess.Popen | None, sig: int) -> None:
    if proc is not None and proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def main(conf: str) -> None:
    _setup()
    print("ready", flush=True)
    corosync: subprocess.Popen | None = None
    try:
        for line in sys.stdin:
            command = line.strip()
            if command == "start":
                _end(corosync, signal.SIGKILL)
                corosync = subprocess.Popen(["corosync", "-f", "-c", conf],
                                            stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL)
                print(f"started {corosync.pid}", flush=True)
            elif command in ("kill", "stop"):
                _end(corosync, signal.SIGKILL if command == "kill" else signal.SIGTERM)
                code = corosync.returncode if corosync else None
                corosync = None
                print(f"ended {code}", flush=True)
            else:
                print(f"error unknown command {command!r}", flush=True)
    finally:
        _end(corosync, signal.SIGKILL)


if __name__ == "__main__":
    main(sys.argv[1])
