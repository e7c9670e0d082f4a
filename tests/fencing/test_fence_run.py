"""Running plans with real fence agent processes: written here, and Debian's fence_dummy."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from daemon.executor.executor import Executor
from daemon.executor.meta.discovery import AgentRoots
from daemon.executor.model import AgentSpec
from daemon.fencing.capable import AgentFacts
from daemon.fencing.devices import read_devices
from daemon.fencing.plan import plan_fencing
from daemon.fencing.redaction import MASK
from daemon.fencing.run import list_targets, run_plan
from tests.fencing.fence_fixtures import cib, device, level, write_executable

FENCE_DUMMY = Path("/usr/sbin/fence_dummy")

# Records its input, then does what its `behaviour` parameter says.
AGENT = """#!/bin/sh
input=$(cat)
value() { printf '%s\\n' "$input" | sed -n "s/^$1=//p"; }
log=$(value log)
printf '%s\\n--\\n' "$input" >> "$log"
echo $$ > "$log.pid"
case "$(value action)" in
list) printf 'node1,alias1\\nnode2\\n'; exit 0 ;;
esac
case "$(value behaviour)" in
ok) exit 0 ;;
fail) echo "switch refused the password $(value passwd)" >&2; exit 1 ;;
fail-on) [ "$(value action)" = on ] && { echo "on failed" >&2; exit 1; }; exit 0 ;;
fail-once) [ -e "$log.once" ] && exit 0; touch "$log.once"; echo busy >&2; exit 1 ;;
hang) exec sleep 30 ;;
esac
echo "unknown behaviour" >&2
exit 1
"""


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


@pytest.fixture
def roots(tmp_path: Path) -> AgentRoots:
    """The system's fence agents plus `fence_test` written into tmp_path."""
    write_executable(tmp_path / "fence" / "fence_test", AGENT)
    return AgentRoots(extra_fence_dirs=(tmp_path / "fence",))


def agent(tmp_path: Path, rid: str, behaviour: str, **params: str) -> str:
    params.setdefault("pcmk_host_list", "node1")
    return device(rid, behaviour=behaviour, log=str(tmp_path / f"{rid}.log"), **params)


def inputs(tmp_path: Path, rid: str) -> list[list[str]]:
    path = tmp_path / f"{rid}.log"
    if not path.exists():
        return []
    return [chunk.strip().splitlines() for chunk in path.read_text().split("--\n")
            if chunk.strip()]


def test_one_device_fences_and_reads_its_input(tmp_path, roots):
    plan = plan_fencing(cib(agent(tmp_path, "f1", "ok", pcmk_host_map="node1:7")), "node1")
    result = run(run_plan(plan, roots=roots))
    assert (result.ok, result.level, result.devices) == (True, None, ("f1",))
    assert [(a.device, a.number, a.exit_code, a.ok) for a in result.attempts] == [
        ("f1", 1, 0, True)]
    [lines] = inputs(tmp_path, "f1")
    assert lines[0] == "action=reboot"
    assert {"nodename=node1", "port=7", "behaviour=ok"} <= set(lines)
    assert not any(line.startswith("pcmk_") for line in lines)


def test_a_failing_level_is_retried_then_the_next_level_fences(tmp_path, roots):
    config = cib(agent(tmp_path, "bad", "fail", passwd="s3cret") + agent(tmp_path, "good", "ok"),
                 levels=level("l1", 1, "bad", target="node1")
                 + level("l2", 2, "good", target="node1"))
    result = run(run_plan(plan_fencing(config, "node1", "off"), roots=roots))
    assert (result.ok, result.level, result.level_id, result.devices) == (True, 2, "l2",
                                                                          ("good",))
    assert [(a.device, a.level, a.number, a.exit_code) for a in result.attempts] == [
        ("bad", 1, 1, 1), ("bad", 1, 2, 1), ("good", 2, 1, 0)]
    failed = result.attempts[0]
    assert "s3cret" not in failed.stderr_tail + failed.error
    assert failed.stderr_tail == f"switch refused the password {MASK}"
    assert len(inputs(tmp_path, "bad")) == 2


def test_retries_stop_at_pcmk_retries(tmp_path, roots):
    once = agent(tmp_path, "f1", "fail-once")
    result = run(run_plan(plan_fencing(cib(once), "node1"), roots=roots))
    assert result.ok and [a.exit_code for a in result.attempts] == [1, 0]
    (tmp_path / "f1.log.once").unlink()
    single = agent(tmp_path, "f1", "fail-once", pcmk_reboot_retries="1")
    result = run(run_plan(plan_fencing(cib(single), "node1"), roots=roots))
    assert not result.ok and [a.exit_code for a in result.attempts] == [1]
    assert result.reason == "every device failed (last: busy)"


def test_a_hanging_agent_is_killed_at_its_timeout_and_not_retried(tmp_path, roots):
    config = cib(agent(tmp_path, "slow", "hang", pcmk_reboot_timeout="300ms")
                 + agent(tmp_path, "next", "ok"))
    began = time.monotonic()
    result = run(run_plan(plan_fencing(config, "node1"), roots=roots, kill_grace_s=0.2))
    assert time.monotonic() - began < 3
    assert result.ok and result.devices == ("next",)
    hung = result.attempts[0]
    assert (hung.device, hung.timed_out, hung.exit_code) == ("slow", True, None)
    assert hung.error == "timed out after 300 ms"
    assert len([a for a in result.attempts if a.device == "slow"]) == 1
    pid = int((tmp_path / "slow.log.pid").read_text())
    assert not Path(f"/proc/{pid}").exists()


def test_reboot_by_two_devices_is_off_off_on_on_and_a_failed_on_is_ignored(tmp_path, roots):
    config = cib(agent(tmp_path, "pdu1", "ok") + agent(tmp_path, "pdu2", "fail-on"),
                 levels=level("l1", 1, "pdu1,pdu2", target="node1"))
    result = run(run_plan(plan_fencing(config, "node1"), roots=roots))
    assert result.ok and result.level == 1
    assert [(a.device, a.action, a.exit_code) for a in result.attempts] == [
        ("pdu1", "off", 0), ("pdu2", "off", 0), ("pdu1", "on", 0), ("pdu2", "on", 1),
        ("pdu2", "on", 1)]


def test_every_device_failing(tmp_path, roots):
    config = cib(agent(tmp_path, "a", "fail", pcmk_reboot_retries="1")
                 + agent(tmp_path, "b", "nonsense", pcmk_reboot_retries="1"))
    result = run(run_plan(plan_fencing(config, "node1"), roots=roots))
    assert not result.ok and result.level is None and result.devices == ()
    assert [a.device for a in result.attempts] == ["a", "b"]
    assert "unknown behaviour" in result.reason


def test_a_missing_agent_is_reported_and_not_retried(tmp_path, roots):
    config = cib(device("f1", agent="fence_nosuch", pcmk_host_list="node1"))
    result = run(run_plan(plan_fencing(config, "node1"), roots=roots))
    assert not result.ok and len(result.attempts) == 1
    assert "fence_nosuch is not installed" in result.attempts[0].error


def test_the_delay_is_waited_once_before_the_first_attempt(tmp_path, roots):
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
    config = cib(agent(tmp_path, "f1", "fail-once"))
    result = run(run_plan(plan_fencing(config, "node1"), roots=roots, delay_ms=1500,
                          sleep=sleep))
    assert result.ok and len(result.attempts) == 2
    assert waits == [1.5] and result.delay_ms == 1500


def test_a_real_delay_is_part_of_the_elapsed_time(tmp_path, roots):
    result = run(run_plan(plan_fencing(cib(agent(tmp_path, "f1", "ok")), "node1"),
                          roots=roots, delay_ms=150))
    assert result.ok and result.elapsed_ms >= 150


def test_an_empty_plan_runs_nothing_and_says_why(tmp_path, roots):
    plan = plan_fencing(cib(agent(tmp_path, "f1", "ok", pcmk_host_list="node2")), "node1")
    result = run(run_plan(plan, roots=roots))
    assert not result.ok and result.attempts == ()
    assert result.reason == "no fence device can reboot node1"
    assert inputs(tmp_path, "f1") == []


def test_list_targets_feeds_the_dynamic_list_check(tmp_path, roots):
    config = cib(agent(tmp_path, "f1", "ok", pcmk_host_list="", pcmk_host_check="dynamic-list"))
    devices, _ = read_devices(config)
    listed = run(list_targets(devices["f1"], roots=roots))
    assert listed == ("node1", "alias1", "node2")
    assert inputs(tmp_path, "f1")[0][0] == "action=list"
    facts = AgentFacts(lists={"f1": listed})
    assert plan_fencing(config, "alias1", facts=facts).ok
    assert not plan_fencing(config, "node3", facts=facts).ok
    missing = read_devices(cib(device("f2", agent="fence_nosuch")))[0]["f2"]
    assert run(list_targets(missing, roots=roots)) is None


needs_fence_dummy = pytest.mark.skipif(not os.access(FENCE_DUMMY, os.X_OK),
                                       reason="fence-agents (fence_dummy) is not installed")


async def _dummy_facts() -> AgentFacts:
    async with Executor() as ex:
        meta = await ex.metadata(AgentSpec("stonith", None, "fence_dummy"))
    assert meta is not None
    return AgentFacts(meta={"fence_dummy": meta})


@needs_fence_dummy
@pytest.mark.needs_agents
def test_debians_fence_dummy_powers_off_and_fails_as_told(tmp_path):
    facts = run(_dummy_facts())
    status = tmp_path / "dummy.status"
    status.write_text("on")                 # the "node" is powered on
    unreadable = tmp_path / "broken.status"
    unreadable.write_text("smoke")          # a power state the agent cannot make sense of
    config = cib(device("dummy", agent="fence_dummy", pcmk_host_list="node1",
                        status_file=str(status))
                 + device("broken", agent="fence_dummy", pcmk_host_list="node2",
                          status_file=str(unreadable), pcmk_off_retries="1"))
    plan = plan_fencing(config, "node1", "off", facts=facts)
    step = plan.levels[0].steps[0]
    assert step.port is None and "port" not in step.params     # it takes no port or plug
    result = run(run_plan(plan))
    assert result.ok, result.attempts
    assert status.read_text() == "off"
    failed = run(run_plan(plan_fencing(config, "node2", "off", facts=facts)))
    assert not failed.ok and failed.attempts[0].exit_code == 1
    assert "plug status" in failed.attempts[0].error
