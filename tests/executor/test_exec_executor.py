"""The executor's scheduling: recurring monitors, one operation per resource, limits."""

from __future__ import annotations

import asyncio
import time

import pytest

from daemon.executor import codes
from daemon.executor.executor import ExecutorClosed
from exec_fixtures import (HEARTBEAT_DUMMY, SHIPPED_DUMMY, in_loop, needs_heartbeat, request,
                           with_test_agents, write_test_agent)


async def _next(queue: asyncio.Queue, within: float = 5.0):
    return await asyncio.wait_for(queue.get(), within)


@in_loop
async def test_recurring_monitor_notices_the_state_file_removed(make_executor, rsctmp):
    async with make_executor() as ex:
        assert (await ex.execute(request("d", SHIPPED_DUMMY, "start"))).rc == 0
        results: asyncio.Queue = asyncio.Queue()
        monitor = request("d", SHIPPED_DUMMY, "monitor", 200)
        ex.start_recurring(monitor, results.put_nowait)
        first = await _next(results)
        assert (first.rc, first.op_status) == (0, codes.EXEC_DONE)
        assert ex.recurring() == [monitor]
        (rsctmp / "Dummy-d.state").unlink()              # the service died behind our back
        noticed = await _next(results)
        assert noticed.rc == codes.OCF_NOT_RUNNING
        assert noticed.call_id == first.call_id         # a recurring op keeps its call id
        assert noticed.started_ms > first.started_ms
        assert results.empty()                           # no report while nothing changes
        assert ex.cancel("d", "monitor", 200) and not ex.cancel("d", "monitor", 200)
        assert ex.recurring() == []


@in_loop
async def test_every_run_is_reported_when_asked(make_executor):
    async with make_executor() as ex:
        await ex.execute(request("d", SHIPPED_DUMMY, "start"))
        seen = []
        ex.start_recurring(request("d", SHIPPED_DUMMY, "monitor", 50), seen.append,
                           changes_only=False)
        while len(seen) < 3:
            await asyncio.sleep(0.05)
    assert [r.rc for r in seen[:3]] == [0, 0, 0]


@in_loop
async def test_one_operation_at_a_time_per_resource(make_executor):
    async with make_executor() as ex:
        reported: asyncio.Queue = asyncio.Queue()
        start = asyncio.ensure_future(ex.execute(request(
            "d", SHIPPED_DUMMY, "start", params={"op_sleep": "0.4"})))
        await asyncio.sleep(0.05)
        ex.start_recurring(request("d", SHIPPED_DUMMY, "monitor", 5000,
                                   params={"op_sleep": "0.4"}), reported.put_nowait)
        other = await ex.execute(request("e", SHIPPED_DUMMY, "start"))   # another resource
        started = await start
        monitored = await _next(reported)
    assert monitored.rc == 0                     # it ran after the start, never during it
    assert monitored.started_ms >= started.started_ms + started.exec_ms
    assert monitored.queue_ms >= 250
    assert other.started_ms < started.started_ms + started.exec_ms   # not held up


@in_loop
async def test_stop_cancels_the_monitor_and_its_result_is_not_reported(make_executor):
    async with make_executor() as ex:
        await ex.execute(request("d", SHIPPED_DUMMY, "start"))
        reported = []
        ex.start_recurring(request("d", SHIPPED_DUMMY, "monitor", 1000,
                                   params={"op_sleep": "5"}), reported.append)
        await asyncio.sleep(0.2)                  # the monitor is running (for 5 s)
        began = time.monotonic()
        stop = await ex.execute(request("d", SHIPPED_DUMMY, "stop"))
        assert time.monotonic() - began < 2      # the running monitor was killed
        await asyncio.sleep(0.3)
    assert stop.rc == 0 and stop.cancelled == ("d_monitor_1000",)
    assert reported == [] and ex.recurring() == []


@in_loop
async def test_node_action_limit(make_executor):
    async def two_starts(ex):
        began = time.monotonic()
        await asyncio.gather(*(ex.execute(request(r, SHIPPED_DUMMY, "start",
                                                  params={"op_sleep": "0.3"}))
                               for r in ("a", "b")))
        return time.monotonic() - began
    async with make_executor(node_action_limit=1) as ex:
        assert await two_starts(ex) >= 0.6
    async with make_executor(node_action_limit=2) as ex:
        assert await two_starts(ex) < 0.55


@in_loop
async def test_call_ids_increase_from_the_first(make_executor):
    async with make_executor(first_call_id=41) as ex:
        ids = [(await ex.execute(request("d", SHIPPED_DUMMY, "monitor"))).call_id
               for _ in range(3)]
    assert ids == [41, 42, 43]


@in_loop
async def test_close_kills_running_agents(make_executor):
    ex = make_executor()
    running = asyncio.ensure_future(ex.execute(request("d", SHIPPED_DUMMY, "start",
                                                       params={"op_sleep": "30"})))
    await asyncio.sleep(0.2)
    began = time.monotonic()
    await ex.close()
    result = await running
    assert time.monotonic() - began < 2
    assert result.op_status == codes.EXEC_CANCELLED
    with pytest.raises(ExecutorClosed):
        await ex.execute(request("d", SHIPPED_DUMMY, "start"))


@in_loop
async def test_start_delay(make_executor):
    async with make_executor() as ex:
        asked = time.time()
        result = await ex.execute(request("d", SHIPPED_DUMMY, "monitor", start_delay_ms=300))
    assert result.started_ms / 1000 - asked >= 0.29


@in_loop
async def test_reload_uses_the_name_the_agent_offers(make_executor, roots, tmp_path):
    """reload-agent for OCF 1.1 agents; reload for older ones that offer only that."""
    log = tmp_path / "actions"
    meta = """<resource-agent name="Old"><version>1.0</version><parameters/>
<actions><action name="reload"/><action name="start"/></actions></resource-agent>"""
    write_test_agent(tmp_path, "Old",
                     f"#!/bin/sh\nif [ \"$1\" = meta-data ]; then cat <<'E'\n{meta}\nE\n"
                     f"exit 0; fi\necho $1 >> {log}\nexit 0\n")
    roots = with_test_agents(roots, tmp_path)
    async with make_executor(roots=roots) as ex:
        old = await ex.execute(request("o", "ocf:test:Old", "reload-agent"))
        new = await ex.execute(request("d", SHIPPED_DUMMY, "reload-agent"))
    assert old.request.action == "reload" and log.read_text().split() == ["reload"]
    assert new.request.action == "reload-agent"


@needs_heartbeat
@in_loop
async def test_metadata_is_fetched_once(make_executor):
    async with make_executor() as ex:
        first = await ex.metadata(HEARTBEAT_DUMMY)
        again = await ex.metadata(HEARTBEAT_DUMMY)
        assert first is again and first.supports_legacy_reload
        assert await ex.metadata(SHIPPED_DUMMY) is not None
        assert await ex.metadata(request("x", "ocf:heartbeat:NoSuch", "start").agent) is None
