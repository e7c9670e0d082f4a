from __future__ import annotations

import io

import pytest

from crmshell.session import Session
from tests.api.serving import ServerThread
from tests.shell_live.daemon_double import StoreDispatch


class LiveShell:
    """One-shot shell commands against the daemon double, as `crmshell --socket S ...`."""

    def __init__(self, socket: str, dispatch: StoreDispatch, env: dict) -> None:
        self.socket, self.dispatch, self.env = socket, dispatch, env
        self.out = self.err = ""

    def run(self, *words: str, wait: bool = False) -> int:
        out, err = io.StringIO(), io.StringIO()
        session = Session.create(socket=self.socket, wait=wait, env=self.env, out=out, err=err)
        status = session.one_shot(list(words))
        self.out, self.err = out.getvalue(), err.getvalue()
        return status

    def ops(self, op: str) -> list[dict]:
        return [args for name, args in self.dispatch.requests if name == op]


@pytest.fixture
def live(tmp_path):
    dispatch = StoreDispatch()
    socket = str(tmp_path / "run" / "crmshelld.sock")
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    with ServerThread(socket, dispatch, access_group="root"):
        yield LiveShell(socket, dispatch, env)
