"""The asyncio side of the local API: one task per connection, requests answered in order.

Every connection is its own task, so a client that stops reading, or sends half a frame,
only ever stalls itself. Faults are contained at the connection: a bad frame is answered
(where the framing still allows) and the connection closed; an exception in dispatch is
logged and answered as "internal"; the server keeps serving.
"""

from __future__ import annotations

import asyncio
import fcntl
import grp
import inspect
import logging
import os
import stat
from collections import deque
from pathlib import Path

from daemon.api.auth import Caller, authorize, peer_caller
from daemon.api.errors import ApiError
from daemon.api.frames import (EVENT, KIND_NAMES, MAX_BODY, MAX_HEADER, REPLY, REQUEST,
                               FrameError, FrameReader, encode_frame)
from daemon.api.protocol import Reply, parse_request

log = logging.getLogger("crmshelld.api")

CHUNK = 256 * 1024
REFUSAL_WAIT = 5.0          # how long a refused caller gets to send the request we answer


class SocketBusy(RuntimeError):
    """The socket path is taken: a live daemon answers there, or it is not a socket."""


class _Closing(Exception):
    """This connection is done (the peer left, or stopped reading)."""


class ApiServer:
    def __init__(self, path, dispatch, *, access_group: str = "haclient",
                 max_body: int = MAX_BODY, max_header: int = MAX_HEADER,
                 socket_mode: int = 0o660, write_timeout: float = 30.0):
        self.path = Path(path)
        self.dispatch = dispatch
        self.access_group = access_group
        self.max_body = max_body
        self.max_header = max_header
        self.socket_mode = socket_mode
        self.write_timeout = write_timeout
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task] = set()
        self._lock_fd: int | None = None
        self._inode: int | None = None

    @property
    def connections(self) -> int:
        return len(self._tasks)

    async def start(self) -> None:
        parent = self.path.parent
        if not parent.exists():
            parent.mkdir(parents=True, mode=0o750)
            self._give_to_group(parent)
        self._lock()
        try:
            await self._clear_stale()
            self._server = await asyncio.start_unix_server(self._serve, path=str(self.path))
        except BaseException:
            self._unlock()
            raise
        os.chmod(self.path, self.socket_mode)
        self._give_to_group(self.path)
        self._inode = os.stat(self.path).st_ino
        log.info("local API listening on %s", self.path)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        try:
            if self._inode is not None and os.stat(self.path).st_ino == self._inode:
                os.unlink(self.path)
        except FileNotFoundError:
            pass
        self._inode = None
        self._unlock()

    # -- the socket path ---------------------------------------------------------------

    def _lock(self) -> None:
        """Two daemons starting at once must not both decide the socket is stale."""
        fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise SocketBusy(f"{self.path}: another crmshelld holds {self.path}.lock") from None
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    async def _clear_stale(self) -> None:
        try:
            mode = os.lstat(self.path).st_mode
        except FileNotFoundError:
            return
        if not stat.S_ISSOCK(mode):
            raise SocketBusy(f"{self.path} exists and is not a socket; not removing it")
        if await _answers(self.path):
            raise SocketBusy(f"{self.path}: a daemon already answers there")
        os.unlink(self.path)
        log.info("removed stale socket %s (nothing listened on it)", self.path)

    def _give_to_group(self, path: Path) -> None:
        """Members of the access group must reach the socket; the daemon runs as root."""
        try:
            os.chown(path, -1, grp.getgrnam(self.access_group).gr_gid)
        except (KeyError, PermissionError):
            pass

    # -- connections -------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        task = asyncio.current_task()
        self._tasks.add(task)
        abort = False
        try:
            caller = peer_caller(writer.get_extra_info("socket"))
            try:
                authorize(caller, self.access_group)
            except ApiError as err:
                log.warning("refused pid %d: %s", caller.pid, err)
                await self._refuse(reader, writer, err)
                return
            await self._converse(reader, writer, caller)
        except (_Closing, ConnectionError, asyncio.CancelledError):
            abort = True        # a peer that stopped reading, a lost peer, the server closing
        except Exception:
            log.exception("local API connection failed")
        finally:
            await self._hang_up(writer, abort)
            self._tasks.discard(task)

    async def _hang_up(self, writer, abort: bool) -> None:
        """Close after the last reply is flushed, but never wait on a peer that does not read:
        a transport closed with unsent data would otherwise hold its descriptor forever."""
        transport = writer.transport
        if abort or transport.get_write_buffer_size() == 0:
            transport.abort() if abort else transport.close()
            return
        transport.close()
        try:
            await asyncio.wait_for(writer.wait_closed(), self.write_timeout)
        except Exception:           # timed out or the peer went away: drop what is left
            transport.abort()

    async def _converse(self, reader, writer, caller: Caller) -> None:
        frames = FrameReader(self.max_header, self.max_body)
        queue: deque = deque()
        while True:
            while not queue:
                data = await reader.read(CHUNK)
                if not data:
                    if frames.pending():
                        log.debug("pid %d left %d bytes into a frame", caller.pid, frames.pending())
                    return
                try:
                    queue.extend(frames.feed(data))
                except FrameError as err:
                    await self._frame_fault(writer, err, caller)
                    return
            if not await self._answer(queue.popleft(), caller, reader, writer):
                return

    async def _frame_fault(self, writer, err: FrameError, caller: Caller) -> None:
        log.warning("bad frame from pid %d (%s): %s", caller.pid, caller.user, err)
        await self._send_error(writer, _request_id(err.header),
                               ApiError(err.code, str(err), {"field": err.field}), close=True)

    async def _answer(self, frame, caller: Caller, reader, writer) -> bool:
        """Answer one request; False when the connection must end afterwards."""
        rid = _request_id(frame.header)
        if frame.kind != REQUEST:
            err = ApiError("bad-request", f"frame kind: expected a request, got "
                           f"{KIND_NAMES[frame.kind]}", {"field": "kind"})
            await self._send_error(writer, rid, err, close=True)
            return False
        try:
            request = parse_request(frame.header, frame.body)
            outcome = self.dispatch(request, caller)
            if inspect.isawaitable(outcome):
                outcome = await outcome
        except ApiError as err:
            await self._send_error(writer, rid, err)
            return True
        except Exception as exc:
            await self._send_error(writer, rid, _internal(exc, frame.header.get("op"), caller))
            return True
        if hasattr(outcome, "__anext__"):
            await self._stream(rid, outcome, reader, writer, caller)
            return False
        await self._send_reply(writer, REPLY, rid, outcome)
        return True

    async def _stream(self, rid: int, items, reader, writer, caller: Caller) -> None:
        """Send each item as an event until the iterator ends or the client leaves; the
        stream owns the connection, so any byte from the client (or EOF) ends it."""
        watcher = asyncio.ensure_future(reader.read(1))
        step = None
        try:
            while True:
                step = asyncio.ensure_future(items.__anext__())
                await asyncio.wait({step, watcher}, return_when=asyncio.FIRST_COMPLETED)
                if not step.done():
                    return                  # the client left: the finally cancels the iterator
                try:
                    item = step.result()
                except StopAsyncIteration:
                    await self._send_reply(writer, REPLY, rid, Reply({"end": True}))
                    return
                except ApiError as err:
                    await self._send_error(writer, rid, err)
                    return
                except Exception as exc:
                    await self._send_error(writer, rid, _internal(exc, "stream", caller))
                    return
                await self._send_reply(writer, EVENT, rid, item)
        finally:
            watcher.cancel()
            if step is not None and not step.done():
                step.cancel()
                await asyncio.gather(step, return_exceptions=True)
            aclose = getattr(items, "aclose", None)
            if aclose is not None:
                try:
                    await aclose()
                except Exception:
                    log.exception("closing a stream failed")

    async def _refuse(self, reader, writer, err: ApiError) -> None:
        """Answer a refused caller's first request (with its id) and close; its body, if
        any, is not read."""
        frames = FrameReader(self.max_header, self.max_body)
        header = None
        try:
            async with asyncio.timeout(REFUSAL_WAIT):
                while header is None:
                    data = await reader.read(CHUNK)
                    if not data:
                        break
                    done = frames.feed(data)
                    header = done[0].header if done else frames.header_so_far()
        except FrameError as fault:
            header = fault.header
        except TimeoutError:
            pass
        await self._send_error(writer, _request_id(header), err, close=True)

    # -- writing -------------------------------------------------------------------------

    async def _send_reply(self, writer, kind: int, rid: int, reply) -> None:
        if not isinstance(reply, Reply) or not isinstance(reply.result, dict):
            err = ApiError("internal", f"the daemon produced {type(reply).__name__}, "
                           "not a Reply with a dict result")
            log.error("dispatch bug: %s", err)
            await self._send_error(writer, rid, err)
            return
        try:
            data = encode_frame(kind, {"id": rid, "ok": True, "result": reply.result},
                                reply.body)
        except (TypeError, ValueError) as exc:
            await self._send_error(writer, rid, _internal(exc, "encoding a reply", None))
            return
        await self._write(writer, data)

    async def _send_error(self, writer, rid: int, err: ApiError, close: bool = False) -> None:
        header = {"id": rid, "ok": False, "error": err.to_json()}
        if close:
            header["close"] = True
        try:
            data = encode_frame(REPLY, header)
        except (TypeError, ValueError):
            data = encode_frame(REPLY, {"id": rid, "ok": False, "close": close, "error": {
                "code": err.code, "message": err.message}})
        await self._write(writer, data)

    async def _write(self, writer, data: bytes) -> None:
        writer.write(data)
        if writer.transport.get_write_buffer_size() == 0:
            return
        try:
            await asyncio.wait_for(writer.drain(), self.write_timeout)
        except TimeoutError:
            log.warning("a client did not read for %.0f s; closing its connection",
                        self.write_timeout)
            raise _Closing() from None


def _request_id(header) -> int:
    rid = header.get("id") if isinstance(header, dict) else None
    return rid if isinstance(rid, int) and not isinstance(rid, bool) and rid >= 0 else 0


def _internal(exc: Exception, what, caller: Caller | None) -> ApiError:
    who = f" from pid {caller.pid} ({caller.user})" if caller else ""
    log.error("%s%s failed", what, who, exc_info=exc)
    return ApiError("internal", f"internal error in the daemon: {type(exc).__name__}: {exc} "
                    "(the daemon's log has the details)")


async def _answers(path: Path) -> bool:
    """Whether something listens on the socket path (a full backlog counts as live)."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_unix_connection(str(path)), 2.0)
    except (ConnectionRefusedError, FileNotFoundError):
        return False
    except TimeoutError:
        return True
    writer.close()
    return True
