"""Fencing delays, pure: a device's own (`pcmk_delay_base`, `pcmk_delay_max`) and the
cluster's `priority-fencing-delay`. Randomness comes from a `random.Random` the caller seeds.

Device delays apply to the fencing actions (`off`, `reboot`), never to `on`:
- `pcmk_delay_base` is a duration, or per node a map `node1:5s;node2:0` (entries separated
  by `;`, spaces or tabs; node names without case). A node the map does not name gets 0;
- `pcmk_delay_max` makes it random: uniform in [base, max] (a max below the base is ignored,
  as Pacemaker does with a warning).

`priority-fencing-delay` protects the node that runs what matters most from losing a fence
race, above all in a two-node split. Pacemaker adds it only when all of these hold:
- the fencing is of a node that was *lost* (left the membership), not a manual `node fence`,
  nor fencing for a failed stop or `on-fail=fence`;
- the target is a cluster node (not a remote or guest node) and not in our partition;
- our partition does not hold more than half of the cluster nodes (in a two-node split each
  side holds one of two, so it applies on both sides);
- the nodes' priorities are not all equal, and the target's is the highest. A node's
  priority is the sum of its active resources' `priority` meta-attributes, a promoted
  instance counting one more when its priority is not 0.
So in a split, the side that runs the important resources fences the other at once, while the
other side waits before fencing it. Device delays add to it.

Two-node clusters are protected against a fence race by default, where Pacemaker leaves it to
the administrator: when `priority-fencing-delay` is not set at all in a cluster of two nodes,
it counts as `TWO_NODE_DELAY_MS`, and equal priorities are told apart by the number of active
resources (fence devices not counted), then by the lower node id. Exactly one side of a
split then waits: the one whose target would win, so each split ends with one node standing,
the one running more. A crash of that node costs the survivor the delay before it fences
and recovers. Setting the option (to 0 as well) or a device delay is the administrator's
choice and is taken as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from daemon.cib.options import OptionValueError, parse_duration_ms
from daemon.fencing.errors import FencingConfigError
from daemon.fencing.hostlists import MAP_SEPARATORS
from daemon.records import record

if TYPE_CHECKING:  # the caller's generator; the scheduler, which imports this, never draws
    import random

DELAY_BASE = "pcmk_delay_base"
DELAY_MAX = "pcmk_delay_max"
TWO_NODE_DELAY_MS = 5000
FENCING_ACTIONS = frozenset({"reboot", "off"})


def _duration(device_id: str, attribute: str, text: str) -> int:
    try:
        return parse_duration_ms(text)
    except OptionValueError as err:
        raise FencingConfigError(device_id, attribute, str(err)) from None


def delay_base_ms(text: str | None, target: str, *, device_id: str) -> int:
    """`pcmk_delay_base` for `target` in ms (FencingConfigError naming the device for a value
    that is neither a duration nor a map of durations)."""
    if not text or not text.strip():
        return 0
    if ":" not in text:
        return _duration(device_id, DELAY_BASE, text.strip())
    found = 0
    entries = "".join(" " if ch in MAP_SEPARATORS else ch for ch in text).split()
    for entry in entries:
        node, sep, value = entry.partition(":")
        if not sep or not node or not value:
            raise FencingConfigError(device_id, DELAY_BASE, f"'{entry}' is not node:delay")
        delay = _duration(device_id, DELAY_BASE, value)
        if node.lower() == target.lower():
            found = delay
    return found


def delay_max_ms(text: str | None, *, device_id: str) -> int:
    return _duration(device_id, DELAY_MAX, text.strip()) if text and text.strip() else 0


def device_delay_ms(base_ms: int, max_ms: int, rng: random.Random) -> int:
    """The delay a device adds: `base_ms`, or uniform in [base, max] when max is above it."""
    if max_ms <= base_ms:
        return base_ms
    return rng.randint(base_ms, max_ms)


def total_delay_ms(device_ms: int, requested_ms: int = 0) -> int:
    """What the fencer waits: the requested delay (the priority delay) plus the device's; a
    negative request disables every delay (as `stonith_admin --delay -1`)."""
    return 0 if requested_ms < 0 else requested_ms + device_ms


@record(frozen=True)
class NodeStanding:
    """A node as the priority delay sees it: `online` means a member of our partition."""

    name: str
    online: bool
    priority: int = 0
    cluster_node: bool = True
    active: int = 0             # resources active there (the two-node default's tie-break)
    nodeid: int = 0             # ... and then the lower id


def node_priority(active: Iterable[tuple[int, bool]]) -> int:
    """A node's priority from its active resources, each as (priority, promoted here)."""
    return sum(prio + 1 if promoted and prio != 0 else prio for prio, promoted in active)


def priority_delay_ms(target: str, nodes: Sequence[NodeStanding], delay_ms: int, *,
                      target_lost: bool, tie_break: bool = False) -> int:
    """`priority-fencing-delay` (`delay_ms`) for fencing `target`, or 0 (see the module);
    `tie_break` for the two-node default, which tells equal priorities apart."""
    if delay_ms <= 0 or not target_lost:
        return 0
    members = [n for n in nodes if n.cluster_node]
    mine = next((n for n in members if n.name.lower() == target.lower()), None)
    if mine is None or mine.online or not members:
        return 0
    if sum(n.online for n in members) > len(members) // 2:
        return 0
    if tie_break:
        best = max(members, key=lambda n: (n.priority, n.active, -n.nodeid))
        return delay_ms if best is mine else 0
    top = max(n.priority for n in members)
    if min(n.priority for n in members) == top or mine.priority < top:
        return 0
    return delay_ms


def cluster_delay_ms(option: str | None, cluster_nodes: int) -> tuple[int, bool]:
    """The priority delay the cluster asks for, and whether it is the two-node default:
    `priority-fencing-delay` as set (a value that is not a duration counts as 0, as
    Pacemaker reads it), else `TWO_NODE_DELAY_MS` for exactly two nodes."""
    if option is None:
        return (TWO_NODE_DELAY_MS, True) if cluster_nodes == 2 else (0, False)
    try:
        return max(0, parse_duration_ms(option.strip())), False
    except OptionValueError:
        return 0, False
