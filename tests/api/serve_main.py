"""A test server as its own process (`python -m tests.api.serve_main PATH`), so a test can
kill -9 it the way a crashing daemon dies. Prints "ready" once it listens."""

from __future__ import annotations

import asyncio
import sys

from daemon.api.server import ApiServer
from tests.api.serving import Dispatcher


async def main(path: str) -> None:
    server = ApiServer(path, Dispatcher())
    await server.start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
