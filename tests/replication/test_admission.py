"""Admission of delivered messages: forged, replayed and not-the-DC's ones are named and
dropped, everything a daemon really sends is admitted.

The last test is a seeded run: processes join, send, leave and come back (a rebooted node's
daemon with its old pid), while copies of their messages and forgeries are mixed in; what
is admitted must be exactly the genuine messages, each once. A failure names the seed.
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from daemon.controller.messages import ActionResult, NodeRef
from daemon.replication import cluster_wire, updates
from daemon.replication.admission import Admission
from daemon.replication.updates import Meta, Update
from daemon.replication.wire import Envelope

NAMES = {1: "node1", 2: "node2", 3: "node3"}
DC, OTHER = (1, 100), (2, 200)


def _admission(*members) -> Admission:
    adm = Admission()
    adm.on_confchg(members or (DC, OTHER), [], members or (DC, OTHER))
    return adm


def _update(sender, kind="status", seq=1, **kw) -> tuple[Envelope, Update]:
    nodeid, pid = sender
    if kind == "dc":
        kw.setdefault("dc", NodeRef(str(nodeid), NAMES[nodeid]))
    update = Update(kind, Meta(kw.pop("meta_origin", NAMES[nodeid]), "crmshell", "root", 1.0),
                    **kw)
    env = updates.to_envelope(update, kw.pop("origin", str(nodeid)), 1)
    return dataclasses.replace(env, seq=seq, pid=pid), update


def _check(adm, sender, env, update=None):
    return adm.check(sender, env, update, names=NAMES)


def test_what_daemons_send_is_admitted():
    adm = _admission()
    for seq, kind in enumerate(("status", "dc", "nodes"), 1):
        assert _check(adm, DC, *_update(DC, kind, seq)) is None
    assert _check(adm, OTHER, *_update(OTHER, "status", 1)) is None
    assert _check(adm, OTHER, dataclasses.replace(
        cluster_wire.offer("2", (1, 100, 1), (0, 1, 2), "d"), seq=2, pid=200)) is None


@pytest.mark.parametrize("change, words", [
    ({"origin": "1"}, "forged: origin '1' is not the sender's node id 2"),
    ({"pid": 100}, "forged: pid 100 is not the sending process's 200"),
])
def test_an_envelope_speaking_for_another_is_forged(change, words):
    env, update = _update(OTHER)
    assert _check(_admission(), OTHER, dataclasses.replace(env, **change), update) == words


def test_an_update_naming_another_node_as_its_origin_is_forged():
    env, update = _update(OTHER, meta_origin="node1")
    assert _check(_admission(), OTHER, env, update) == \
        "forged: fields.meta.origin 'node1' is not the sender 'node2'"


def test_results_of_another_node_s_operations_are_forged():
    result = ActionResult(NodeRef("1", "node1"), "r1", "r1_start_0", "start", 0, None, 0, 0)
    env, update = _update(OTHER, results=(result,))
    assert _check(_admission(), OTHER, env, update) == \
        "forged: fields.results[0] is of node '1', not of the sender 2"


def test_a_node_missing_from_the_nodelist_is_named_by_its_id():
    adm = _admission(DC, (7, 700))
    update = Update("status", Meta("7", "c", "u", 1.0))
    env = dataclasses.replace(updates.to_envelope(update, "7", 1), seq=1, pid=700)
    assert _check(adm, (7, 700), env, update) is None


@pytest.mark.parametrize("kind", ["dc", "nodes"])
def test_the_dc_s_updates_from_another_member_are_dropped(kind):
    env, update = _update(OTHER, kind)
    assert _check(_admission(), OTHER, env, update) == \
        f"not the DC: only the DC sends {kind} update messages (the DC is node 1 pid 100)"


def test_execute_and_idle_come_from_the_dc_only():
    adm = _admission()
    idle = dataclasses.replace(cluster_wire.idle("2", 3), seq=1, pid=200)
    assert _check(adm, OTHER, idle).startswith("not the DC: only the DC sends idle")
    assert _check(adm, DC, dataclasses.replace(idle, origin="1", pid=100)) is None


def test_the_dc_is_the_group_s_as_of_the_last_change():
    adm = _admission()
    env, update = _update(OTHER, "dc", 1)
    assert _check(adm, OTHER, env, update) is not None
    adm.on_confchg([OTHER], [DC], [])          # the DC left: node2's daemon is DC now
    assert _check(adm, OTHER, env, update) is None
    adm.on_confchg([(1, 101), OTHER], [], [(1, 101)])     # a lower node joined
    assert _check(adm, OTHER, *_update(OTHER, "dc", 2)).startswith("not the DC")


def test_each_update_of_a_batch_is_held_to_the_checks_alone():
    adm = _admission()
    good = Update("patch", Meta("node2", "crmshell", "root", 1.0), b"<diff/>")
    forged = Update("patch", Meta("node1", "crmshell", "root", 1.0), b"<diff/>")
    dcs = Update("nodes", Meta("node2", updates.CONTROLLER_CLIENT, "root", 1.0),
                 nodes=(NodeRef("2", "node2"),))
    env = dataclasses.replace(updates.to_batch([(1, good), (2, forged), (3, dcs)], "2"),
                              seq=1, pid=200)
    assert _check(adm, OTHER, env) is None             # the message: origin, pid, number
    whys = [adm.check_update(OTHER, u, names=NAMES) for u in (good, forged, dcs)]
    assert whys[0] is None
    assert whys[1].startswith("forged: fields.meta.origin 'node1'")
    assert whys[2].startswith("not the DC: only the DC sends nodes update messages")
    assert _check(adm, OTHER, env).startswith("replayed")      # the batch's number is used


def test_a_message_number_used_before_or_lower_is_a_replay():
    adm = _admission()
    assert _check(adm, OTHER, *_update(OTHER, seq=5)) is None
    assert _check(adm, OTHER, *_update(OTHER, seq=5)) == \
        "replayed: message 5 of this process comes after its message 5"
    assert _check(adm, OTHER, *_update(OTHER, seq=3)).startswith("replayed: message 3")
    assert _check(adm, OTHER, *_update(OTHER, seq=9)) is None      # gaps are fine
    assert _check(adm, DC, *_update(DC, seq=1)) is None            # numbers are per process


def test_a_dropped_message_does_not_use_up_its_number():
    adm = _admission()
    env, update = _update(OTHER, seq=4, meta_origin="node1")
    assert _check(adm, OTHER, env, update).startswith("forged")
    assert _check(adm, OTHER, *_update(OTHER, seq=4)) is None


def test_a_process_that_left_or_joined_numbers_afresh():
    adm = _admission()
    assert _check(adm, OTHER, *_update(OTHER, seq=50)) is None
    adm.on_confchg([DC], [OTHER], [])
    adm.on_confchg([DC, OTHER], [], [OTHER])     # rebooted: the same pid, counting from 1
    assert _check(adm, OTHER, *_update(OTHER, seq=1)) is None


# ---- seeded run ---------------------------------------------------------------------------
RUNS = 300


def _genuine(sender, seq, rng) -> tuple[Envelope, Update | None]:
    nodeid, pid = sender
    if rng.random() < 0.3:
        env = cluster_wire.offer(str(nodeid), (1, 1, 1), (0, rng.randrange(9), 0), "x")
        return dataclasses.replace(env, seq=seq, pid=pid), None
    return _update(sender, "status", seq)


def _forgery(env, update, rng):
    """A message not its sender's own: another's origin or pid, another's name, a copy."""
    how = rng.randrange(4)
    if how == 0:
        origin = rng.choice([n for n in ("1", "2", "3", "node1", "") if n != env.origin])
        return dataclasses.replace(env, origin=origin), update, "forged"
    if how == 1:
        return dataclasses.replace(env, pid=env.pid + 1), update, "forged"
    if how == 2 and update is not None:
        other = {n: m for n, m in NAMES.items() if m != update.meta.origin}
        return env, dataclasses.replace(update, meta=dataclasses.replace(
            update.meta, origin=rng.choice(list(other.values())))), "forged"
    return env, update, "replayed"


def run(seed: int) -> None:
    rng = random.Random(seed)
    adm = Admission()
    pids = {1: 100, 2: 200, 3: 300}
    members: list[tuple[int, int]] = []
    counters: dict[tuple[int, int], int] = {}
    incarnation: dict[tuple[int, int], int] = {}
    sent: list[tuple] = []      # every genuine message so far: (sender, incarnation, env, update)
    for step in range(120):
        roll = rng.random()
        if roll < 0.1 or not members:       # a node joins (rebooted: same pid, new counter)
            absent = [(n, p) for n, p in pids.items() if (n, p) not in members]
            if absent:
                joined = rng.choice(absent)
                counters[joined] = 0
                incarnation[joined] = incarnation.get(joined, 0) + 1
                members.append(joined)
                adm.on_confchg(members, [], [joined])
            continue
        if roll < 0.15 and len(members) > 1:
            left = rng.choice(members)
            members.remove(left)
            adm.on_confchg(members, [left], [])
            continue
        sender = rng.choice(members)
        if roll < 0.7 or not sent:
            counters[sender] += rng.randint(1, 3)
            env, update = _genuine(sender, counters[sender], rng)
            sent.append((sender, incarnation[sender], env, update))
            assert adm.check(sender, env, update, names=NAMES) is None, f"seed {seed} step {step}"
            continue
        # A message this process sends again, or another's sent as its own: never admitted.
        # (Only the process itself can send as it: an earlier process with its pid, before
        # a reboot, cannot, and its messages are not among these.)
        own = [s for s in sent if s[:2] == (sender, incarnation[sender])]
        _, _, env, update = rng.choice(own if own and rng.random() < 0.5 else
                                       [s for s in sent if s[0] != sender] or own)
        if env.origin != str(sender[0]) or env.pid != sender[1]:
            kind = "forged"
        else:
            env, update, kind = _forgery(env, update, rng)
        if kind == "forged":        # with a number it has not used: only the forgery tells
            env = dataclasses.replace(env, seq=counters[sender] + 1)
        why = adm.check(sender, env, update, names=NAMES)
        assert why is not None and why.split(":")[0] == kind, \
            f"seed {seed} step {step}: {kind} message admitted or misnamed ({why})"


@pytest.mark.parametrize("chunk", range(3))
def test_seeded_streams_admit_exactly_the_genuine_messages(chunk):
    for seed in range(chunk * RUNS // 3, (chunk + 1) * RUNS // 3):
        run(seed)
