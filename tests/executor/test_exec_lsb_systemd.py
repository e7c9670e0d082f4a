"""LSB init scripts, systemd units and service: agents."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from daemon.executor import codes
from daemon.executor.classes.systemd import parse_show, unit_name
from daemon.executor.meta.discovery import AgentRoots
from exec_fixtures import in_loop, request, write_executable

INIT_SCRIPT = """#!/bin/sh
### BEGIN INIT INFO
# Provides:          testd
# Short-Description: A test service
### END INIT INFO
STATE={state}
echo "$1" >> {log}
case "$1" in
start) touch "$STATE"; exit 0 ;;
stop) rm -f "$STATE"; exit 0 ;;
status) [ -f "$STATE" ] && exit 0; [ -f "$STATE.gone" ] && exit 150; exit 3 ;;
*) exit 3 ;;
esac
"""


def _script(roots: AgentRoots, tmp_path: Path, name: str = "testd") -> Path:
    return write_executable(roots.lsb_dir / name, INIT_SCRIPT.format(
        state=tmp_path / f"{name}.running", log=tmp_path / f"{name}.log"))


@in_loop
async def test_lsb_script_lifecycle_and_status_codes(make_executor, roots, tmp_path):
    _script(roots, tmp_path)
    async with make_executor() as ex:
        got = [(await ex.execute(request("t", "lsb:testd", action))).rc
               for action in ("monitor", "start", "monitor", "stop", "status")]
        assert got == [7, 0, 0, 0, 7]
        (tmp_path / "testd.running.gone").touch()
        gone = await ex.execute(request("t", "lsb:testd", "monitor"))
        assert gone.rc == codes.OCF_ERR_INSTALLED
        promote = await ex.execute(request("t", "lsb:testd", "promote"))
    # monitor runs the script's status action
    assert (tmp_path / "testd.log").read_text().split() == [
        "status", "start", "status", "stop", "status", "status"]
    assert (promote.rc, promote.op_status) == (codes.OCF_ERR_UNIMPLEMENTED,
                                               codes.EXEC_NOT_SUPPORTED)


@in_loop
async def test_missing_lsb_script(make_executor):
    async with make_executor() as ex:
        result = await ex.execute(request("t", "lsb:nosuch", "start"))
    assert (result.rc, result.op_status) == (codes.OCF_ERR_INSTALLED, codes.EXEC_NOT_INSTALLED)
    assert "nosuch" in result.exit_reason


@in_loop
async def test_without_systemd_every_action_says_so_at_once(make_executor):
    async with make_executor() as ex:
        began = time.monotonic()
        results = [await ex.execute(request("u", "systemd:nginx", action))
                   for action in ("monitor", "start", "stop")]
        elapsed = time.monotonic() - began
    for result in results:
        assert (result.rc, result.op_status) == (codes.OCF_ERR_INSTALLED,
                                                 codes.EXEC_NOT_INSTALLED)
        assert result.exit_reason == "systemd is not running on this host"
    assert elapsed < 1


@in_loop
async def test_service_is_the_init_script_if_there_is_one(make_executor, roots, tmp_path):
    _script(roots, tmp_path, "svc")
    async with make_executor() as ex:
        with_script = await ex.execute(request("s", "service:svc", "start"))
        without = await ex.execute(request("s2", "service:other", "start"))
    assert (with_script.rc, with_script.op_status) == (0, codes.EXEC_DONE)
    assert without.exit_reason == "systemd is not running on this host"


def test_unit_names_and_show_output():
    assert unit_name("nginx") == "nginx.service"
    assert unit_name("var-lib.mount") == "var-lib.mount"
    assert parse_show(b"LoadState=loaded\nActiveState=active\n") == {
        "LoadState": "loaded", "ActiveState": "active"}


@pytest.mark.skipif(not Path("/run/systemd/system").is_dir() or not shutil.which("systemd-run"),
                    reason="systemd is not the running init here")
@in_loop
async def test_real_systemd_unit(make_executor, rsctmp):
    """Against the host's systemd: a transient unit runs, is seen active, stopped, inactive."""
    name = f"crmshell-test-{uuid.uuid4().hex[:8]}"
    roots = AgentRoots()
    subprocess.run(["systemd-run", f"--unit={name}", "--property=RemainAfterExit=no",
                    "/bin/sleep", "300"], check=True, timeout=30, capture_output=True)
    try:
        async with make_executor(roots=roots) as ex:
            assert (await ex.execute(request("u", f"systemd:{name}", "monitor"))).rc == 0
            assert (await ex.execute(request("u", f"systemd:{name}", "stop"))).rc == 0
            after = await ex.execute(request("u", f"systemd:{name}", "monitor"))
            assert after.rc in (codes.OCF_NOT_RUNNING, codes.OCF_ERR_INSTALLED)
    finally:
        subprocess.run(["systemctl", "stop", f"{name}.service"], timeout=30,
                       capture_output=True)
