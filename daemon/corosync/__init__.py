"""Corosync for the daemon: our own ctypes binding of its client libraries, and a fake.

`cpg`, `quorum`, `votequorum`, `cmap` and `cfg` each wrap one library, synchronously and
without blocking; `aio` drives them from asyncio; `fake` is a seeded in-memory CPG with the
same interface as `aio.GroupChannel`, for the pure cores' tests and the simulation.
Importing this package loads no library: that happens on the first connection.
"""
