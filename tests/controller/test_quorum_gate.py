"""The quorum the controller is let see at a merge (daemon.controller.quorum_gate)."""

from daemon.controller.quorum_gate import GRACE_MS, Gate, gate


def test_quorum_lost_counts_at_once():
    assert gate(False, (1, 2, 3), (1,), True, True, 5, 10) == Gate(False)


def test_quorum_with_every_daemon_in_the_group_counts():
    assert gate(True, (1, 2, 3), (3, 2, 1), False, False, None, 10) == Gate(True)


def test_a_merge_seen_by_quorum_before_the_group_is_held_back():
    # corosync merged node3 with 1 and 2; node3's daemon still sees itself alone
    held = gate(True, (1, 2, 3), (3,), False, False, None, 1000)
    assert held == Gate(False, recheck_at_ms=1000 + GRACE_MS, waiting_for=(1, 2))
    # the group catches up (a sync round opens): still held, same deadline
    assert gate(True, (1, 2, 3), (1, 2, 3), True, False, 1000, 1200) == \
        Gate(False, recheck_at_ms=1000 + GRACE_MS)
    # the round is over: counted
    assert gate(True, (1, 2, 3), (1, 2, 3), False, False, 1000, 1300) == Gate(True)


def test_a_node_without_its_daemon_holds_quorum_back_only_for_the_grace():
    assert not gate(True, (1, 2, 3), (1, 2), False, None, 0, GRACE_MS - 1).quorate
    assert gate(True, (1, 2, 3), (1, 2), False, None, 0, GRACE_MS) == \
        Gate(True, waiting_for=(3,))


def test_a_quorate_partition_stays_quorate_while_a_node_joins():
    # a DC that has quorum does not see it lost for the length of the joiner's sync round
    assert gate(True, (1, 2, 3), (1, 2), True, True, None, 10) == Gate(True)
