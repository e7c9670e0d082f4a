"""Fence agents: parameters on standard input, devices registered by start."""

from __future__ import annotations

import pytest

from daemon.executor import codes
from daemon.executor.classes.stonith import fence_stdin, host_port
from daemon.executor.model import AgentSpec
from exec_fixtures import in_loop, needs_fence_agents, request, write_executable

FENCE_AGENT = """#!/bin/sh
# Records its input, then answers like a fence agent: monitor ok, status says off.
cat > {inputs}/input.$$
action=$(sed -n 's/^action=//p' {inputs}/input.$$)
echo "$action" >> {inputs}/actions
case "$action" in
monitor|list) exit 0 ;;
status) exit 2 ;;
*) echo "unsupported $action" >&2; exit 1 ;;
esac
"""
DEVICE = {"ipaddr": "10.0.0.9", "login": "admin", "pcmk_host_list": "node1 node2",
          "pcmk_delay_max": "5s"}


@pytest.fixture
def agent(roots, tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    write_executable(roots.extra_fence_dirs[0] / "fence_test",
                     FENCE_AGENT.format(inputs=inputs))
    return inputs


def _inputs(inputs) -> list[str]:
    files = sorted(inputs.glob("input.*"), key=lambda p: p.stat().st_mtime_ns)
    return [p.read_text() for p in files]


@in_loop
async def test_start_registers_monitor_checks_stop_unregisters(make_executor, agent):
    async with make_executor() as ex:
        before = await ex.execute(request("fence1", "stonith:fence_test", "monitor",
                                          params=DEVICE))
        assert before.rc == codes.OCF_NOT_RUNNING       # not registered: the agent is not run
        assert not (agent / "actions").exists()
        started = await ex.execute(request("fence1", "stonith:fence_test", "start",
                                           params=DEVICE))
        assert (started.rc, started.op_status) == (0, codes.EXEC_DONE)
        assert set(ex.fence_devices()) == {"fence1"}
        monitor = await ex.execute(request("fence1", "stonith:fence_test", "monitor", 60_000,
                                           params=DEVICE))
        assert monitor.rc == 0
        stopped = await ex.execute(request("fence1", "stonith:fence_test", "stop",
                                           params=DEVICE))
        assert stopped.rc == 0 and ex.fence_devices() == {}
        after = await ex.execute(request("fence1", "stonith:fence_test", "monitor",
                                         params=DEVICE))
        assert after.rc == codes.OCF_NOT_RUNNING
    # start and monitor ran the agent's monitor; stop and the unregistered monitors ran nothing
    assert (agent / "actions").read_text().split() == ["monitor", "monitor"]
    assert _inputs(agent)[0] == "action=monitor\nipaddr=10.0.0.9\nlogin=admin\n"


@in_loop
async def test_agent_actions_and_overrides(make_executor, agent):
    async with make_executor() as ex:
        status = await ex.execute(request("f", "stonith:fence_test", "status", params=DEVICE))
        listed = await ex.execute(request("f", "stonith:fence_test", "list", params=DEVICE))
        await ex.execute(request("f", "stonith:fence_test", "start",
                                 params={**DEVICE, "pcmk_monitor_action": "list"}))
    assert status.rc == codes.OCF_NOT_RUNNING and listed.rc == 0
    assert (agent / "actions").read_text().split() == ["status", "list", "list"]


@in_loop
async def test_a_newline_in_a_parameter_is_refused(make_executor, agent):
    async with make_executor() as ex:
        result = await ex.execute(request("f", "stonith:fence_test", "start",
                                          params={"login": "admin\naction=off"}))
    assert (result.rc, result.op_status) == (codes.OCF_ERR_CONFIGURED, codes.EXEC_ERROR_FATAL)
    assert "login" in result.exit_reason
    assert not (agent / "actions").exists()


@in_loop
async def test_missing_fence_agent(make_executor):
    async with make_executor() as ex:
        result = await ex.execute(request("f", "stonith:fence_nosuch", "start"))
    assert (result.rc, result.op_status) == (codes.OCF_ERR_INSTALLED, codes.EXEC_NOT_INSTALLED)


def test_stdin_for_an_action_on_a_node():
    params = {"ipaddr": "pdu", "pcmk_host_map": "node1:3;node2:4"}
    assert fence_stdin("reboot", params, "node2") == (
        b"action=reboot\nipaddr=pdu\nport=4\nnodename=node2\n")
    assert fence_stdin("off", {"pcmk_host_argument": "plug"}, "n") == (
        b"action=off\nplug=n\nnodename=n\n")
    assert fence_stdin("off", {"pcmk_host_argument": "none"}, "n") == b"action=off\nnodename=n\n"
    assert host_port("node9", params) == "node9"


@needs_fence_agents
@in_loop
async def test_real_fence_agent(make_executor, tmp_path):
    spec = AgentSpec("stonith", None, "fence_dummy")
    params = {"type": "file", "status_file": str(tmp_path / "fence_dummy.status")}
    async with make_executor() as ex:
        meta = await ex.metadata(spec)
        assert meta is not None and meta.parameter("type") is not None
        assert {"monitor", "status", "start", "stop"} <= meta.action_names
        started = await ex.execute(request("fd", spec, "start", params=params))
        assert (started.rc, started.op_status) == (0, codes.EXEC_DONE), started
        monitor = await ex.execute(request("fd", spec, "monitor", 60_000, params=params))
        assert monitor.rc == 0
