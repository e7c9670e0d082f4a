"""`corosync status`: corosync's own views of this node, in the text its tools print.

`ring` is `corosync-cfgtool -s`, `quorum` is `corosync-quorumtool -s` and `pcs` is `pcs
status corosync` (which prints `corosync-quorumtool -l`). Scripts parse that text, so it is
reproduced to the character, read through the project's binding (daemon/corosync) instead of
running the tools:

- `read` asks corosync, call for call as the tools do, and returns `facts` (plain values);
- `render` turns facts into the tools' lines (pure: facts and a clock in, lines out).

Nothing here is imported until the command runs, and the binding loads corosync's libraries
only on its first connection.
"""
