"""The fencing history every node keeps, and the rules for manual requests: pure values."""

from __future__ import annotations

import dataclasses

from daemon.fencing.history import MAX_HISTORY, FenceHistory, FenceRecord
from daemon.fencing.requests import FenceRequest, executor_for, needs_running, stale
from daemon.status.fencing import DONE, FAILED, PENDING


def rec(rid: str, state: str = DONE, *, target: str = "node3", action: str = "reboot",
        created: int = 1_000, completed: int = 0, delegate: str | None = "node1",
        origin: str = "node2") -> FenceRecord:
    if state != PENDING and not completed:
        completed = created + 500
    return FenceRecord(rid, target, action, state, "crmshell", origin, delegate, created,
                       completed, "agent failed" if state == FAILED else "")


def test_a_final_record_is_never_taken_back_by_a_pending_copy():
    history = FenceHistory()
    assert history.add(rec("a", PENDING, delegate=None))
    assert not history.add(rec("a", PENDING, delegate=None))      # nothing new
    assert history.add(rec("a", PENDING, delegate="node1"))        # now it names who runs it
    assert not history.add(rec("a", PENDING, delegate=None))       # knows less: ignored
    assert history.add(rec("a", DONE))
    assert not history.add(rec("a", PENDING, delegate="node2"))
    assert not history.add(rec("a", FAILED))                       # the first end stands
    assert history.get("a").state == DONE and len(history) == 1


def test_merging_a_peer_s_copy_returns_only_the_news():
    mine, theirs = FenceHistory(), FenceHistory()
    for r in (rec("a"), rec("b", PENDING)):
        mine.add(r)
    for r in (rec("a"), rec("b"), rec("c", FAILED, created=2_000)):
        theirs.add(r)
    news = mine.merge(theirs.records())
    assert sorted(r.id for r in news) == ["b", "c"]
    assert [r.state for r in mine.records()] == [FAILED, DONE, DONE]
    assert mine.merge(theirs.records()) == []          # the same copy again changes nothing


def test_newest_first_with_pending_ones_before_the_rest():
    history = FenceHistory()
    history.merge([rec("old", created=1_000), rec("new", FAILED, created=5_000),
                   rec("running", PENDING, created=500), rec("mid", created=3_000)])
    assert [r.id for r in history.records()] == ["running", "new", "mid", "old"]
    assert [r.id for r in history.records("NODE3")] == ["running", "new", "mid", "old"]
    assert history.records("node2") == []
    events = history.events()
    assert events[1].state == FAILED and events[1].completed == 5 and \
        events[1].exit_reason == "agent failed"


def test_bounded_the_oldest_completed_go_first_pending_ones_stay():
    history = FenceHistory(limit=5)
    history.add(rec("pending-old", PENDING, created=1))
    for i in range(10):
        history.add(rec(f"r{i}", created=100 + i))
    kept = [r.id for r in history.records()]
    assert len(history) == 5
    assert kept == ["pending-old", "r9", "r8", "r7", "r6"]
    assert MAX_HISTORY == 500


def test_tolerance_finds_a_recent_success_of_the_same_action_only():
    history = FenceHistory()
    history.merge([rec("a", created=10_000, completed=20_000),
                   rec("b", FAILED, created=25_000, completed=26_000),
                   rec("c", action="off", created=27_000, completed=28_000)])
    assert history.recent_success("node3", "reboot", 29_000, 10_000).id == "a"
    assert history.recent_success("node3", "reboot", 31_000, 10_000) is None
    assert history.recent_success("node3", "reboot", 29_000, 0) is None
    assert history.recent_success("node2", "reboot", 29_000, 10_000) is None


def test_the_dc_executes_unless_it_is_the_target():
    members = ["node3", "node1", "node2"]
    assert executor_for("node3", "node1", members) == "node1"
    assert executor_for("node1", "node1", members) == "node2"
    assert executor_for("node1", "node1", ["node1"]) is None      # no one but the target
    assert executor_for("node3", None, members) is None           # no DC yet


def test_a_request_heard_again_runs_only_when_nobody_here_runs_it():
    request = FenceRequest("x", "node3", "reboot", "crmshell", "node2", 1_000)
    pending = request.record()
    assert pending.state == PENDING and pending.delegate is None
    members = ["node1", "node2"]
    assert needs_running(pending, "node1", members)
    started = dataclasses.replace(pending, delegate="node2")
    assert not needs_running(started, "node1", members)            # node2 is at it
    assert needs_running(started, "node1", ["node1"])              # node2 left: run it
    assert not needs_running(rec("x"), "node1", members)           # ended already


def test_pending_records_nobody_can_end_are_stale():
    records = [rec("gone", PENDING, delegate="node1", origin="node1"),
               rec("asker-here", PENDING, delegate="node1", origin="node2"),
               rec("runner-here", PENDING, delegate="node3", origin="node1"),
               rec("done", delegate="node1", origin="node1")]
    assert [r.id for r in stale(records, ["node2", "node3"])] == ["gone"]
