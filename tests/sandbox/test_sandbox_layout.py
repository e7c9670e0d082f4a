"""The sandbox's pure parts: directory, names, addresses, corosync.conf, argv, quorum view."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmshell.sandbox import layout as lay
from crmshell.sandbox.cli import format_status
from crmshell.sandbox.readiness import NodeView, formed, hello_view, quorum_view
from daemon.corosync.conf import ClusterConfig, parse


def test_default_dir_is_per_user() -> None:
    assert lay.default_dir({"XDG_RUNTIME_DIR": "/run/user/1000"}, 1000) == \
        Path("/run/user/1000/crmshell-sandbox")
    assert lay.default_dir({}, 1000) == Path("/tmp/crmshell-sandbox-1000")


@pytest.mark.parametrize("count", [0, 17, -1])
def test_node_count_is_1_to_16(count: int) -> None:
    with pytest.raises(lay.LayoutError, match="1 to 16 nodes"):
        lay.Layout(Path("/tmp/x"), count)


def test_relative_dir_is_refused() -> None:
    with pytest.raises(lay.LayoutError, match="absolute"):
        lay.Layout(Path("x"), 1)


@pytest.mark.parametrize("name", ["node0", "node4", "node01", "nodeX", "n1", ""])
def test_unknown_node_names_list_the_nodes(name: str) -> None:
    with pytest.raises(lay.LayoutError, match="its nodes: node1, node2, node3"):
        lay.node_index(name, 3)


def test_every_node_gets_its_own_files_and_address() -> None:
    layout = lay.Layout(Path("/s"), 16)
    nodes = layout.nodes()
    assert [n.name for n in nodes] == [f"node{i}" for i in range(1, 17)]
    assert nodes[15].address == "10.213.0.16" and nodes[15].nodeid == 16
    assert nodes[1].socket == Path("/s/node2/crmshelld.sock")
    assert len({n.root for n in nodes}) == 16


def test_a_fast_token_keeps_knet_s_links_on_longer_timers_and_default_leaves_all_to_corosync():
    fast = lay.Layout(Path("/s"), 3).cluster_config(lay.Layout(Path("/s"), 3).node(1))
    assert (fast.token, fast.knet_ping_interval, fast.knet_ping_timeout) == (300, 250, 2000)
    assert fast.knet_ping_timeout > fast.token      # corosync's own would be token / 2
    plain = lay.Layout(Path("/s"), 3, None)
    config = plain.cluster_config(plain.node(1))
    assert (config.token, config.token_coefficient, config.knet_ping_interval) == (None,) * 3
    with pytest.raises(lay.LayoutError, match="--token 50"):
        lay.Layout(Path("/s"), 3, 50)


def test_corosync_conf_of_a_node() -> None:
    layout = lay.Layout(Path("/s"), 3)
    text = layout.corosync_text(layout.node(2))
    config = ClusterConfig.from_tree(parse(text))
    assert config == layout.cluster_config(layout.node(2))
    assert (config.crypto_cipher, config.crypto_hash, config.token,
            config.token_coefficient) == ("aes256", "sha256", 300, 0)
    assert config.seqno_unchanged_const == 1      # the token held after one quiet rotation
    assert config.keyfile == "/s/authkey"
    assert config.logfile == "/s/node2/corosync.log"
    assert config.state_dir == "/s/node2/corosync" and config.move_to_root_cgroup is False
    assert [(n.name, n.nodeid, n.addrs) for n in config.nodes] == [
        ("node1", 1, ("10.213.0.1",)), ("node2", 2, ("10.213.0.2",)),
        ("node3", 3, ("10.213.0.3",))]
    assert "    transport: knet\n" in text


def test_argv_lists() -> None:
    node = lay.Layout(Path("/s"), 1).node(1)
    assert lay.corosync_argv(node) == ["corosync", "-f", "-c", "/s/node1/corosync.conf"]
    assert lay.daemon_argv(["crmshelld"], node) == [
        "crmshelld", "--foreground", "--state-dir", "/s/node1/state",
        "--socket", "/s/node1/crmshelld.sock", "--log-file", "/s/node1/crmshelld.log"]
    assert lay.enter_argv(42, False) == ["nsenter", "-t", "42", "-n", "-m", "-p", "--"]
    assert lay.enter_argv(42, True)[:5] == ["nsenter", "-t", "42", "-U",
                                            "--preserve-credentials"]


def test_env_lines_are_quoted_for_sh() -> None:
    layout = lay.Layout(Path("/a b"), 1)
    assert lay.env_lines(Path("/a b"), layout.node(1)) == [
        "export CRMSHELL_SOCKET='/a b/node1/crmshelld.sock'",
        "export CRMSHELL_SANDBOX_DIR='/a b'"]


QUORUMTOOL = """\
Quorum information
------------------
Nodes:            3
Node ID:          2
Quorate:          Yes
"""


def test_quorum_view() -> None:
    assert quorum_view(QUORUMTOOL) == NodeView(True, 3)
    assert quorum_view(QUORUMTOOL.replace("Yes", "No")) == NodeView(False, 3)
    assert quorum_view("Cannot initialize QUORUM service\n") == NodeView()


def test_hello_view() -> None:
    hello = {"dc": "node1", "quorate": True, "members": [{"id": 1, "name": "node1"}]}
    assert hello_view(hello) == NodeView(True, 1, "node1")
    assert hello_view({**hello, "dc": None, "quorate": "yes"}) == NodeView(False, 1, None)
    assert hello_view(["not", "a", "dict"]) == NodeView()


@pytest.mark.parametrize("views, want, quorate, daemon, expected", [
    ({"node1": NodeView(True, 1, "node1")}, 1, True, True, True),
    ({"node1": NodeView(True, 1, None)}, 1, True, True, False),
    ({"node1": NodeView(True, 1, None)}, 1, True, False, True),
    ({"node1": NodeView(True, 2, "node1"), "node2": NodeView(True, 2, "node2")}, 2, True,
     True, False),                                            # two DCs: not formed yet
    ({"node1": NodeView(True, 2, "node1"), "node2": NodeView(True, 1, "node1")}, 2, True,
     True, False),
    ({"node3": NodeView(False, 1, "node3")}, 1, True, True, False),
    ({"node3": NodeView(False, 1, "node3")}, 1, False, True, True),   # minority restart
])
def test_formed(views: dict, want: int, quorate: bool, daemon: bool, expected: bool) -> None:
    assert formed(views, want, quorate, daemon) is expected


def test_status_lines() -> None:
    lines = format_status({"dir": "/s", "count": 1, "rootless": True, "supervisor_pid": 7,
                           "daemon": False,
                           "nodes": [{"name": "node1", "address": "10.213.0.1", "state": "up",
                                      "corosync": True, "socket": "/s/node1/crmshelld.sock"}]})
    assert lines[0] == "sandbox /s: 1 node(s), rootless, supervisor 7"
    assert lines[1].split() == ["node1", "10.213.0.1", "up", "corosync", "running", "socket",
                                "/s/node1/crmshelld.sock"]


@pytest.mark.parametrize("text, expected", [
    ("wait_for_all", (("wait_for_all", 1),)),
    ("last_man_standing,last_man_standing_window=1000,auto-tie-breaker",
     (("auto_tie_breaker", 1), ("last_man_standing", 1), ("last_man_standing_window", 1000))),
    ("two_node=0", (("two_node", 0),)),
    ("", ()),
])
def test_quorum_options(text, expected):
    assert lay.parse_quorum(text) == expected


@pytest.mark.parametrize("text, said", [
    ("quorate", "not one of two_node"),
    ("wait_for_all=2", "wait_for_all is 0 or 1"),
    ("last_man_standing_window=soon", "a number of ms"),
])
def test_bad_quorum_options_are_named(text, said):
    with pytest.raises(lay.LayoutError, match=said):
        lay.parse_quorum(text)


def test_quorum_options_reach_corosync_conf():
    layout = lay.Layout(Path("/s"), 3, quorum=lay.parse_quorum(
        "last_man_standing,last_man_standing_window=1000,auto_tie_breaker"))
    config = ClusterConfig.from_tree(parse(layout.corosync_text(layout.node(1))))
    assert (config.last_man_standing, config.auto_tie_breaker, config.last_man_standing_window,
            config.wait_for_all, config.two_node) == (True, True, 1000, None, None)
    two = lay.Layout(Path("/s"), 2, quorum=lay.parse_quorum("two_node=0"))
    assert ClusterConfig.from_tree(parse(two.corosync_text(two.node(1)))).two_node is False
    with pytest.raises(lay.LayoutError, match="two_node is for two nodes"):
        lay.Layout(Path("/s"), 3, quorum=(("two_node", 1),))
