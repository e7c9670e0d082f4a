"""The sync round's choice of the CIB everyone takes (pure)."""

from __future__ import annotations

import pytest

from daemon.replication import cluster_wire
from daemon.replication.sync import RoundOver, SendCib, SendOffer, SyncRounds
from daemon.replication.wire import WireError

A, B, C = (1, 100), (2, 200), (3, 300)


def round_with(offers: dict, me=A):
    """Every member's SyncRounds sees the same messages; the commands for `me`, and the
    winner they agree on."""
    rounds = SyncRounds(me)
    rounds.on_confchg(list(offers), joined=[C])
    start = rounds.leader + (1,)
    assert rounds.on_start(rounds.leader, start) == [SendOffer(start)]
    out = []
    for sender, (version, digest, peered) in offers.items():
        out += rounds.on_offer(sender, start, version, digest, peered)
    return out, rounds.winner


def test_a_node_back_from_its_disk_does_not_win_a_tie_against_the_running_members():
    # node 1 restarted: its disk CIB has the same configuration version and a higher
    # num_updates, but it has not been with the others since it started
    _, winner = round_with({A: ((0, 7, 9), "fresh", False), B: ((0, 7, 4), "live", True),
                            C: ((0, 7, 4), "live", True)})
    assert winner == B


def test_a_newer_configuration_wins_whoever_holds_it():
    _, winner = round_with({A: ((0, 8, 0), "newer", False), B: ((0, 7, 40), "live", True)})
    assert winner == A


def test_among_members_alike_the_highest_version_then_the_lowest_member():
    _, winner = round_with({A: ((0, 7, 3), "x", True), B: ((0, 7, 5), "y", True),
                            C: ((0, 7, 5), "y2", True)})
    assert winner == B
    out, winner = round_with({A: ((0, 7, 5), "x", True), B: ((0, 7, 5), "y", True)}, me=A)
    assert winner == A and out == [SendCib((1, 100, 1))]


def test_offers_all_alike_end_the_round_without_a_cib():
    out, winner = round_with({A: ((0, 7, 5), "same", False), B: ((0, 7, 5), "same", True)})
    assert winner is None and out == [RoundOver((1, 100, 1), None)]


def test_the_offer_says_whether_its_sender_has_been_with_others():
    env = cluster_wire.offer("node1", (1, 100, 1), (0, 7, 5), "d", True)
    assert cluster_wire.read_offer(env) == ((1, 100, 1), (0, 7, 5), "d", True)
    older = cluster_wire.offer("node1", (1, 100, 1), (0, 7, 5), "d")
    del older.fields["peered"]          # a sender that does not say: not peered
    assert cluster_wire.read_offer(older)[3] is False
    bad = cluster_wire.offer("node1", (1, 100, 1), (0, 7, 5), "d")
    bad.fields["peered"] = "yes"
    with pytest.raises(WireError, match="fields.peered"):
        cluster_wire.read_offer(bad)
