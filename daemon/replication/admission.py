"""Which delivered messages may act on this node: the checks between decoding and handling.

Corosync says who sent a message (its node id and pid, stamped by corosync itself); the
message says who it claims to be. Only a process on a cluster node can be in the group, and
only a node with the cluster's authkey can be in the ring, so what is checked here is that
no member speaks for another, repeats itself, or does the DC's part when it is not the DC:

- forged: the envelope's origin is not the sender's node id, its pid is not the sending
  process's, an update's `meta.origin` (written into the CIB as update-origin) is not the
  sender's name in the nodelist, or results in it are of another node's operations;
- replayed: its number (`seq`, which every daemon process counts up on each message it
  sends) is not above the last one admitted from that process. Corosync delivers a
  process's messages in the order it sent them, so a lower or equal number is a copy: a
  message of another process sent again carries that process's pid and is forged, one of
  our own sent again is a replay. The numbers are forgotten when the process leaves or
  joins the group (a rebooted node's daemon can have the same pid again and starts at 1);
- the DC's part: `execute`, the `idle` answer, the `dc` and `nodes` updates and every
  update of the controller (`CONTROLLER_CLIENT`: node states, fencing records) come from the
  DC only. A node that was its own DC while alone can have such updates on their way when
  it merges with the cluster; applied, they would name it DC and undo what the real DC
  wrote.

Every member must admit the same updates, or their CIBs part: so every check depends only
on the message, the nodelist and the group as of the message's place in the agreed order
(the DC is `choose_dc` of the members at that place, not what the node's controller was
last told, which lags during a sync round). A DC whose update is delivered after a lower
member joined is no longer the DC for anyone; the new DC plans again.

Pure: `on_confchg` is fed every configuration change, `check` every decoded message; it
returns None to admit the message or the reason to drop it, which the node logs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from daemon.controller.election import choose_dc
from daemon.replication.updates import CONTROLLER_CLIENT
from daemon.replication.wire import Envelope, shown

Member = tuple[int, int]        # (node id, pid), as corosync names the sender

DC_ONLY = frozenset({"execute", "idle"})
DC_ONLY_UPDATES = frozenset({"dc", "nodes"})


def name_of(names: Mapping[int, str], nodeid: int) -> str:
    """A node's name as the daemons use it: the nodelist's, else its id."""
    return names.get(nodeid, str(nodeid))


class Admission:
    """The group as of the last configuration change, and the last message number admitted
    from each process in it."""

    def __init__(self) -> None:
        self._last: dict[Member, int] = {}
        self.dc: Member | None = None

    def on_confchg(self, members: Iterable[Member], left: Iterable[Member],
                   joined: Iterable[Member]) -> None:
        """The group changed: who is DC now; those who left or joined number afresh."""
        self.dc = choose_dc(tuple(m) for m in members)
        for member in (*left, *joined):
            self._last.pop(tuple(member), None)

    def check(self, sender: Member, env: Envelope, update=None, *,
              names: Mapping[int, str]) -> str | None:
        """None when `env` (and `update`, its decoded CIB update) may act; else why not.
        An admitted message's number is remembered. The updates of an "updates" message
        are each held to `check_update` after the message is admitted."""
        nodeid, pid = sender = tuple(sender)
        why = (_forged(sender, env) or _not_the_dc(sender, env.kind, env.kind in DC_ONLY, self.dc)
               or (None if update is None else self.check_update(sender, update, names=names)))
        if why is None and env.seq <= self._last.get(sender, 0):
            why = (f"replayed: message {env.seq} of this process comes after its message "
                   f"{self._last[sender]}")
        if why is None:
            self._last[sender] = env.seq
        return why

    def check_update(self, sender: Member, update, *, names: Mapping[int, str]) -> str | None:
        """None when one update of an admitted message may be applied; else why not (then
        only that update is dropped, on every member alike)."""
        sender = tuple(sender)
        dc_s = update.kind in DC_ONLY_UPDATES or update.meta.client == CONTROLLER_CLIENT
        return (_forged_update(sender, update, name_of(names, sender[0]))
                or _not_the_dc(sender, f"{update.kind} update", dc_s, self.dc))


def _forged(sender: Member, env: Envelope) -> str | None:
    nodeid, pid = sender
    if env.origin != str(nodeid):
        return f"forged: origin {shown(env.origin)} is not the sender's node id {nodeid}"
    if env.pid != pid:
        return f"forged: pid {env.pid} is not the sending process's {pid}"
    return None


def _forged_update(sender: Member, update, name: str) -> str | None:
    nodeid, _ = sender
    if update.meta.origin != name:
        return f"forged: fields.meta.origin {shown(update.meta.origin)} is not the sender {name!r}"
    for i, result in enumerate(update.results):
        if result.node.id != str(nodeid):
            return (f"forged: fields.results[{i}] is of node {shown(result.node.id)}, "
                    f"not of the sender {nodeid}")
    return None


def _not_the_dc(sender: Member, kind: str, dc_s: bool, dc: Member | None) -> str | None:
    if dc_s and sender != dc:
        return f"not the DC: only the DC sends {kind} messages" + (
            "" if dc is None else f" (the DC is node {dc[0]} pid {dc[1]})")
    return None
