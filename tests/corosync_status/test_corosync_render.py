"""The text of corosync-cfgtool -s, corosync-quorumtool -s/-l and pcs status corosync, from
facts built by hand: the cases a sandbox does not reach (several links, the udpu transport, a
node whose status cannot be read, a quorum device, no votequorum). What a sandbox reaches is
compared with the real tools in test_corosync_status_live.py."""

from __future__ import annotations

import time

from daemon.corosync.cfg import LinkStatus, NodeStatus
from daemon.corosync.events import RingId
from daemon.corosync.votequorum import NodeState, VoteFlag, VoteInfo

from crmshell.corosync_status.facts import Member, QuorumFacts, RingFacts
from crmshell.corosync_status.render import (
    cfgtool_status, membership, pcs_status, quorumtool_status,
)

NOW = 1_796_300_000.0


def _status(nodeid: int, *links: tuple[int, bool], src: str = "10.0.0.2") -> NodeStatus:
    return NodeStatus(nodeid, True, False, False, 0, 0, 0, tuple(
        LinkStatus(number, True, connected, False, 1397, f"{src[:-1]}{number}",
                   f"10.0.{number}.{nodeid}") for number, connected in links))


def _ring(nodes, local=2, transport="knet", links=("udp",) * 8) -> RingFacts:
    return RingFacts(local, transport, tuple(links), tuple(nodes))


def test_ring_status_lists_every_link_the_other_node_has_with_each_node():
    facts = _ring([(1, _status(1, (0, True), (1, False))),
                   (2, _status(2, (0, True))),
                   (3, _status(3, (0, False), (1, True)))],
                  links=("udp", "sctp") + ("udp",) * 6)
    assert cfgtool_status(facts) == [
        "Local node ID 2, transport knet",
        "LINK ID 0 udp", "\taddr\t= 10.0.0.0", "\tstatus:",
        "\t\tnodeid:          1:\tconnected",
        "\t\tnodeid:          2:\tlocalhost",
        "\t\tnodeid:          3:\tdisconnected",
        "LINK ID 1 sctp", "\taddr\t= 10.0.0.1", "\tstatus:",
        "\t\tnodeid:          1:\tdisconnected",
        "\t\tnodeid:          2:\tlocalhost",
        "\t\tnodeid:          3:\tconnected",
    ]


def test_links_are_those_of_the_last_other_node_and_an_unread_status_is_all_zero():
    """The tool reads the links from the last node that is not this one; a node whose status
    call failed is printed from a zeroed struct: node id 0, no link."""
    facts = _ring([(1, _status(1, (0, True), (1, True))), (2, _status(2, (0, True))),
                   (3, None)], local=1)
    assert cfgtool_status(facts) == ["Local node ID 1, transport knet"]
    facts = _ring([(1, None), (2, _status(2, (1, True))), (3, _status(3, (1, True)))],
                  local=3, transport="udpu", links=("",) * 8)
    assert cfgtool_status(facts) == [
        "Local node ID 3, transport udpu", "LINK ID 1 ", "\taddr\t= 10.0.0.1", "\tstatus:",
        "\t\tnodeid:          0:\tdisconnected",
        "\t\tnodeid:          2:\tconnected",
        "\t\tnodeid:          3:\tlocalhost"]


def test_node_ids_are_padded_to_ten_columns_and_a_lone_node_shows_its_own_link():
    facts = _ring([(4000000000, _status(4000000000, (0, True)))], local=4000000000)
    assert cfgtool_status(facts)[-1] == "\t\tnodeid: 4000000000:\tlocalhost"


def _info(nodeid: int, flags: VoteFlag, votes: int = 1, **more) -> VoteInfo:
    fields = dict(expected_votes=3, highest_expected=3, total_votes=3, quorum=2,
                  qdevice_votes=0, qdevice_name="")
    fields.update(more)
    return VoteInfo(nodeid, NodeState.MEMBER, votes, fields["expected_votes"],
                    fields["highest_expected"], fields["total_votes"], fields["quorum"], flags,
                    fields["qdevice_votes"], fields["qdevice_name"])


def _quorum(members, local=1, flags=VoteFlag.QUORATE, quorate=True, votequorum=True,
            ring=RingId(1, 0x2a), **info) -> QuorumFacts:
    return QuorumFacts("corosync_votequorum" if votequorum else None, votequorum, quorate,
                       local, ring, tuple(members),
                       _info(local, flags, **info) if votequorum else None)


def test_quorum_status_of_a_quorate_three_node_cluster():
    facts = _quorum([Member(n, f"node{n}", _info(n, VoteFlag.QUORATE)) for n in (1, 2, 3)])
    assert quorumtool_status(facts, NOW) == [
        "Quorum information", "------------------",
        f"Date:             {time.ctime(NOW)}",
        "Quorum provider:  corosync_votequorum",
        "Nodes:            3", "Node ID:          1", "Ring ID:          1.2a",
        "Quorate:          Yes", "",
        "Votequorum information", "----------------------",
        "Expected votes:   3", "Highest expected: 3", "Total votes:      3",
        "Quorum:           2  ", "Flags:            Quorate ", "",
        "Membership information", "----------------------",
        "    Nodeid      Votes Name",
        "         1          1 node1 (local)",
        "         2          1 node2",
        "         3          1 node3"]


def test_every_flag_in_the_tools_order_and_activity_blocked_without_quorum():
    every = VoteFlag.TWO_NODE | VoteFlag.WAIT_FOR_ALL | VoteFlag.LAST_MAN_STANDING | \
        VoteFlag.AUTO_TIE_BREAKER | VoteFlag.ALLOW_DOWNSCALE
    facts = _quorum([Member(2, "node2", None)], local=2, flags=every, quorate=False,
                    total_votes=1, ring=RingId(0x1f, 0x10b))
    lines = quorumtool_status(facts, NOW)
    assert lines[5:8] == ["Node ID:          2", "Ring ID:          1f.10b", "Quorate:          No"]
    assert "Quorum:           2 Activity blocked" in lines
    assert "Flags:            2Node WaitForAll LastManStanding AutoTieBreaker AllowDownscale " \
        in lines
    # votequorum_getinfo failed for the member: said before the table, its votes shown as 0
    assert lines[-6:] == ["Unable to get node 2 info", "", "Membership information",
                          "----------------------", "    Nodeid      Votes Name",
                          "         2          0 node2 (local)"]


def test_a_quorum_device_adds_its_column_and_its_row():
    device = VoteFlag.QDEVICE_REGISTERED | VoteFlag.QDEVICE_ALIVE
    voting = device | VoteFlag.QDEVICE_CAST_VOTE | VoteFlag.QUORATE
    members = [Member(1, "node1", _info(1, voting, qdevice_votes=1, qdevice_name="Qdevice")),
               Member(2, "node2", _info(2, device | VoteFlag.QDEVICE_MASTER_WINS))]
    assert membership(_quorum(members))[-4:] == [
        "    Nodeid      Votes    Qdevice Name",
        "         1          1    A,V,NMW node1 (local)",
        "         2          1    A,NV,MW node2",
        "         0          1            Qdevice"]
    # a device that does not vote for this node counts 0, its own votes in brackets
    assert membership(_quorum(members, local=2))[-1] == \
        "         0          0            Qdevice (votes 1)"
    assert "Flags:            Quorate Qdevice " in quorumtool_status(
        _quorum(members, flags=VoteFlag.QUORATE | device), NOW)


def test_without_votequorum_the_ring_id_is_its_sequence_and_nothing_follows_quorate():
    facts = _quorum([Member(1, "node1", None)], local=0, votequorum=False)
    lines = quorumtool_status(facts, NOW)
    assert lines[3:] == ["Quorum provider:  Not configured", "Nodes:            1",
                         "Node ID:          0", "Ring ID:          2a", "Quorate:          Yes"]
    assert membership(facts)[-2:] == ["    Nodeid Name", "         1 node1"]


def test_pcs_prints_the_membership_table_with_its_leading_blank_line():
    facts = _quorum([Member(n, f"node{n}", _info(n, VoteFlag.QUORATE)) for n in (1, 2)], local=2)
    assert pcs_status(facts) == ["", "Membership information", "----------------------",
                                 "    Nodeid      Votes Name", "         1          1 node1",
                                 "         2          1 node2 (local)"]
    nameless = _quorum([Member(1, "", _info(1, VoteFlag.QUORATE))], local=9)
    assert pcs_status(nameless)[-1] == "         1          1"   # trailing space cut, as pcs does
