"""Progress of a bootstrap command, one line per host and step: `node2: writing
corosync.conf ... done`, or `... failed` and the cause on the next line, so a failure says
the host, the step and why. Steps that were done are remembered with their undo, so a
half-finished join or add is rolled back in reverse order and a retry starts clean.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager


class StepFailed(Exception):
    """`host`: `step` failed because `cause` (the message says all three)."""

    def __init__(self, host: str, step: str, cause: str) -> None:
        super().__init__(f"{host}: {step} failed: {cause}")
        self.host = host
        self.step = step
        self.cause = cause


class Progress:
    def __init__(self, write: Callable[[str], None], clock=time.monotonic) -> None:
        self._write = write
        self._clock = clock
        self._undo: list[tuple[str, str, Callable[[], None]]] = []
        self.started = clock()

    def elapsed(self) -> float:
        return self._clock() - self.started

    def say(self, text: str) -> None:
        self._write(text)

    @contextmanager
    def step(self, host: str, what: str):
        """Report `host: what ... done|failed`; an exception inside becomes StepFailed."""
        from crmshell.bootstrap.peers import PeerError

        start = self._clock()
        try:
            yield
        except StepFailed:
            self._write(f"{host}: {what} ... failed")
            raise
        except PeerError as err:
            self._write(f"{host}: {what} ... failed")
            raise StepFailed(host, what, err.reason) from None
        except Exception as err:   # noqa: BLE001 - any cause is reported with its step
            self._write(f"{host}: {what} ... failed")
            raise StepFailed(host, what, _cause(err)) from None
        took = self._clock() - start
        self._write(f"{host}: {what} ... done" + (f" ({took:.1f} s)" if took >= 1.0 else ""))

    def on_failure(self, host: str, what: str, undo: Callable[[], None]) -> None:
        """Remember how to undo a step that was done, for rollback()."""
        self._undo.append((host, what, undo))

    def rollback(self) -> list[str]:
        """Undo the steps done, last first; the failures of the undo itself are reported
        and returned (a rollback goes on past them)."""
        problems = []
        while self._undo:
            host, what, undo = self._undo.pop()
            try:
                undo()
            except Exception as err:   # noqa: BLE001
                problems.append(f"{host}: undoing '{what}' failed: {_cause(err)}")
                self._write(f"{host}: undoing {what} ... failed: {_cause(err)}")
            else:
                self._write(f"{host}: undoing {what} ... done")
        return problems

    def commit(self) -> None:
        self._undo.clear()


def _cause(err: Exception) -> str:
    text = str(err).strip()
    return text or type(err).__name__
