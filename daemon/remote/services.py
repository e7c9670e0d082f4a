"""Starting, stopping and enabling the cluster's two services on this host: corosync, then
crmshelld (stopped in the other order, so resources stop while messages still flow).

Where systemd runs the host (/run/systemd/system exists) its units are used, as pcs and
crmsh do. Elsewhere (containers, the sandbox's bare hosts) the services run directly:
started in a session of their own so the SSH connection or remote request that started
them can end, with pid files under /run, and "enabled" kept as a file in the state
directory that `sandbox start` (a rebooted bare host) reads. Every program runs from an
argv list with a timeout.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SERVICES = ("corosync", "crmshelld")
STOP_TIMEOUT_S = 120.0      # crmshelld stops its resources first
START_TIMEOUT_S = 30.0
SYSTEMCTL_TIMEOUT_S = 150.0


class ServiceError(Exception):
    """A service that could not be started, stopped or looked at; the message says which
    and why (the tail of its output when it died at once)."""


@dataclass(frozen=True)
class ServicePaths:
    run_dir: Path = Path("/run/crmshell")
    corosync_pid: Path = Path("/run/corosync.pid")
    state_dir: Path = Path("/var/lib/crmshell")
    log_dir: Path = Path("/var/log/crmshell")
    corosync_conf: Path = Path("/etc/corosync/corosync.conf")

    @property
    def daemon_pid(self) -> Path:
        return self.run_dir / "crmshelld.pid"

    @property
    def enabled_file(self) -> Path:
        return self.state_dir / "enabled-services.json"

    @property
    def console(self) -> Path:
        return self.log_dir / "console.log"


def uses_systemd() -> bool:
    return Path("/run/systemd/system").is_dir()


def daemon_argv() -> list[str]:
    """crmshelld as installed beside this Python (its console script), else as a module."""
    script = Path(sys.executable).with_name("crmshelld")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "daemon.main"]


def _run(argv: list[str], timeout: float) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise ServiceError(f"{argv[0]} is not installed") from None
    except subprocess.TimeoutExpired:
        raise ServiceError(f"{' '.join(argv[:3])} did not finish within {timeout:g} s") from None


class Services:
    """The services of this host; `paths` are the defaults except in tests."""

    def __init__(self, paths: ServicePaths | None = None, systemd: bool | None = None) -> None:
        self.paths = paths or ServicePaths()
        self.systemd = uses_systemd() if systemd is None else systemd

    # ---- looking ---------------------------------------------------------------------------

    def active(self, name: str) -> bool:
        _check_name(name)
        if self.systemd:
            return _run(["systemctl", "is-active", "--quiet", _unit(name)], 10).returncode == 0
        return self._pid(name) is not None

    def enabled(self, name: str) -> bool:
        _check_name(name)
        if self.systemd:
            return _run(["systemctl", "is-enabled", "--quiet", _unit(name)], 10).returncode == 0
        return name in self._enabled_set()

    def status(self) -> dict:
        return {name: {"active": self.active(name), "enabled": self.enabled(name)}
                for name in SERVICES}

    # ---- changing --------------------------------------------------------------------------

    def start(self, names: tuple[str, ...] = SERVICES) -> list[str]:
        """Start those not running, corosync first; the names started."""
        started = []
        for name in SERVICES:
            if name in names and not self.active(name):
                if self.systemd:
                    self._systemctl("start", name)
                else:
                    self._spawn(name)
                started.append(name)
        return started

    def stop(self, names: tuple[str, ...] = SERVICES) -> list[str]:
        """Stop those running, crmshelld first; the names stopped."""
        stopped = []
        for name in reversed(SERVICES):
            if name in names and self.active(name):
                if self.systemd:
                    self._systemctl("stop", name)
                else:
                    self._terminate(name)
                stopped.append(name)
        return stopped

    def set_enabled(self, on: bool, names: tuple[str, ...] = SERVICES) -> None:
        for name in names:
            _check_name(name)
        if self.systemd:
            for name in names:
                self._systemctl("enable" if on else "disable", name)
            return
        wanted = self._enabled_set()
        wanted = wanted | set(names) if on else wanted - set(names)
        from daemon.atomic_write import write_atomically

        self.paths.state_dir.mkdir(parents=True, exist_ok=True, mode=0o750)
        write_atomically(self.paths.enabled_file,
                         json.dumps(sorted(wanted)).encode() + b"\n", new_mode=0o644)

    # ---- systemd ---------------------------------------------------------------------------

    def _systemctl(self, verb: str, name: str) -> None:
        done = _run(["systemctl", verb, _unit(name)], SYSTEMCTL_TIMEOUT_S)
        if done.returncode != 0:
            raise ServiceError(f"systemctl {verb} {_unit(name)} failed: "
                               f"{(done.stderr or done.stdout).strip() or done.returncode}")

    # ---- direct ----------------------------------------------------------------------------

    def _pid_file(self, name: str) -> Path:
        return self.paths.corosync_pid if name == "corosync" else self.paths.daemon_pid

    def _pid(self, name: str) -> int | None:
        try:
            pid = int(self._pid_file(name).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            return None
        wanted = b"corosync" if name == "corosync" else (b"crmshelld", b"daemon.main")
        words = cmdline.split(b"\0")
        if name == "corosync":
            return pid if any(w.endswith(wanted) for w in words[:1]) else None
        return pid if any(w.endswith(x) for w in words[:3] for x in wanted) else None

    def _enabled_set(self) -> set[str]:
        try:
            data = json.loads(self.paths.enabled_file.read_text())
        except (OSError, ValueError):
            return set()
        return {name for name in data if name in SERVICES} if isinstance(data, list) else set()

    def _spawn(self, name: str) -> None:
        paths = self.paths
        for directory in (paths.run_dir, paths.state_dir, paths.log_dir):
            directory.mkdir(parents=True, exist_ok=True, mode=0o750)
        if name == "corosync":
            argv = ["corosync", "-f", "-c", str(paths.corosync_conf)]
        else:
            argv = [*daemon_argv(), "--foreground"]
        with open(paths.console, "ab") as console:
            console.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {name}\n".encode())
            console.flush()
            try:
                proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=console,
                                        stderr=console, start_new_session=True, cwd="/",
                                        close_fds=True)
            except FileNotFoundError:
                raise ServiceError(f"{name}: {argv[0]} is not installed") from None
        if name == "crmshelld":
            from daemon.atomic_write import write_atomically

            write_atomically(paths.daemon_pid, f"{proc.pid}\n".encode(), new_mode=0o644)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise ServiceError(f"{name} exited at once with status {proc.returncode}: "
                                   f"{_tail(paths.console)}")
            if self._pid(name) == proc.pid or (name == "corosync" and self._pid(name)):
                # Whoever started it reaps it when it ends: a long-lived caller (the
                # remote API) would otherwise keep a zombie that looks running to pgrep.
                threading.Thread(target=proc.wait, name=f"reap-{name}", daemon=True).start()
                return
            time.sleep(0.02)
        raise ServiceError(f"{name} did not start within {START_TIMEOUT_S:g} s")

    def _terminate(self, name: str) -> None:
        pid = self._pid(name)
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._pid(name) != pid:
                break
            _reap(pid)
            time.sleep(0.02)
        else:
            raise ServiceError(f"{name} (pid {pid}) did not stop within {STOP_TIMEOUT_S:g} s")
        if name == "crmshelld":
            try:
                self.paths.daemon_pid.unlink()
            except FileNotFoundError:
                pass


def _reap(pid: int) -> None:
    """A service this process started (in a test, or a long-lived caller) is our child."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _unit(name: str) -> str:
    return f"{name}.service"


def _check_name(name: str) -> None:
    if name not in SERVICES:
        raise ServiceError(f"unknown service {name!r} (the cluster's services: "
                           f"{', '.join(SERVICES)})")


def _tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no output)"
    return " | ".join(text[-lines:]) or "(no output)"
