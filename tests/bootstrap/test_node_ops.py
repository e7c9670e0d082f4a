"""The operations a host does for bootstrap, on files in a temporary directory: arguments
checked before anything changes, files written with their modes, the old text returned."""

import base64
import json
import os

import pytest

from crmshell.bootstrap import plan
from crmshell.bootstrap.peers import decode_reply, serve_node_op
from daemon.corosync.conf import render
from daemon.remote import node_ops
from daemon.remote.node_ops import HostPaths, OpError, handle


@pytest.fixture
def paths(tmp_path):
    return HostPaths(corosync_conf=tmp_path / "etc" / "corosync.conf",
                     authkey=tmp_path / "etc" / "authkey", state_dir=tmp_path / "state",
                     run_dir=tmp_path / "run", log_dir=tmp_path / "log",
                     corosync_pid=tmp_path / "run" / "corosync.pid", services_systemd=False)


def _conf(*names):
    return render(plan.new_cluster("c1", [(n, (f"10.0.0.{i}",)) for i, n in
                                          enumerate(names, 1)]))


KEY = base64.b64encode(bytes(range(256))).decode()


def test_install_writes_the_files_with_their_modes(paths):
    assert handle("install-cluster", {"corosync_conf": _conf("a"), "authkey": KEY},
                  paths)["replaced"] is False
    assert paths.authkey.read_bytes() == bytes(range(256))
    assert oct(paths.authkey.stat().st_mode & 0o777) == "0o400"
    assert oct(paths.corosync_conf.stat().st_mode & 0o777) == "0o644"
    info = handle("info", {}, paths)
    assert info["cluster_name"] == "c1" and [n["name"] for n in info["nodes"]] == ["a"]
    assert info["services"]["corosync"] == {"active": False, "enabled": False}


def test_a_host_with_a_cluster_refuses_another_unless_forced(paths):
    handle("install-cluster", {"corosync_conf": _conf("a"), "authkey": KEY}, paths)
    with pytest.raises(OpError, match="already part of cluster 'c1'") as err:
        handle("install-cluster", {"corosync_conf": _conf("b"), "authkey": KEY}, paths)
    assert err.value.code == "exists"
    assert "name: a" in paths.corosync_conf.read_text()
    assert handle("install-cluster", {"corosync_conf": _conf("b"), "authkey": KEY,
                                      "force": True}, paths)["replaced"] is True


DEBIAN_EXAMPLE = """totem {
\tversion: 2
\tcluster_name: debian
\tcrypto_cipher: none
\tcrypto_hash: none
}
nodelist {
\tnode {
\t\tname: node1
\t\tnodeid: 1
\t\tring0_addr: 127.0.0.1
\t}
}
"""


def test_the_packages_unencrypted_example_is_kept_aside_and_replaced(paths):
    paths.corosync_conf.parent.mkdir(parents=True)
    paths.corosync_conf.write_text(DEBIAN_EXAMPLE)
    info = handle("info", {}, paths)
    assert info["cluster_name"] is None and "must be encrypted" in info["conf_problem"]
    done = handle("install-cluster", {"corosync_conf": _conf("a"), "authkey": KEY}, paths)
    assert done["backup"].endswith("corosync.conf.orig")
    assert paths.corosync_conf.with_name("corosync.conf.orig").read_text() == DEBIAN_EXAMPLE
    assert handle("info", {}, paths)["cluster_name"] == "c1"


def test_services_do_not_start_on_a_file_that_is_not_a_cluster(paths):
    paths.corosync_conf.parent.mkdir(parents=True)
    paths.corosync_conf.write_text(DEBIAN_EXAMPLE)
    with pytest.raises(OpError, match="must be encrypted"):
        handle("service", {"action": "start"}, paths)


@pytest.mark.parametrize("args,field", [
    ({"corosync_conf": "totem {\n", "authkey": KEY}, "corosync_conf"),
    ({"corosync_conf": _conf("a").replace("aes256", "none"), "authkey": KEY}, "corosync_conf"),
    ({"corosync_conf": _conf("a"), "authkey": "!!"}, "authkey"),
    ({"corosync_conf": _conf("a"), "authkey": base64.b64encode(b"short").decode()}, "authkey"),
    ({"corosync_conf": 5, "authkey": KEY}, "corosync_conf"),
    ({"corosync_conf": _conf("a"), "authkey": KEY, "force": "yes"}, "force"),
])
def test_bad_arguments_name_the_field_and_change_nothing(paths, args, field):
    with pytest.raises(OpError) as err:
        handle("install-cluster", args, paths)
    assert err.value.field == field and err.value.code == "bad-request"
    assert not paths.corosync_conf.exists() and not paths.authkey.exists()


def test_set_conf_returns_the_old_text_and_checks_the_new(paths):
    handle("install-cluster", {"corosync_conf": _conf("a"), "authkey": KEY}, paths)
    old = paths.corosync_conf.read_text()
    assert handle("set-corosync-conf", {"text": _conf("a", "b")}, paths)["previous"] == old
    with pytest.raises(OpError, match=r"args.text:\d+:\d+"):
        handle("set-corosync-conf", {"text": "nodelist {\n}\n}\n"}, paths)
    assert "name: b" in paths.corosync_conf.read_text()


def test_cluster_files_and_removal(paths):
    with pytest.raises(OpError, match="no cluster on this host") as err:
        handle("cluster-files", {}, paths)
    assert err.value.code == "absent"
    handle("install-cluster", {"corosync_conf": _conf("a"), "authkey": KEY}, paths)
    assert handle("cluster-files", {}, paths)["authkey"] == KEY
    assert len(handle("remove-cluster-files", {}, paths)["removed"]) == 2
    assert not paths.corosync_conf.exists()


def test_service_start_needs_a_cluster_and_enable_is_remembered(paths):
    with pytest.raises(OpError, match="init, join or setup first"):
        handle("service", {"action": "start"}, paths)
    handle("service", {"action": "enable"}, paths)
    assert json.loads((paths.state_dir / "enabled-services.json").read_text()) == \
        ["corosync", "crmshelld"]
    assert handle("service", {"action": "status"}, paths)["status"]["crmshelld"]["enabled"]
    with pytest.raises(OpError, match="args.action"):
        handle("service", {"action": "explode"}, paths)
    with pytest.raises(OpError, match="args.services"):
        handle("service", {"action": "stop", "services": ["sshd"]}, paths)


def test_unknown_ops_and_non_object_arguments(paths):
    with pytest.raises(OpError, match="unknown operation") as err:
        handle("format-disk", {}, paths)
    assert err.value.code == "unknown-op"
    with pytest.raises(OpError, match="args: an object"):
        handle("info", [], paths)


def test_the_ssh_side_speaks_json_lines(monkeypatch, capsys):
    import io

    monkeypatch.setattr(node_ops, "HostPaths", lambda: HostPaths(corosync_conf=Path404))
    out = io.StringIO()
    assert serve_node_op(["cluster-files"], io.StringIO(""), out) == 1
    with pytest.raises(Exception, match="no cluster on this host"):
        decode_reply("n2", 1, out.getvalue().encode(), b"")
    out = io.StringIO()
    assert serve_node_op(["info"], io.StringIO("{not json"), out) == 2
    assert "not JSON" in out.getvalue()


Path404 = __import__("pathlib").Path("/nonexistent/corosync.conf")


def test_a_peer_without_crmshell_is_said_so():
    with pytest.raises(Exception, match="crmshell is not installed there"):
        decode_reply("n2", 127, b"", b"bash: crmshell: command not found")
    with pytest.raises(Exception, match=r"n2: no answer from crmshell there \(exit status 3: boom"):
        decode_reply("n2", 3, b"garbage", b"boom")
