"""The text of `corosync-cfgtool -s`, `corosync-quorumtool -s` and `-l`, from facts.

Pure: facts (and the time, for the Date line) in, lines out. The layout is corosync 3.1's
(tools/corosync-cfgtool.c, tools/corosync-quorumtool.c) with its quirks kept, because scripts
parse it: node ids padded to ten columns, "Quorum:" followed by two spaces when quorate, every
flag followed by a space, hexadecimal ring ids, the Membership table's leading blank line.
"""

from __future__ import annotations

import time

from daemon.corosync.cfg import LinkStatus, NodeStatus
from daemon.corosync.votequorum import VoteFlag, VoteInfo

from crmshell.corosync_status.facts import MAX_LINKS, Member, QuorumFacts, RingFacts

# The words of `Flags:`, in the order the tool prints them.
FLAG_WORDS = ((VoteFlag.TWO_NODE, "2Node"), (VoteFlag.QUORATE, "Quorate"),
              (VoteFlag.WAIT_FOR_ALL, "WaitForAll"),
              (VoteFlag.LAST_MAN_STANDING, "LastManStanding"),
              (VoteFlag.AUTO_TIE_BREAKER, "AutoTieBreaker"),
              (VoteFlag.ALLOW_DOWNSCALE, "AllowDownscale"),
              (VoteFlag.QDEVICE_REGISTERED, "Qdevice"))
QDEVICE_NODEID = 0   # VOTEQUORUM_QDEVICE_NODEID: the quorum device's row


# ---- corosync-cfgtool -s ------------------------------------------------------------------

def _link(status: NodeStatus | None, number: int) -> LinkStatus | None:
    for link in status.links if status else ():
        if link.link == number:
            return link
    return None


def _local_and_other(facts: RingFacts) -> tuple[int, int]:
    """The positions of this node and of the last other node in the node id list: the tool
    shows the links the other node has (this node's only link is to itself)."""
    local = other = 0
    for position, (nodeid, _status) in enumerate(facts.nodes):
        if nodeid == facts.local_nodeid:
            local = position
        else:
            other = position
    return local, other


def cfgtool_status(facts: RingFacts) -> list[str]:
    """`corosync-cfgtool -s`: per enabled link, its address and how each node is reached."""
    lines = [f"Local node ID {facts.local_nodeid}, transport {facts.transport}"]
    if not facts.nodes:
        return lines
    local, other = _local_and_other(facts)
    for number in range(MAX_LINKS):
        shown = _link(facts.nodes[other][1], number)
        if shown is None:
            continue
        lines += [f"LINK ID {number} {facts.link_transports[number]}",
                  f"\taddr\t= {shown.src_addr}", "\tstatus:"]
        for position, (_nodeid, status) in enumerate(facts.nodes):
            link = _link(status, number)
            state = ("localhost" if position == local
                     else "connected" if link is not None and link.connected else "disconnected")
            lines.append(f"\t\tnodeid: {status.nodeid if status else 0:>10}:\t{state}")
    return lines


# ---- corosync-quorumtool -s and -l --------------------------------------------------------

def _padded(text: object) -> str:
    """print_string_padded: right-aligned in ten columns, then a space."""
    return f"{text!s:>10} "


def _qdevice_state(info: VoteInfo | None) -> str:
    flags = info.flags if info else VoteFlag(0)
    if VoteFlag.QDEVICE_REGISTERED not in flags:
        return "NR"
    return ",".join((
        "A" if VoteFlag.QDEVICE_ALIVE in flags else "NA",
        "V" if VoteFlag.QDEVICE_CAST_VOTE in flags else "NV",
        "MW" if VoteFlag.QDEVICE_MASTER_WINS in flags else "NMW"))


def membership(facts: QuorumFacts) -> list[str]:
    """display_nodes_data: the Membership information table (what `-l` prints alone)."""
    lines = [f"Unable to get node {m.nodeid} info" for m in facts.members
             if facts.votequorum and m.info is None]
    qdevice = facts.votequorum and any(
        m.info and VoteFlag.QDEVICE_REGISTERED in m.info.flags for m in facts.members)
    header = _padded("Nodeid")
    if facts.votequorum:
        header += _padded("Votes") + (_padded("Qdevice") if qdevice else "")
    lines += ["", "Membership information", "----------------------", header + "Name"]
    local_flags = VoteFlag(0)
    for member in facts.members:
        row = _padded(member.nodeid)
        if facts.votequorum:
            row += _padded(member.info.votes if member.info else 0)
            row += _padded(_qdevice_state(member.info)) if qdevice else ""
        row += member.name
        if member.nodeid == facts.local_nodeid:
            row += " (local)"
            local_flags = member.info.flags if member.info else VoteFlag(0)
        lines.append(row)
    if qdevice:
        lines.append(_qdevice_row(facts.members[0], local_flags))
    return lines


def _qdevice_row(first: Member, local_flags: VoteFlag) -> str:
    """The quorum device's own row; its votes count only while it votes for this node."""
    info = first.info
    votes = info.qdevice_votes if info else 0
    name = info.qdevice_name if info else ""
    if VoteFlag.QDEVICE_CAST_VOTE in local_flags:
        return f"{_padded(QDEVICE_NODEID)}{_padded(votes)}           {name}"
    return f"{_padded(QDEVICE_NODEID)}{_padded(0)}           {name} (votes {votes})"


def _flags(flags: VoteFlag) -> str:
    return "".join(f"{word} " for flag, word in FLAG_WORDS if flag in flags)


def quorumtool_status(facts: QuorumFacts, now: float) -> list[str]:
    """`corosync-quorumtool -s` at time `now` (its Date line is ctime's, in local time)."""
    ring = (f"{facts.ring.nodeid:x}.{facts.ring.seq:x}" if facts.votequorum
            else f"{facts.ring.seq:x}")
    lines = ["Quorum information", "------------------",
             f"Date:             {time.ctime(now)}",
             f"Quorum provider:  {facts.provider or 'Not configured'}",
             f"Nodes:            {len(facts.members)}",
             f"Node ID:          {facts.local_nodeid}",
             f"Ring ID:          {ring}",
             f"Quorate:          {'Yes' if facts.quorate else 'No'}"]
    if not facts.votequorum:
        return lines
    info = facts.local_info
    if info is not None:
        blocked = " " if VoteFlag.QUORATE in info.flags else "Activity blocked"
        lines += ["", "Votequorum information", "----------------------",
                  f"Expected votes:   {info.expected_votes}",
                  f"Highest expected: {info.highest_expected}",
                  f"Total votes:      {info.total_votes}",
                  f"Quorum:           {info.quorum} {blocked}",
                  f"Flags:            {_flags(info.flags)}"]
    return lines + membership(facts)


def pcs_status(facts: QuorumFacts) -> list[str]:
    """`pcs status corosync`: `corosync-quorumtool -l` with its trailing whitespace cut
    (pcs prints `output.rstrip()`, so the leading blank line stays)."""
    text = "\n".join(membership(facts)).rstrip()
    return text.split("\n")
