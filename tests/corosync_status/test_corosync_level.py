"""The corosync level without a corosync: what it offers, its refusals, its lazy imports."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from pathlib import Path

from crmshell.levels.corosync import STATUS_VIEWS, CorosyncLevel
from crmshell.session import Session
from crmshell.ui.help import help_for

REPO = Path(__file__).resolve().parents[2]


def _one_shot(*words: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    session = Session.create(env={}, out=out, err=err)
    return session.one_shot(list(words)), out.getvalue(), err.getvalue()


def test_status_takes_the_three_views_and_says_which_tool_each_one_is():
    spec = CorosyncLevel.commands()["status"]
    assert (spec.usage, spec.min_args, spec.max_args, spec.needs_daemon) == \
        ("status [ring|quorum|pcs]", 0, 1, False)
    assert [w for w, _tool in spec.completers[0].items] == ["ring", "quorum", "pcs"]
    assert STATUS_VIEWS["pcs"] == "pcs status corosync"
    text = help_for(CorosyncLevel, ["status"])
    assert text.startswith("usage: status [ring|quorum|pcs]") and "corosync-quorumtool -s" in text


def test_an_unknown_view_is_refused_before_corosync_is_asked():
    status, out, err = _one_shot("corosync", "status", "qnetd")
    assert status == 1 and out == ""
    assert "status: unknown view 'qnetd': use ring (as corosync-cfgtool -s), quorum (as " \
        "corosync-quorumtool -s) or pcs (as pcs status corosync)" in err


def test_show_prints_this_hosts_corosync_conf_and_needs_no_daemon(tmp_path, monkeypatch):
    from daemon.remote import node_ops

    conf = tmp_path / "corosync.conf"
    real = node_ops.HostPaths
    monkeypatch.setattr(node_ops, "HostPaths", lambda: real(
        corosync_conf=conf, authkey=conf.with_name("authkey")))
    status, out, err = _one_shot("corosync", "show")
    assert status == 1 and "no cluster on this host" in err
    conf.write_text("totem {\n    cluster_name: c\n}\n")
    status, out, err = _one_shot("corosync", "show")
    assert status == 0 and "cluster_name: c" in out
    assert not CorosyncLevel.commands()["show"].needs_daemon


def test_the_shell_starts_without_the_binding_or_ctypes():
    """Only running `corosync status` imports the binding (and only its first connection
    loads corosync's libraries)."""
    probe = ("import sys, crmshell.session, crmshell.levels.root; "
             "print(sorted(m for m in sys.modules if m == 'ctypes' or "
             "m.startswith(('daemon.corosync', 'crmshell.corosync_status'))))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


class _Addresses:
    """Stands in for CfgConnection.node_addrs: the addresses corosync would give, or its error."""

    def __init__(self, answer) -> None:
        self.answer = answer

    def node_addrs(self, nodeid: int):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_members_are_named_as_quorumtool_names_them():
    from daemon.corosync.errors import CorosyncError

    from crmshell.corosync_status.read import _member_name

    said: list[str] = []
    assert _member_name(_Addresses(("10.0.0.1",)), 1, "node1", said.append) == "node1"
    # no nodelist name: the first address, resolved as getnameinfo resolves it (a host name)
    host = socket.getnameinfo(("127.0.0.1", 0), 0)[0]
    assert _member_name(_Addresses(("127.0.0.1", "10.0.0.1")), 1, "", said.append) == host
    assert _member_name(_Addresses((None, "10.0.0.1")), 1, "", said.append) == ""
    assert said == []
    # corosync has no address for the node: even its nodelist name is lost, as in the tool
    gone = CorosyncError("corosync_cfg_get_node_addrs", 12)
    assert _member_name(_Addresses(gone), 4, "node4", said.append) == ""
    assert said == ["Unable to get node address for nodeid 4: CS_ERR_NOT_EXIST"]


def test_why_corosync_could_not_be_asked_in_one_line_each():
    from daemon.corosync.errors import CorosyncError, CorosyncUnavailable
    from daemon.corosync.libs import LibraryMissing

    from crmshell.corosync_status.read import explain

    starting = explain(CorosyncUnavailable("cmap_initialize", 6))
    assert str(starting).startswith("corosync is starting on this node")
    missing = explain(LibraryMissing("libcfg.so.7", "No such file"))
    assert str(missing) == "cannot load libcfg.so.7: No such file (install corosync's client " \
        "libraries)"
    odd = explain(CorosyncError("corosync_cfg_local_get", 21))
    assert str(odd) == "corosync did not answer as expected: corosync_cfg_local_get: " \
        "CS_ERR_FAILED_OPERATION: operation failed"
    assert all("\n" not in str(e) for e in (starting, missing, odd))
