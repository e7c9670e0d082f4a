"""The outbox: updates asked for while one is on its way go together, in order, and other
messages never overtake the updates queued before them."""

from __future__ import annotations

import random

from daemon.replication import updates, wire
from daemon.replication.outbox import Outbox
from daemon.replication.updates import Meta, Update

META = Meta("node1", "crmshell", "root", 1.0)


def update(n: int, size: int = 10) -> Update:
    return Update("patch", META, b"x" * size, force=n % 2 == 0)


def requests_of(env: wire.Envelope) -> list[int]:
    if env.kind == "update":
        return [env.request]
    return [r for r, _ in updates.from_batch(env)]


def test_a_lone_update_goes_at_once_as_a_plain_update():
    box = Outbox()
    box.push_update(1, update(1))
    out = box.next("1")
    assert out.env.kind == "update" and out.requests == (1,) and box.in_flight == 1
    assert updates.from_envelope(out.env) == update(1)
    assert box.next("1") is None


def test_updates_asked_for_meanwhile_wait_and_go_as_one_message():
    box = Outbox()
    box.push_update(1, update(1))
    box.next("1")
    for n in (2, 3, 4):
        box.push_update(n, update(n))
    assert box.next("1") is None                # the first one is on its way
    box.delivered()
    out = box.next("1")
    assert out.env.kind == "updates" and out.requests == (2, 3, 4)
    assert updates.from_batch(wire.decode(wire.encode(out.env))) == \
        [(n, update(n)) for n in (2, 3, 4)]


def test_other_messages_keep_their_place_behind_queued_updates():
    box = Outbox()
    box.push_update(1, update(1))
    box.next("1")
    box.push_update(2, update(2))
    box.push_message(wire.Envelope("execute", "1", 0), sent="woken")
    box.push_update(3, update(3))
    assert box.next("1") is None                # 2 waits, and the execute behind it
    box.delivered()
    assert box.next("1").requests == (2,)
    execute = box.next("1")                     # not an update: goes without waiting
    assert execute.env.kind == "execute" and execute.sent == "woken"
    assert box.next("1") is None                # 3 waits for 2
    box.delivered()                             # 2 came back (the execute is still out)
    assert box.next("1").requests == (3,) and box.in_flight == 2


def test_a_batch_is_bounded_by_count_and_by_bytes():
    box = Outbox(max_updates=3, max_bytes=100)
    for n in range(1, 8):
        box.push_update(n, update(n, size=40))
    assert box.next("1").requests == (1, 2)     # a third would pass 100 bytes
    box.delivered()
    assert box.next("1").requests == (3, 4)
    box = Outbox(max_updates=3)
    for n in range(1, 6):
        box.push_update(n, update(n))
    assert box.next("1").requests == (1, 2, 3)
    box.delivered()
    assert box.next("1").requests == (4, 5)


def test_a_message_not_sent_frees_its_place_and_clear_empties_everything():
    box = Outbox()
    box.push_update(1, update(1))
    box.next("1")
    box.not_sent()
    box.push_update(2, update(2))
    assert box.next("1").requests == (2,)
    box.push_update(3, update(3))
    assert [q.request for q in box.clear()] == [3] and box.in_flight == 0 and len(box) == 0


def test_seeded_streams_send_every_update_once_in_order():
    rng = random.Random(11)
    for _ in range(200):
        box = Outbox(in_flight_limit=rng.randint(1, 3), max_updates=rng.randint(1, 6))
        asked, sent, out = [], [], 0
        request = 0
        for _ in range(rng.randint(1, 60)):
            if rng.random() < 0.5:
                request += 1
                box.push_update(request, update(request))
                asked.append(request)
            elif rng.random() < 0.3:
                box.push_message(wire.Envelope("idle-query", "1", 0))
                asked.append("m")
            if out and rng.random() < 0.5:
                box.delivered()
                out -= 1
            while (item := box.next("1")) is not None:
                out += 1
                sent.extend(requests_of(item.env) if item.env.kind != "idle-query" else ["m"])
        while len(box) or out:
            box.delivered()
            out = max(0, out - 1)
            while (item := box.next("1")) is not None:
                out += 1
                sent.extend(requests_of(item.env) if item.env.kind != "idle-query" else ["m"])
        assert sent == asked
