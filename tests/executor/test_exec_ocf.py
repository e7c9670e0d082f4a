"""OCF agents run for real: the shipped ones, resource-agents' and pacemaker's."""

from __future__ import annotations

import os
import time

from daemon.executor import codes
from exec_fixtures import (HEARTBEAT_DUMMY, PACEMAKER_STATEFUL, SHIPPED_DUMMY,
                           SHIPPED_STATEFUL, in_loop, needs_heartbeat, needs_pacemaker_agents,
                           request, with_test_agents, write_test_agent, write_executable)


async def _codes(ex, rsc, agent, actions, **kw):
    out = []
    for action in actions:
        result = await ex.execute(request(rsc, agent, action, **kw))
        assert result.op_status == codes.EXEC_DONE, result
        out.append(result.rc)
    return out


@in_loop
async def test_shipped_dummy_lifecycle(make_executor, rsctmp):
    async with make_executor() as ex:
        assert await _codes(ex, "d1", SHIPPED_DUMMY, ["monitor", "start", "monitor"]) == [7, 0, 0]
        assert (rsctmp / "Dummy-d1.state").exists()
        assert await _codes(ex, "d1", SHIPPED_DUMMY, ["stop", "monitor", "stop"]) == [0, 7, 0]
        assert not (rsctmp / "Dummy-d1.state").exists()


@needs_heartbeat
@in_loop
async def test_heartbeat_dummy_lifecycle(make_executor, rsctmp):
    async with make_executor() as ex:
        assert await _codes(ex, "hb", HEARTBEAT_DUMMY,
                            ["monitor", "start", "monitor", "stop", "monitor"]) == [7, 0, 0, 0, 7]


@needs_pacemaker_agents
@in_loop
async def test_pacemaker_stateful_promote_and_demote(make_executor, tmp_path):
    params = {"state": str(tmp_path / "stateful.state")}
    async with make_executor() as ex:
        got = await _codes(ex, "s", PACEMAKER_STATEFUL,
                           ["monitor", "start", "monitor", "promote", "monitor", "demote",
                            "monitor", "stop", "monitor"], params=params)
        assert got == [7, 0, 0, 0, 8, 0, 0, 0, 7]


@in_loop
async def test_shipped_stateful_sets_its_promotion_score_through_the_hook(make_executor,
                                                                           tmp_path, rsctmp):
    calls = tmp_path / "attr-calls"
    hook = write_executable(tmp_path / "attr", f'#!/bin/sh\necho "$OCF_RESOURCE_INSTANCE $*" '
                                               f'>> {calls}\n')
    async with make_executor(extra_env={"CRMSHELL_ATTR": str(hook)}) as ex:
        got = await _codes(ex, "s:0", SHIPPED_STATEFUL,
                           ["monitor", "start", "monitor", "promote", "monitor", "demote",
                            "stop", "monitor"], meta={"globally_unique": "false"})
        assert got == [7, 0, 0, 0, 8, 0, 0, 7]
    # start, probe (restores the score), promote, probe, demote, stop
    assert calls.read_text().splitlines() == [
        "s:0 --promotion -v 5", "s:0 --promotion -v 5", "s:0 --promotion -v 10",
        "s:0 --promotion -v 10", "s:0 --promotion -v 5", "s:0 --promotion -D"]
    assert not (rsctmp / "Stateful-s.state").exists()


@in_loop
async def test_agent_environment_is_pacemakers_and_nothing_else(make_executor, roots, tmp_path,
                                                                monkeypatch):
    monkeypatch.setenv("CRMSHELL_TEST_LEAK", "must not reach agents")
    dump = tmp_path / "env"
    write_test_agent(tmp_path, "EnvDump", f"#!/bin/sh\nenv > {dump}\nexit 0\n")
    roots = with_test_agents(roots, tmp_path)
    async with make_executor(roots=roots) as ex:
        result = await ex.execute(request(
            "db:1", "ocf:test:EnvDump", "monitor", 10_000, timeout_ms=30_000,
            params={"ip": "10.0.0.1", "OCF_CHECK_LEVEL": "10"},
            meta={"clone": "1", "notify_start_uname": "n1 n2"}))
    assert result.rc == 0
    env = dict(line.split("=", 1) for line in dump.read_text().splitlines() if "=" in line)
    assert env["OCF_ROOT"] == "/usr/lib/ocf"
    assert (env["OCF_RA_VERSION_MAJOR"], env["OCF_RA_VERSION_MINOR"]) == ("1", "1")
    assert env["OCF_RESOURCE_INSTANCE"] == "db:1"
    assert (env["OCF_RESOURCE_TYPE"], env["OCF_RESOURCE_PROVIDER"]) == ("EnvDump", "test")
    assert env["OCF_RESKEY_ip"] == "10.0.0.1" and env["OCF_CHECK_LEVEL"] == "10"
    assert env["OCF_RESKEY_CRM_meta_interval"] == "10000"
    assert env["OCF_RESKEY_CRM_meta_timeout"] == "30000"
    assert env["OCF_RESKEY_CRM_meta_clone"] == "1"
    assert env["OCF_RESKEY_CRM_meta_notify_start_uname"] == "n1 n2"
    assert env["OCF_EXIT_REASON_PREFIX"] == "ocf-exit-reason:"
    assert env["PATH"] == "/usr/sbin:/usr/bin:/sbin:/bin"
    assert "CRMSHELL_TEST_LEAK" not in env and "HOME" not in env


@in_loop
async def test_exit_reason_is_the_last_marked_line(make_executor, roots, tmp_path):
    write_test_agent(tmp_path, "Fails", "#!/bin/sh\n"
                     "echo 'ocf-exit-reason:first reason' >&2\necho noise >&2\n"
                     f"echo 'ocf-exit-reason:{'x' * 200}' >&2\necho more >&2\nexit 1\n")
    write_test_agent(tmp_path, "Odd", "#!/bin/sh\nexit 42\n")
    roots = with_test_agents(roots, tmp_path)
    async with make_executor(roots=roots) as ex:
        failed = await ex.execute(request("f", "ocf:test:Fails", "start"))
        odd = await ex.execute(request("o", "ocf:test:Odd", "start"))
    assert (failed.rc, failed.op_status) == (codes.OCF_ERR_GENERIC, codes.EXEC_DONE)
    assert failed.exit_reason == "x" * 128
    assert "noise" in failed.output and "more" in failed.output
    assert odd.rc == codes.OCF_ERR_GENERIC and odd.exit_reason == ""


@in_loop
async def test_missing_and_unrunnable_agents(make_executor, roots, tmp_path):
    write_test_agent(tmp_path, "NoExec", "#!/bin/sh\nexit 0\n").chmod(0o644)
    roots = with_test_agents(roots, tmp_path)
    async with make_executor(roots=roots) as ex:
        missing = await ex.execute(request("m", "ocf:heartbeat:NoSuchAgent", "monitor"))
        noexec = await ex.execute(request("n", "ocf:test:NoExec", "start"))
    assert (missing.rc, missing.op_status) == (codes.OCF_ERR_INSTALLED, codes.EXEC_NOT_INSTALLED)
    assert "ocf:heartbeat:NoSuchAgent is not installed" in missing.exit_reason
    assert "/usr/lib/ocf/resource.d/heartbeat/NoSuchAgent" in missing.exit_reason
    assert (noexec.rc, noexec.op_status) == (codes.OCF_ERR_PERM, codes.EXEC_ERROR)
    assert "not executable" in noexec.exit_reason


@in_loop
async def test_hanging_agent_is_a_timeout(make_executor):
    async with make_executor() as ex:
        began = time.monotonic()
        result = await ex.execute(request("slow", SHIPPED_DUMMY, "start", timeout_ms=300,
                                          params={"op_sleep": "30"}))
        elapsed = time.monotonic() - began
    assert (result.rc, result.op_status) == (codes.OCF_ERR_GENERIC, codes.EXEC_TIMEOUT)
    assert "timeout of 300ms" in result.exit_reason
    assert 0.3 <= elapsed < 3 and 250 <= result.exec_ms < 3000


@in_loop
async def test_invalid_parameter_is_reported_by_the_agent(make_executor):
    async with make_executor() as ex:
        result = await ex.execute(request("bad", SHIPPED_DUMMY, "start",
                                          params={"op_sleep": "soon"}))
    assert (result.rc, result.op_status) == (codes.OCF_ERR_CONFIGURED, codes.EXEC_DONE)
    assert result.exit_reason == "op_sleep must be a number of seconds, not 'soon'"


def test_shipped_agents_are_executable_posix_sh():
    from daemon.executor.meta.discovery import SHIPPED_OCF_ROOT
    for name in ("Dummy", "Stateful"):
        path = SHIPPED_OCF_ROOT / "resource.d" / "crmshell" / name
        assert os.access(path, os.X_OK)
        assert path.read_text().startswith("#!/bin/sh\n")
        text = path.read_text()
        assert ". ${OCF_FUNCTIONS_DIR" not in text and "/lib/heartbeat/" not in text


@in_loop
async def test_shipped_agents_keep_their_state_private(make_executor, rsctmp):
    async with make_executor() as ex:
        await ex.execute(request("p", SHIPPED_DUMMY, "start",
                                 params={"state": str(rsctmp / "sub" / "p.state")}))
    assert (rsctmp / "sub" / "p.state").stat().st_mode & 0o777 == 0o640
    assert (rsctmp / "sub").stat().st_mode & 0o777 == 0o750


@in_loop
async def test_timed_out_agent_leaves_no_process_of_its_group(make_executor, roots, tmp_path):
    """An agent that forks helpers (one ignoring SIGTERM) and hangs: at the timeout the
    result is a timeout and nothing it started is left."""
    import asyncio
    from exec_fixtures import alive, kill_quietly

    pids = tmp_path / "pids"
    write_test_agent(tmp_path, "Hang", f"""#!/bin/sh
echo $$ >> {pids}
sleep 300 &
echo $! >> {pids}
sh -c 'trap "" TERM; echo $$ >> {pids}; while :; do sleep 1; done' &
wait
""")
    roots = with_test_agents(roots, tmp_path)
    try:
        async with make_executor(roots=roots) as ex:
            result = await ex.execute(request("h", "ocf:test:Hang", "start", timeout_ms=400))
        assert result.op_status == codes.EXEC_TIMEOUT
        started = [int(p) for p in pids.read_text().split()]
        assert len(started) == 3
        for _ in range(100):
            if not any(alive(p) for p in started):
                break
            await asyncio.sleep(0.02)
        assert [p for p in started if alive(p)] == []
    finally:
        for pid in (int(p) for p in pids.read_text().split()) if pids.exists() else ():
            kill_quietly(pid)
