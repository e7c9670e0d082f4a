"""What `crmshell sandbox up|env|exec|status|down` do, on the shell's side of the sandbox.

`up` starts the supervisor detached (its own session, so the shell's exit or Ctrl-C does not
end the sandbox) and relays its progress; the other verbs read DIR/sandbox.json or ask the
supervisor over DIR/control.sock. Errors are SandboxError with the reason in words.
"""

from __future__ import annotations

import importlib.util
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from crmshell.sandbox import bare as bare_hosts
from crmshell.sandbox import layout as lay
from crmshell.sandbox.procs import tail
from daemon.agents.fence import sandbox_control as control

REPO = Path(__file__).resolve().parents[2]
DOWN_TIMEOUT_S = 15.0


class SandboxError(Exception):
    """A sandbox verb that cannot be done; the message says why and what to do."""


def load_state(directory: Path) -> dict:
    path = directory / lay.STATE_FILE
    try:
        state = json.loads(path.read_text())
    except FileNotFoundError:
        raise SandboxError(f"no sandbox in {directory} (start one with "
                           f"'crmshell sandbox up --dir {directory}')") from None
    except (OSError, ValueError) as err:
        raise SandboxError(f"{path}: unreadable sandbox state: {err}") from None
    if not isinstance(state, dict) or not isinstance(state.get("nodes"), list):
        raise SandboxError(f"{path}: not a sandbox state file")
    return state


def holder_alive(state: dict) -> bool:
    """Is the sandbox's holder (the unshare around the supervisor) still that process?"""
    pid = state.get("holder_pid")
    if not isinstance(pid, int) or pid <= 1:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"crmshell.sandbox.supervisor" in cmdline and str(state.get("dir")).encode() in cmdline


def node_entry(state: dict, name: str) -> dict:
    lay.node_index(name, int(state.get("count", len(state["nodes"]))))
    for entry in state["nodes"]:
        if entry.get("name") == name:
            return entry
    raise SandboxError(f"no node {name!r} in the sandbox state")


def daemon_prefix() -> list[str] | None:
    """How to start crmshelld here, or None while the daemon is not installed yet."""
    script = Path(sys.executable).with_name("crmshelld")
    if importlib.util.find_spec("daemon.main") is None:
        return None
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "daemon.main"]


def _check_free(directory: Path) -> None:
    state_path = directory / lay.STATE_FILE
    if state_path.exists() or (directory / lay.CONTROL_SOCKET).exists():
        try:
            state = load_state(directory)
        except SandboxError:
            state = {}
        if state and holder_alive(state):
            raise SandboxError(f"{directory} is in use by a running sandbox (supervisor "
                               f"{state.get('supervisor_pid')}); 'crmshell sandbox down --dir "
                               f"{directory}' ends it")
        remove_files(directory, int(state.get("count", lay.MAX_NODES)) if state else lay.MAX_NODES)


def _holder_argv(rootless: bool) -> list[str]:
    if rootless:
        return ["unshare", "--user", "--map-root-user", "--net", "--mount", "--fork",
                "--kill-child", "--"]
    return ["unshare", "--net", "--fork", "--kill-child", "--"]


def _check_bare(password: str | None) -> None:
    if os.geteuid() != 0:
        raise SandboxError("--bare needs root (it makes accounts and runs sshd)")
    if not os.access(bare_hosts.SSHD, os.X_OK):
        raise SandboxError(f"{bare_hosts.SSHD} is not installed (Debian: apt install "
                           "openssh-server)")
    for tool in ("ssh-keygen", "chpasswd", "useradd", "cp"):
        if shutil.which(tool) is None:
            raise SandboxError(f"{tool} is not installed (Debian: openssh-client, passwd, "
                               "coreutils)")
    if password is None:
        raise SandboxError("--bare: give --password or run on a terminal")
    why = bare_hosts.password_error(password)
    if why:
        raise SandboxError(f"--password: {why}")


def up(directory: Path, count: int, timeout: float, with_daemon: bool, say,
       token: int | None = lay.TOKEN_MS, quorum: tuple = (), bare: bool = False,
       password: str | None = None) -> dict:
    """Start a sandbox of `count` nodes in `directory` and return its state once the
    cluster has formed (with the daemons: once they agree on a DC). `token` is the totem
    token in ms, None for corosync's own timers; `quorum` votequorum's options
    (layout.parse_quorum). With `bare`, the nodes are plain hosts without a cluster
    (bare.py), ready once sshd (and the remote API) answer; `password` is hacluster's
    there, handed to the supervisor on its standard input."""
    layout = lay.Layout(directory, count, token, quorum)
    if shutil.which("corosync") is None:
        raise SandboxError("corosync is not installed (Debian: apt install corosync)")
    for tool in ("unshare", "nsenter", "ip"):
        if shutil.which(tool) is None:
            raise SandboxError(f"{tool} is not installed (Debian: util-linux, iproute2)")
    if bare:
        _check_bare(password)
        where = bare_hosts.dir_error(directory, layout)
        if where:
            raise SandboxError(where)
    _check_free(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    rootless = os.geteuid() != 0
    daemon = daemon_prefix() if with_daemon and not bare else None
    if daemon is None and with_daemon and not bare:
        say("crmshelld is not installed yet: starting corosync only")
    remote = bare and bare_hosts.has_remote(REPO)
    if bare and not remote:
        say("this crmshelld has no remote API yet (crmshelld --remote): the hosts run sshd "
            "only")
    argv = [*_holder_argv(rootless), sys.executable, "-m", "crmshell.sandbox.supervisor",
            str(directory), str(count), "--timeout", str(timeout),
            "--token", "default" if token is None else str(token)]
    if quorum:
        argv += ["--quorum", ",".join(f"{name}={value}" for name, value in quorum)]
    if daemon is not None:
        argv += ["--daemon", json.dumps(daemon)]
    if rootless:
        argv.append("--rootless")
    if bare:
        argv += ["--bare", "--password-stdin", *(["--remote"] if remote else [])]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p))
    with open(layout.supervisor_log, "ab") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE if bare else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=log, env=env,
                                start_new_session=True, cwd="/")
    try:
        if bare:
            _hand_over(proc, password or "")
        answer = _relay(proc, timeout + 10.0, layout, say)
    except BaseException:   # Ctrl-C included: nothing of a half-made sandbox stays
        _kill_holder(proc.pid)
        proc.wait(DOWN_TIMEOUT_S)
        remove_files(directory, count)
        raise
    finally:
        proc.stdout.close()
    if not answer.get("ok"):
        _kill_holder(proc.pid)
        proc.wait(DOWN_TIMEOUT_S)
        remove_files(directory, count)
        raise SandboxError(_explain(str(answer.get("error"))))
    return answer


def _hand_over(proc: subprocess.Popen, password: str) -> None:
    """The password to the supervisor through its standard input (a pipe: no argv, no file)."""
    try:
        proc.stdin.write(password.encode() + b"\n")
        proc.stdin.close()
    except BrokenPipeError:   # it ended already: _relay says why
        pass


def _relay(proc: subprocess.Popen, timeout: float, layout: lay.Layout, say) -> dict:
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                return {"ok": False, "error": f"the sandbox did not come up within "
                        f"{timeout:g} s"}
            line = proc.stdout.readline()
            if not line:
                return {"ok": False, "error": "the sandbox supervisor ended before the "
                        f"sandbox was up: {tail(layout.supervisor_log)}"}
            try:
                message = control.decode(line)
            except control.ControlError:
                continue
            if "event" not in message:
                return message


def _explain(error: str) -> str:
    if "Operation not permitted" in error or "unshare failed" in error:
        return (f"{error}\n(no permission to create namespaces: run as root, or allow "
                "unprivileged user namespaces: sysctl kernel.unprivileged_userns_clone=1 / "
                "user.max_user_namespaces)")
    return error


def _kill_holder(pid: int) -> None:
    """SIGKILL of the holder: --kill-child and the death signals end all the rest."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def down(directory: Path) -> bool:
    """Stop everything of the sandbox in `directory` and remove its files. False when
    there was nothing running there (the files are removed all the same)."""
    try:
        state = load_state(directory)
    except SandboxError:
        if not directory.exists():
            return False
        state = {}
    running = bool(state) and holder_alive(state)
    if running:
        try:
            control.request(directory, {"op": "down"}, timeout=DOWN_TIMEOUT_S)
        except control.ControlError:
            pass
        pid = state["holder_pid"]
        _kill_holder(pid)
        _wait_gone(pid, DOWN_TIMEOUT_S)
    remove_files(directory, int(state.get("count", lay.MAX_NODES)) if state else lay.MAX_NODES)
    return running


def _wait_gone(pid: int, timeout: float) -> None:
    """Wait until `pid` has ended. A zombie has ended: the holder's parent is whoever
    adopted it after `up` left, and when it reaps is its business."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:   # our child if `up` ran here
                return
        except ChildProcessError:
            pass
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return
        if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            return
        time.sleep(0.01)


def remove_files(directory: Path, count: int) -> None:
    """Remove what a sandbox writes, and DIR itself when nothing else is left in it (a
    --dir the user pointed at a directory of their own keeps their files)."""
    layout_names = [lay.STATE_FILE, lay.CONTROL_SOCKET, "authkey", "supervisor.log"]
    for name in layout_names:
        try:
            (directory / name).unlink()
        except FileNotFoundError:
            pass
    for name in ("ssh", "bin"):      # a bare sandbox's key and commands
        shutil.rmtree(directory / name, ignore_errors=True)
    for index in range(1, max(count, 1) + 1):
        shutil.rmtree(directory / lay.node_name(index), ignore_errors=True)
    try:
        directory.rmdir()
    except OSError:
        pass


def ask(directory: Path, message: dict, timeout: float = 60.0) -> dict:
    """The supervisor's answer to `message` (status, kill, start, partition, heal)."""
    state = load_state(directory)
    if not holder_alive(state):
        raise SandboxError(f"the sandbox in {directory} is not running any more (its "
                           f"supervisor is gone); 'crmshell sandbox down --dir {directory}' "
                           "removes what is left")
    try:
        return control.request(directory, message, timeout=timeout)
    except control.ControlError as err:
        raise SandboxError(str(err)) from None


def status(directory: Path) -> dict:
    return ask(directory, {"op": "status"}, timeout=10.0)


def exec_argv(directory: Path, name: str, command: list[str]) -> tuple[list[str], dict]:
    """The argv and environment that run `command` inside node `name`'s namespaces."""
    state = load_state(directory)
    entry = node_entry(state, name)
    if not holder_alive(state) or not entry.get("init_pid"):
        raise SandboxError(f"{name} is not running")
    if not command:
        raise SandboxError("sandbox exec: give a command after '--'")
    bare = bool(state.get("bare"))
    argv = [*lay.enter_argv(int(entry["init_pid"]), bool(state.get("rootless")), uts=bare),
            *command]
    if bare:   # a host of its own: crmshell finds the node's daemon at the default socket
        env = {k: v for k, v in os.environ.items()
               if k not in ("CRMSHELL_SOCKET", "CRMSHELL_SANDBOX_DIR")}
        return argv, env
    env = dict(os.environ, CRMSHELL_SOCKET=str(entry["socket"]),
               CRMSHELL_SANDBOX_DIR=str(directory))
    return argv, env
