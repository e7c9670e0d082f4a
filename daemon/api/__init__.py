"""The daemon's local API: the shell's way in, over a Unix socket.

The modules stay separate so that the shell's side (`client`, `frames`, `errors`,
`protocol`) imports only the standard library's light parts; `server` alone brings asyncio.
This package therefore imports nothing at import time.
"""
