"""The sync round's choice of the CIB everyone takes (pure)."""

from __future__ import annotations

import pytest

from daemon.replication import cluster_wire, wire
from daemon.replication.sync import RoundOver, SendAbort, SendCib, SendOffer, SyncRounds
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


def started(me=A, members=(A, B, C)):
    rounds = SyncRounds(me)
    rounds.on_confchg(list(members), joined=[C])
    start = rounds.leader + (1,)
    rounds.on_start(rounds.leader, start)
    return rounds, start


def test_a_silent_member_is_left_out_when_the_round_is_cut():
    rounds, start = started()
    assert rounds.on_offer(A, start, (0, 5, 1), "x") == []
    assert rounds.on_offer(B, start, (0, 5, 1), "x") == []      # C says nothing
    assert rounds.on_timeout(start, 0) == [SendAbort(start, 0)]
    assert rounds.on_abort(B, start, 0) == [RoundOver(start, None)]   # A and B agree
    assert not rounds.syncing
    assert rounds.on_abort(A, start, 0) == []                   # the second abort: nothing


def test_a_cut_round_goes_on_with_the_best_offer_delivered():
    rounds, start = started(me=B)
    rounds.on_offer(A, start, (0, 5, 1), "old")
    rounds.on_offer(B, start, (0, 6, 0), "new")
    assert rounds.on_abort(A, start, 0) == [SendCib(start)]     # B has the best: it sends
    assert rounds.on_offer(C, start, (0, 9, 0), "late") == []   # too late for this round
    assert rounds.on_cib(B, start) == [RoundOver(start, B, (A,))]


def test_a_winner_whose_cib_does_not_come_is_passed_over():
    rounds, start = started(me=A)
    for member, version in ((A, (0, 5, 0)), (B, (0, 7, 0)), (C, (0, 6, 0))):
        rounds.on_offer(member, start, version, str(version))
    assert rounds.winner == B
    assert rounds.on_timeout(start, 1) == []                    # not this cut's timer
    assert rounds.on_timeout(start, 0) == [SendAbort(start, 0)]
    assert rounds.on_abort(C, start, 0) == []                   # C is next best: C sends
    assert rounds.winner == C
    assert rounds.on_cib(B, start) == []                        # B's CIB, late: not taken
    assert rounds.on_cib(C, start) == [RoundOver(start, C, (A, B))]


def test_an_abort_of_another_round_or_cut_changes_nothing():
    rounds, start = started()
    rounds.on_offer(A, start, (0, 5, 1), "x")
    assert rounds.on_abort(B, (9, 9, 9), 0) == []
    assert rounds.on_abort(B, start, 3) == []
    assert rounds.on_abort((7, 700), start, 0) == []            # not a member
    assert rounds.syncing


def test_the_abort_message_round_trips_and_bad_ones_are_named():
    env = cluster_wire.abort("1", (1, 100, 2), 3)
    again = wire.decode(wire.encode(env))
    assert again.kind == "sync-abort" and cluster_wire.read_abort(again) == ((1, 100, 2), 3)
    with pytest.raises(WireError, match="fields.cut"):
        cluster_wire.read_abort(wire.Envelope("sync-abort", "1", 0, {"round": [1, 2, 3],
                                                                     "cut": "x"}))
