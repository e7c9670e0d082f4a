"""corosync.conf rendering and parsing (daemon/corosync/conf.py): round trips, refusals, places."""

from __future__ import annotations

import stat

import pytest

from daemon.corosync.conf import (AUTHKEY_BYTES, ClusterConfig, ConfError, NodeEntry,
                                  new_authkey, parse, render, write_authkey)


def config(**changes) -> ClusterConfig:
    values = dict(cluster_name="c1", keyfile="/etc/corosync/authkey",
                  nodes=(NodeEntry("node1", 1, ("10.0.0.1",)),
                         NodeEntry("node2", 2, ("10.0.0.2", "192.168.1.2")),
                         NodeEntry("node3", 3, ("node3.example.com",))),
                  token=300, token_coefficient=0, logfile="/var/log/c.log",
                  state_dir="/var/lib/corosync", move_to_root_cgroup=False,
                  wait_for_all=True, debug=True)
    values.update(changes)
    return ClusterConfig(**values)


@pytest.mark.parametrize("cfg", [
    config(),
    config(nodes=(NodeEntry("a", 7, ("10.1.1.1",)), NodeEntry("b", 9, ("10.1.1.2",)))),
    config(logfile=None, state_dir=None, move_to_root_cgroup=None, debug=False, token=None,
           token_coefficient=None, wait_for_all=None),
    config(last_man_standing=True, auto_tie_breaker=False, consensus=1200, join=60,
           crypto_cipher="aes128", crypto_hash="sha512"),
    config(knet_ping_interval=250, knet_ping_timeout=2000),
    config(seqno_unchanged_const=1),
    config(last_man_standing=True, last_man_standing_window=1000),
])
def test_render_then_parse_gives_the_same_configuration(cfg: ClusterConfig) -> None:
    text = render(cfg)
    back = ClusterConfig.from_tree(parse(text, "x.conf"))
    if len(cfg.nodes) == 2 and cfg.two_node is None:  # written out for two nodes
        cfg = ClusterConfig(**{**cfg.__dict__, "two_node": True})
    assert back == cfg
    assert render(back) == text


def test_rendered_text_has_the_sections_corosync_reads() -> None:
    text = render(config())
    assert "    transport: knet\n" in text
    assert "    crypto_cipher: aes256\n    crypto_hash: sha256\n" in text
    assert "        ring1_addr: 192.168.1.2\n        name: node2\n        nodeid: 2\n" in text
    assert "    token_coefficient: 0\n" in text
    assert "system {\n    state_dir: /var/lib/corosync\n    move_to_root_cgroup: no\n}" in text
    assert "two_node" not in text   # three nodes


def test_knet_timers_are_link_0_s_interface_and_read_back_only_from_it() -> None:
    text = render(config(knet_ping_interval=250, knet_ping_timeout=2000))
    assert ("    interface {\n        linknumber: 0\n        knet_ping_interval: 250\n"
            "        knet_ping_timeout: 2000\n    }\n") in text
    other_link = text.replace("linknumber: 0", "linknumber: 1")
    back = ClusterConfig.from_tree(parse(other_link, "x.conf"))
    assert (back.knet_ping_interval, back.knet_ping_timeout) == (None, None)
    assert "interface" not in render(config())


@pytest.mark.parametrize("changes, where", [
    ({"crypto_cipher": "none"}, "totem.crypto_cipher"),
    ({"crypto_hash": "md5"}, "totem.crypto_hash"),
    ({"cluster_name": "has space"}, "totem.cluster_name"),
    ({"logfile": "/tmp/a}b"}, "logging.logfile"),
    ({"token": 0}, "totem.token"),
    ({"seqno_unchanged_const": 0}, "totem.seqno_unchanged_const"),
    ({"last_man_standing_window": 0}, "quorum.last_man_standing_window"),
    ({"nodes": ()}, "nodelist"),
    ({"nodes": (NodeEntry("a", 1, ("10.0.0.1",)), NodeEntry("a", 2, ("10.0.0.2",)))},
     "nodelist.node[2].name"),
    ({"nodes": (NodeEntry("a", 1, ("10.0.0.1",)), NodeEntry("b", 1, ("10.0.0.2",)))},
     "nodelist.node[2].nodeid"),
    ({"nodes": (NodeEntry("a", 1, ("bad addr",)),)}, "nodelist.node[1].ring0_addr"),
    ({"two_node": True}, "quorum.two_node"),
    ({"knet_ping_timeout": 2000}, "totem.interface.knet_ping_timeout"),   # half a pair
    ({"knet_ping_interval": 0, "knet_ping_timeout": 10}, "totem.interface.knet_ping_interval"),
])
def test_render_refuses_with_the_field_named(changes: dict, where: str) -> None:
    with pytest.raises(ConfError) as err:
        render(config(**changes))
    assert err.value.where == where


@pytest.mark.parametrize("text, where", [
    ("totem {\n  version: 2\n", "f.conf:1:1"),                 # never closed
    ("totem {\n}\n}\n", "f.conf:3:1"),                          # closes nothing
    ("totem {\n  token 300\n}\n", "f.conf:2:3"),                # no colon
    ("totem { token: 1 }\n", "f.conf:1:9"),                      # one-line section
    ("totem {\n  key: a{b\n}\n", "f.conf:2:9"),                 # brace inside a value
    ("x" * 600 + "\n", "f.conf:1:511"),                          # longer than corosync reads
])
def test_parse_names_file_line_column(text: str, where: str) -> None:
    with pytest.raises(ConfError) as err:
        parse(text, "f.conf")
    assert err.value.where == where
    assert str(err.value).startswith(where + ": ")


def test_a_file_without_encryption_is_refused_at_its_line() -> None:
    text = render(config()).replace("crypto_cipher: aes256", "crypto_cipher: none")
    with pytest.raises(ConfError) as err:
        ClusterConfig.from_tree(parse(text, "c.conf"))
    assert err.value.where == "c.conf:5:5"
    assert "encrypted" in err.value.message


def test_a_missing_nodeid_is_reported_where_the_node_starts() -> None:
    text = render(config()).replace("        nodeid: 2\n", "")
    with pytest.raises(ConfError, match=r"c\.conf:\d+:5: nodelist\.node\.nodeid is missing"):
        ClusterConfig.from_tree(parse(text, "c.conf"))


def test_comments_blank_lines_and_repeated_keys_as_corosync_reads_them() -> None:
    text = render(config()).replace("    token: 300\n", "    # fast\n\n    token: 1\n"
                                                        "    token: 300\n")
    assert ClusterConfig.from_tree(parse(text)).token == 300


def test_authkey_is_256_fresh_bytes_readable_by_the_owner_only(tmp_path) -> None:
    key = new_authkey()
    assert len(key) == AUTHKEY_BYTES and key != new_authkey()
    path = tmp_path / "authkey"
    write_authkey(path, key)
    assert path.read_bytes() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o400
    with pytest.raises(ValueError):
        write_authkey(tmp_path / "short", b"x" * 10)
