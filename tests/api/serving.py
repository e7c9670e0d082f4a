"""A real ApiServer on a real socket, run in a thread with its own event loop, and a
dispatcher that exercises what the server must handle (bodies, delays, failures, streams)."""

from __future__ import annotations

import asyncio
import hashlib
import threading

from daemon.api.errors import ApiError
from daemon.api.protocol import API_VERSION, Reply
from daemon.api.server import ApiServer


class Dispatcher:
    """hello; replace stores the body and query returns it; wait sleeps; node action=crash
    raises a bug, action=missing an ApiError; subscribe counts until cancelled."""

    def __init__(self):
        self.cib = b"<cib/>"
        self.stream_closed = threading.Event()
        self.callers = []

    async def __call__(self, request, caller):
        self.callers.append(caller)
        op = request.op
        if op == "hello":
            return Reply({"api": API_VERSION})
        if op == "replace":
            self.cib = request.body
            return Reply({"sha256": hashlib.sha256(request.body).hexdigest()})
        if op == "query":
            return Reply({"size": len(self.cib)}, self.cib)
        if op == "wait":
            await asyncio.sleep(request.args.get("timeout", 0))
            return Reply({"waited": request.args.get("timeout", 0)})
        if op == "node" and request.args["action"] == "crash":
            raise RuntimeError("a bug in dispatch")
        if op == "node" and request.args["action"] == "missing":
            raise ApiError("not-found", "node ghost is not in the CIB", {"node": "ghost"})
        if op == "node" and request.args["action"] == "junk":
            return Reply({"not": object()})
        if op == "subscribe":
            return self._stream(request.args.get("what"))
        return Reply({"op": op, "args": request.args})

    async def _stream(self, what):
        try:
            for n in range(3 if what == "three" else 10**9):
                yield Reply({"n": n}, b"<x/>")
                await asyncio.sleep(0.005)
        finally:
            self.stream_closed.set()


class ServerThread:
    def __init__(self, path, dispatch=None, **options):
        self.path = str(path)
        self.dispatch = dispatch or Dispatcher()
        self.options = options
        self.loop = asyncio.new_event_loop()
        self.server = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def run(self, coro, timeout=10):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> "ServerThread":
        self._thread.start()
        try:
            self.server = ApiServer(self.path, self.dispatch, **self.options)
            self.run(self.server.start())
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.run(self.server.close())
        finally:
            self._stop()

    def _stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()
