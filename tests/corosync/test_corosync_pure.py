"""The binding's pure parts: cmap nodelist parsing, error mapping, CPG group names."""

from __future__ import annotations

import pytest

from daemon.corosync import errors
from daemon.corosync.cmap import NodeEntry, parse_nodelist, pick_local
from daemon.corosync.cpg import MAX_GROUP_NAME, encode_group_name
from daemon.corosync.errors import CorosyncError, CorosyncUnavailable, check, check_connect

THREE = {
    "nodelist.local_node_pos": 1,
    "nodelist.node.0.nodeid": 1, "nodelist.node.0.name": "node1",
    "nodelist.node.0.ring0_addr": "10.0.0.1", "nodelist.node.0.ring1_addr": "10.1.0.1",
    "nodelist.node.1.nodeid": 2, "nodelist.node.1.name": "node2",
    "nodelist.node.1.ring0_addr": "10.0.0.2",
    "nodelist.node.2.nodeid": 3, "nodelist.node.2.ring0_addr": "10.0.0.3",
    "totem.cluster_name": "c",
}


def test_nodelist_entries_in_position_order_with_their_links():
    entries = parse_nodelist(THREE)
    assert entries == [NodeEntry(1, "node1", ("10.0.0.1", "10.1.0.1")),
                       NodeEntry(2, "node2", ("10.0.0.2",)),
                       NodeEntry(3, None, ("10.0.0.3",))]
    assert [e.uname for e in entries] == ["node1", "node2", "10.0.0.3"]


def test_positions_sort_as_numbers_and_links_by_link_number():
    items = {f"nodelist.node.{i}.nodeid": i + 1 for i in (10, 2, 0)}
    items["nodelist.node.2.ring10_addr"] = "b"
    items["nodelist.node.2.ring2_addr"] = "a"
    entries = parse_nodelist(items)
    assert [e.nodeid for e in entries] == [1, 3, 11]
    assert entries[1].addrs == ("a", "b")


def test_an_entry_without_anything_but_an_id_is_named_by_its_id():
    assert parse_nodelist({"nodelist.node.0.nodeid": 7})[0].uname == "7"
    assert parse_nodelist({"nodelist.node.0.name": "x"})[0].nodeid == 0


@pytest.mark.parametrize("bad", ["abc", -1, 2 ** 32, 1.5, None])
def test_a_bad_node_id_is_an_error_naming_its_key(bad):
    with pytest.raises(ValueError, match=r"nodelist\.node\.4\.nodeid: .* is not a node id"):
        parse_nodelist({"nodelist.node.4.nodeid": bad})


def test_a_node_id_given_as_text_is_read():
    assert parse_nodelist({"nodelist.node.0.nodeid": "12"})[0].nodeid == 12


def test_pick_local_prefers_corosync_s_own_id_then_the_position():
    entries = parse_nodelist(THREE)
    assert pick_local(entries, 3, 1).name is None and pick_local(entries, 3, 1).nodeid == 3
    assert pick_local(entries, None, 1).name == "node2"
    assert pick_local(entries, 99, 0).name == "node1"
    assert pick_local(entries, 99, None) is None
    assert pick_local(entries, None, 3) is None
    assert pick_local([], 1, 0) is None


def test_check_is_quiet_on_ok_and_names_the_call_otherwise():
    check("cpg_join", errors.CS_OK)
    with pytest.raises(CorosyncError) as info:
        check("cpg_join", 7)
    assert str(info.value) == "cpg_join: CS_ERR_INVALID_PARAM: invalid parameter"
    assert (info.value.call, info.value.code, info.value.name) == (
        "cpg_join", 7, "CS_ERR_INVALID_PARAM")
    assert not isinstance(info.value, CorosyncUnavailable)


@pytest.mark.parametrize("code", [errors.CS_ERR_LIBRARY, errors.CS_ERR_BAD_HANDLE])
def test_a_broken_connection_is_unavailable(code):
    with pytest.raises(CorosyncUnavailable):
        check("cpg_dispatch", code)


def test_try_again_is_busy_for_a_request_but_unavailable_when_connecting():
    with pytest.raises(CorosyncError) as busy:
        check("cpg_mcast_joined", errors.CS_ERR_TRY_AGAIN)
    assert not isinstance(busy.value, CorosyncUnavailable)
    with pytest.raises(CorosyncUnavailable, match="not ready to accept clients yet"):
        check_connect("cpg_model_initialize", errors.CS_ERR_TRY_AGAIN)
    with pytest.raises(CorosyncUnavailable, match="corosync is not running"):
        check_connect("cmap_initialize", errors.CS_ERR_LIBRARY)
    check_connect("cmap_initialize", errors.CS_OK)


def test_security_refusal_says_what_to_do_and_is_not_retried():
    with pytest.raises(CorosyncError, match="run as root or allow the user") as info:
        check_connect("cpg_model_initialize", 100)
    assert not isinstance(info.value, CorosyncUnavailable)


def test_unknown_codes_still_give_a_message():
    assert errors.error_name(77) == "CS_ERR_77"
    assert str(CorosyncError("x", 77)) == "x: CS_ERR_77: unknown error"
    assert str(CorosyncError("x", 2, "gone")).endswith("CS_ERR_LIBRARY: gone")


def test_every_known_code_has_its_header_name():
    names = {code: errors.error_name(code) for code in (1, 6, 12, 27, 30, 100)}
    assert names == {1: "CS_OK", 6: "CS_ERR_TRY_AGAIN", 12: "CS_ERR_NOT_EXIST",
                     27: "CS_ERR_NO_SECTIONS", 30: "CS_ERR_TOO_MANY_GROUPS",
                     100: "CS_ERR_SECURITY"}


def test_group_names_up_to_128_bytes_of_utf8():
    assert encode_group_name("crmshell") == b"crmshell"
    assert len(encode_group_name("g" * MAX_GROUP_NAME)) == 128
    assert encode_group_name("é" * 64) == "é".encode() * 64   # 128 bytes, 64 characters


@pytest.mark.parametrize("name, why", [
    ("", "must be 1 to 128 bytes in UTF-8, not 0"),
    ("g" * 129, "not 129"),
    ("é" * 65, "not 130"),
    ("a\0b", "must not contain NUL"),
])
def test_bad_group_names_say_which_limit(name, why):
    with pytest.raises(ValueError, match=why):
        encode_group_name(name)


def test_a_bad_group_name_fails_before_any_library_is_loaded():
    from daemon.corosync.cpg import CpgConnection
    with pytest.raises(ValueError, match="CPG group name"):
        CpgConnection("x" * 200, print, print)


def _sockaddr(family: int, body: bytes) -> bytes:
    import sys

    raw = family.to_bytes(2, sys.byteorder) + body
    return raw + bytes(28 - len(raw))


def test_cfg_addresses_are_read_from_the_sockaddr_corosync_fills_in():
    import socket

    from daemon.corosync.cfg import _sockaddr_text

    assert _sockaddr_text(_sockaddr(socket.AF_INET, b"\0\0" + bytes([10, 213, 0, 7]))) == \
        "10.213.0.7"
    v6 = socket.inet_pton(socket.AF_INET6, "fd00::2")
    assert _sockaddr_text(_sockaddr(socket.AF_INET6, b"\0\0" + b"\0" * 4 + v6)) == "fd00::2"
    assert _sockaddr_text(bytes(28)) is None   # an empty slot: no address family
