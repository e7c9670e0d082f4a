"""Corosync for the daemon: our own ctypes binding of its client libraries, and a fake.

Membership, quorum and agreed order come from the real Corosync 3, as Pacemaker gets them;
the daemon reaches it only through these entry points (all from one asyncio loop):

- `aio.open_group(group, on_deliver, on_confchg, on_lost, on_totem=None,
  connect_timeout=None)` -> `aio.GroupChannel`: waits for corosync, joins, returns once
  this process is a member. `await channel.send(payload)` (agreed order, back-pressure),
  `channel.members`, `channel.local`, `channel.close()`.
- `aio.open_quorum(on_change, on_lost)` -> `aio.QuorumChannel` (`quorate`, `last`,
  `votes()`), after the first notification.
- `aio.read_cmap(use)`, e.g. `read_cmap(CmapConnection.local_node)` -> `cmap.NodeEntry`
  or `read_cmap(lambda c: c.get("totem.cluster_name"))`; `aio.use_cfg(use)` likewise.
- Events are the plain values of `events` (`Delivery`, `ConfChange`, `TotemChange`,
  `QuorumChange`, `Member`, `Reason`); failures are `errors.CorosyncError`, and
  `errors.CorosyncUnavailable` when corosync is absent or went away (`on_lost` gets it).
- `fake.FakeCluster(seed)`: a seeded in-memory CPG and quorum with the same channel
  interface, for the pure cores' tests and the simulation.

`cpg`, `quorum`, `votequorum`, `cmap` and `cfg` each wrap one library, synchronously and
without blocking; `handle` holds what their connections share. Importing this package
loads no library: that happens on the first connection.
"""
