"""What every connection to a corosync service has in common: one handle, its fd, its end.

Corosync's client libraries share one shape (`<prefix>_fd_get`, `<prefix>_dispatch`,
`<prefix>_finalize` on a uint64 handle), and the binding treats their callbacks alike:
the ctypes callback only copies what the library lends it into a queue (through `_guard`,
which keeps an exception from being swallowed by ctypes), and `_dispatch()` hands the
queued events to the Python callbacks after the library call has returned. So a callback's
exception propagates normally, a callback may send or close, and an event not yet handed
over when a callback raised stays queued for the next dispatch: none lost, none reordered.
"""

from __future__ import annotations

import collections
import ctypes
from collections.abc import Callable

from daemon.corosync import libs
from daemon.corosync.errors import (
    CS_ERR_BAD_HANDLE, CS_ERR_TRY_AGAIN, CS_OK, CorosyncError, CorosyncUnavailable, check,
    check_connect,
)


class ServiceHandle:
    """Base of the per-library connections; subclasses open the handle and set `_open`."""

    _prefix = ""  # "cpg_", "quorum_", "corosync_cfg_", ...

    def __init__(self) -> None:
        self._handle = libs.handle_t(0)
        self._open = False
        self._fd: int | None = None
        self._queue: collections.deque = collections.deque()
        self._copy_error: BaseException | None = None
        self._handlers: dict[type, Callable] = {}

    def _lib(self) -> ctypes.CDLL:
        raise NotImplementedError

    def _connect(self, function: str, *args) -> None:
        """Open the handle with `function(&handle, *args)`; corosync absent or starting is
        `CorosyncUnavailable` (see `check_connect`)."""
        rc = getattr(self._lib(), function)(ctypes.byref(self._handle), *args)
        check_connect(function, rc)
        self._open = True

    def _call(self, name: str, *args) -> int:
        """Call `<prefix><name>(handle, *args)` and return its cs_error_t."""
        return getattr(self._lib(), self._prefix + name)(self._handle, *args)

    def _checked(self, name: str, *args) -> None:
        self._require_open()
        check(self._prefix + name, self._call(name, *args))

    def _guard(self, make_event: Callable[[], object]) -> None:
        """Run inside a ctypes callback: queue what `make_event()` copies, keep its error."""
        try:
            event = make_event()
            if event is not None:
                self._queue.append(event)
        except BaseException as exc:  # noqa: BLE001 - ctypes would print and drop it
            if self._copy_error is None:
                self._copy_error = exc

    def _require_open(self) -> None:
        if not self._open:
            raise CorosyncError(self._prefix.rstrip("_"), CS_ERR_BAD_HANDLE,
                                "the connection is closed")

    def fileno(self) -> int:
        """The descriptor that becomes readable when `dispatch()` has something to do."""
        self._require_open()
        if self._fd is None:
            fd = ctypes.c_int(-1)
            check(self._prefix + "fd_get", self._call("fd_get", ctypes.byref(fd)))
            self._fd = fd.value
        return self._fd

    @property
    def has_pending(self) -> bool:
        """Events copied from the library but not handed to a callback yet."""
        return bool(self._queue)

    def dispatch(self) -> None:
        """Take everything corosync has for us and call the callbacks, in order.

        Raises `CorosyncUnavailable` once the connection is dead (events received before
        that are still handed over first), or whatever a callback raised.
        """
        self._require_open()
        rc = self._call("dispatch", libs.CS_DISPATCH_ALL)
        copy_error, self._copy_error = self._copy_error, None
        while self._queue and self._open:
            event = self._queue.popleft()
            self._handlers[type(event)](event)
        if copy_error is not None:
            raise copy_error
        if rc not in (CS_OK, CS_ERR_TRY_AGAIN):  # TRY_AGAIN: nothing was pending
            raise CorosyncUnavailable(self._prefix + "dispatch", rc,
                                      "lost the connection to corosync")

    def close(self) -> None:
        """Finalise the handle; idempotent, and quiet on a connection that is already dead."""
        if not self._open:
            return
        self._open = False
        self._queue.clear()
        self._call("finalize")

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
