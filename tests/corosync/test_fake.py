"""The fake CPG and quorum: agreed order, views, crashes, partitions, seeds (fast, no I/O)."""

from __future__ import annotations

import asyncio

import pytest

from daemon.corosync.cmap import CmapConnection
from daemon.corosync.errors import CorosyncError, CorosyncUnavailable
from daemon.corosync.events import ConfChange, Delivery, Member, Reason, TotemChange
from daemon.corosync.fake import FakeCluster, FakeCmap, majority


class Proc:
    """One fake process: its channel and everything handed to it, in order."""

    def __init__(self, cluster: FakeCluster, nodeid: int, trace: list | None = None,
                 group: str = "crmshell") -> None:
        self.events: list = []
        self.lost: list[CorosyncUnavailable] = []
        self.trace = trace
        self.channel = cluster.join(nodeid, group, self._got, self._got, self.lost.append,
                                    on_totem=self._got)

    def _got(self, event) -> None:
        self.events.append(event)
        if self.trace is not None:
            self.trace.append((self.channel.local, event))

    def of(self, kind) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    def payloads(self) -> list[bytes]:
        return [d.payload for d in self.of(Delivery)]


def _three(seed: int = 1, trace: list | None = None) -> tuple[FakeCluster, list[Proc]]:
    cluster = FakeCluster(seed, auto=False)
    procs = [Proc(cluster, n, trace) for n in (1, 2, 3)]
    cluster.run()
    return cluster, procs


def test_joiners_see_the_group_grow_one_join_at_a_time():
    _cluster, (p1, p2, p3) = _three()
    m1, m2, m3 = (p.channel.local for p in (p1, p2, p3))
    assert p1.of(ConfChange)[0] == ConfChange("crmshell", (m1,), (), ((m1, Reason.JOIN),))
    assert p2.of(ConfChange)[0] == ConfChange("crmshell", (m1, m2), (), ((m2, Reason.JOIN),))
    assert [c.joined for c in p1.of(ConfChange)] == [((m1, Reason.JOIN),),
                                                      ((m2, Reason.JOIN),),
                                                      ((m3, Reason.JOIN),)]
    for proc in (p1, p2, p3):
        assert proc.channel.members == (m1, m2, m3)
        assert isinstance(proc.events[0], TotemChange)   # the initial totem configuration
        assert proc.events[0].nodes == (1, 2, 3)


def test_every_member_gets_every_message_in_the_same_order():
    cluster, procs = _three(seed=7)
    for i in range(50):
        for proc in procs:
            proc.channel.post(b"%d:%d" % (proc.channel.nodeid, i))
    cluster.run()
    orders = [p.payloads() for p in procs]
    assert orders[0] == orders[1] == orders[2]
    assert len(orders[0]) == 150
    for nodeid in (1, 2, 3):   # and each sender's messages in the order it sent them
        mine = [x for x in orders[0] if x.startswith(b"%d:" % nodeid)]
        assert mine == [b"%d:%d" % (nodeid, i) for i in range(50)]


def _traced_run(seed: int) -> list:
    trace: list = []
    cluster, procs = _three(seed, trace)
    for i in range(10):
        procs[i % 3].channel.post(b"x%d" % i)
    cluster.crash(2)
    cluster.run()
    return trace


def test_the_same_seed_gives_the_same_run_and_seeds_change_the_interleaving():
    assert _traced_run(3) == _traced_run(3)
    assert len({tuple(map(repr, _traced_run(seed))) for seed in range(8)}) > 1


def test_messages_sent_before_a_change_are_delivered_before_it():
    cluster, (p1, p2, p3) = _three()
    p1.channel.post(b"before")
    p3.channel.close()
    p1.channel.post(b"after")
    cluster.run()
    tail = [e for e in p2.events[-3:]]
    assert tail[0] == Delivery(1, p1.channel.local.pid, b"before")
    assert tail[1].left == ((p3.channel.local, Reason.LEAVE),)
    assert tail[2].payload == b"after"
    assert p3.payloads() == []   # a closed channel is handed nothing


def test_a_crashed_node_is_seen_down_and_gets_nothing():
    cluster, (p1, p2, p3) = _three()
    before = len(p3.events)
    cluster.crash(3)
    p1.channel.post(b"hello")
    cluster.run()
    assert p1.of(ConfChange)[-1].left == ((p3.channel.local, Reason.NODEDOWN),)
    assert p1.channel.members == (p1.channel.local, p2.channel.local)
    assert len(p3.events) == before and p3.lost == []
    with pytest.raises(CorosyncUnavailable):
        p3.channel.post(b"from the dead")


def test_corosync_stopping_under_a_node_calls_on_lost_once_after_what_was_pending():
    cluster, (p1, _p2, p3) = _three()
    p1.channel.post(b"last")
    cluster.stop(3)
    p1.channel.post(b"too late")
    cluster.run()
    assert p3.payloads() == [b"last"]
    assert len(p3.lost) == 1 and "lost the connection to corosync" in str(p3.lost[0])
    assert not p3.channel.is_open
    with pytest.raises(CorosyncUnavailable):
        p3.channel.post(b"x")
    assert p1.of(ConfChange)[-1].left == ((p3.channel.local, Reason.NODEDOWN),)


def test_a_process_crash_is_procdown_and_a_restarted_node_joins_again():
    cluster, (p1, p2, p3) = _three()
    p2.channel.crash()
    cluster.run()
    assert p1.of(ConfChange)[-1].left == ((p2.channel.local, Reason.PROCDOWN),)
    cluster.crash(3)
    cluster.start(3)
    again = Proc(cluster, 3)
    cluster.run()
    assert p1.of(ConfChange)[-1].joined == ((again.channel.local, Reason.JOIN),)
    assert again.channel.local != p3.channel.local
    assert again.channel.members == (p1.channel.local, again.channel.local)


def test_partition_splits_views_messages_and_quorum_and_heal_joins_them():
    cluster, (p1, p2, p3) = _three()
    quorum = {n: [] for n in (1, 2, 3)}
    qchannels = {n: cluster.open_quorum(n, quorum[n].append, pytest.fail) for n in quorum}
    cluster.run()
    assert all(q[-1].quorate for q in quorum.values())
    cluster.partition({1, 2}, {3})
    p3.channel.post(b"alone")
    p1.channel.post(b"pair")
    cluster.run()
    m1, m2, m3 = (p.channel.local for p in (p1, p2, p3))
    assert p1.channel.members == (m1, m2) and p3.channel.members == (m3,)
    assert p3.of(ConfChange)[-1].left == ((m1, Reason.NODEDOWN), (m2, Reason.NODEDOWN))
    assert p3.payloads()[-1:] == [b"alone"] and b"alone" not in p1.payloads()
    assert b"pair" not in p3.payloads()
    assert [quorum[n][-1].quorate for n in (1, 2, 3)] == [True, True, False]
    assert quorum[3][-1].nodes == (3,)
    assert qchannels[3].votes().total_votes == 1 and not qchannels[3].votes().quorate
    assert qchannels[1].votes().quorum == 2
    cluster.heal()
    cluster.run()
    assert p3.of(ConfChange)[-1].joined == ((m1, Reason.NODEUP), (m2, Reason.NODEUP))
    assert p1.of(ConfChange)[-1].joined == ((m3, Reason.NODEUP),)
    assert all(p.channel.members == (m1, m2, m3) for p in (p1, p2, p3))
    assert all(q[-1].quorate for q in quorum.values())


def test_each_membership_change_is_a_new_ring():
    cluster, (p1, _p2, p3) = _three()
    cluster.partition({1}, {2, 3})
    cluster.run()
    rings = [t.ring for t in p1.of(TotemChange)]
    assert rings == sorted(rings) and len(set(rings)) == len(rings)
    assert p1.of(TotemChange)[-1].nodes == (1,)
    assert p3.of(TotemChange)[-1].nodes == (2, 3) and p3.of(TotemChange)[-1].ring.nodeid == 2


def test_groups_are_separate():
    cluster = FakeCluster(5, auto=False)
    a, b = Proc(cluster, 1, group="a"), Proc(cluster, 2, group="b")
    a.channel.post(b"to a")
    cluster.run()
    assert a.payloads() == [b"to a"] and b.payloads() == []
    assert b.channel.members == (b.channel.local,)


@pytest.mark.parametrize("expected, needed", [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3)])
def test_majority_is_more_than_half_of_expected_votes(expected, needed):
    assert majority(expected) == needed


def test_two_of_four_nodes_are_not_quorate():
    cluster = FakeCluster(1, nodes=(1, 2, 3, 4), auto=False)
    seen = []
    cluster.open_quorum(1, seen.append, pytest.fail)
    cluster.partition({1, 2}, {3, 4})
    cluster.run()
    assert seen[0].quorate and not seen[-1].quorate


def test_bad_calls_get_clear_errors():
    cluster = FakeCluster(1, auto=False)
    with pytest.raises(ValueError, match="no node 9"):
        cluster.partition({1, 9})
    with pytest.raises(ValueError, match="in two blocks"):
        cluster.partition({1, 2}, {2, 3})
    with pytest.raises(ValueError, match="node ids must be 1 or more"):
        FakeCluster(1, nodes=(0, 1))
    cluster.crash(2)
    with pytest.raises(CorosyncUnavailable, match="not running on fake node 2"):
        cluster.join(2, "g", print, print, print)
    with pytest.raises(ValueError, match="auto=True"):
        asyncio.run(cluster.open_group(1, "g", print, print, print))
    proc = Proc(cluster, 1)
    proc.channel.close()
    proc.channel.close()
    with pytest.raises(CorosyncError, match="closed"):
        proc.channel.post(b"x")


def test_driven_by_the_loop_with_seeded_delays():
    async def scenario() -> list[list[bytes]]:
        cluster = FakeCluster(11, delay=(0.0, 0.002))
        got: dict[int, list[bytes]] = {1: [], 2: [], 3: []}
        channels = []
        for n in (1, 2, 3):
            channel = await cluster.open_group(
                n, "crmshell", lambda d, n=n: got[n].append(d.payload), lambda c: None,
                pytest.fail)
            assert channel.local in channel.members
            channels.append(channel)
        await asyncio.gather(*(c.send(b"%d-%d" % (c.nodeid, i))
                               for i in range(20) for c in channels))
        for _ in range(200):
            if all(len(v) == 60 for v in got.values()):
                break
            await asyncio.sleep(0.005)
        return list(got.values())

    orders = asyncio.run(scenario())
    assert len(orders[0]) == 60 and orders[0] == orders[1] == orders[2]


def test_member_values_order_by_node_then_pid():
    assert sorted([Member(2, 1), Member(1, 5), Member(1, 3)]) == [
        Member(1, 3), Member(1, 5), Member(2, 1)]


def test_a_fake_node_offers_aio_s_entry_points():
    async def scenario():
        cluster = FakeCluster(2, cluster_name="demo")
        node2 = cluster.corosync(2)
        local = await node2.read_cmap(CmapConnection.local_node)
        name = await node2.read_cmap(lambda c: c.get("totem.cluster_name"))
        nodes = await node2.read_cmap(CmapConnection.nodelist)
        changes = []
        quorum = await node2.open_quorum(changes.append, pytest.fail)
        channel = await node2.open_group("crmshell", lambda d: None, lambda c: None,
                                         pytest.fail)
        return local, name, nodes, changes, quorum, channel

    local, name, nodes, changes, quorum, channel = asyncio.run(scenario())
    assert (local.nodeid, local.name, name) == (2, "node2", "demo")
    assert [n.uname for n in nodes] == ["node1", "node2", "node3"]
    assert changes[0].quorate and quorum.quorate and quorum.votes().nodeid == 2
    assert channel.local.nodeid == 2 and channel.members == (channel.local,)
    with pytest.raises(KeyError):
        FakeCmap({}).get("totem.token")
    with pytest.raises(ValueError, match="no node 4"):
        FakeCluster(1).corosync(4)
