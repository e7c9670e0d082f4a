"""Starting and ending the sandbox's processes: argv lists, timeouts, death tied to the parent.

Every long-lived child is started with PR_SET_PDEATHSIG=SIGKILL, so the supervisor's death
(even by SIGKILL) takes its children with it; `unshare --kill-child` carries that one level
further, to each node's PID 1, whose end the kernel turns into the end of the whole node.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
from pathlib import Path

STEP_TIMEOUT_S = 10.0
PR_SET_PDEATHSIG = 1


class StepError(RuntimeError):
    """A step of setting up the sandbox failed; the message says which and why."""


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def run(argv: list[str], what: str, stdin: bytes | None = None,
        timeout: float = STEP_TIMEOUT_S, ok: tuple[int, ...] = (0,)) -> str:
    """Run a short step; StepError says `what` failed (an exit status not in `ok`), with
    the program's own words."""
    try:
        done = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout,
                              check=False, stdin=None if stdin is not None else subprocess.DEVNULL)
    except FileNotFoundError:
        raise StepError(f"{what}: {argv[0]} is not installed") from None
    except subprocess.TimeoutExpired:
        raise StepError(f"{what}: {argv[0]} did not finish within {timeout:g} s") from None
    if done.returncode not in ok:
        said = (done.stderr or done.stdout).decode(errors="replace").strip()
        raise StepError(f"{what}: {' '.join(argv[:3])} failed (exit {done.returncode})"
                        + (f": {said}" if said else ""))
    return done.stdout.decode(errors="replace")


def spawn(argv: list[str], output: Path | None = None, env: dict[str, str] | None = None,
          pipes: bool = False) -> subprocess.Popen:
    """Start a child that dies with us. `pipes`: stdin/stdout are pipes (node_init's
    protocol); otherwise both outputs are appended to `output`."""
    if pipes:
        return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, preexec_fn=_die_with_parent)
    with open(output if output is not None else os.devnull, "ab") as out:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                env=env, preexec_fn=_die_with_parent)


def end(proc: subprocess.Popen | None, timeout: float = STEP_TIMEOUT_S) -> None:
    """SIGKILL `proc` if it still runs and reap it."""
    if proc is None:
        return
    if proc.poll() is None:
        try:
            proc.kill()
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        pass


def tail(path: Path, size: int = 1500) -> str:
    """The end of a log, for an error message that must say why without a second look."""
    try:
        return path.read_text(errors="replace")[-size:].strip() or "(no output)"
    except OSError:
        return "(no output)"


def log_errors(path: Path, most: int = 8) -> str | None:
    """The last critical and error lines of a corosync log (which says why it exited when
    its console says nothing), or None when it has none."""
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return None
    found = [line for line in lines if " crit " in line or " error " in line]
    return "\n".join(found[-most:]) or None


def only_child(pid: int) -> int | None:
    """The child of `pid` (unshare's forked PID 1 of the new namespace), if it has one."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        text = ""
    children = text.split()
    if children:
        return int(children[0])
    for entry in Path("/proc").iterdir():   # kernels without the children file
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == pid:
                return int(entry.name)
    return None
