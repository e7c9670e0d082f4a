"""Status changes applied to <status>: Pacemaker's elements and ids, idempotence,
increments, clearing failures and cleanups."""

from __future__ import annotations

import pytest
from lxml import etree

from daemon.cib.document import empty_cib
from daemon.cib.errors import StatusOpError
from daemon.cib.status_apply import apply_status_ops, expand_increment
from daemon.cib.status_ops import (ClearFailures, ClearNode, DeleteOp, DeleteResource, RecordOp,
                                   SetNodeState, SetTransientAttr)

from tests.cib_store.helpers import record, text


def applied(*ops) -> etree._Element:
    root = empty_cib()
    apply_status_ops(root, ops)
    return root


def attr_value(root, node_id, name):
    pair = root.find(f"status/node_state[@id='{node_id}']/transient_attributes/"
                     f"instance_attributes/nvpair[@name='{name}']")
    return None if pair is None else pair.get("value")


def test_record_creates_the_path_with_pacemaker_ids():
    root = applied(record("1", "d1", "d1_last_0"))
    node = root.find("status/node_state")
    assert dict(node.attrib) == {"id": "1", "uname": "node1"}
    assert node.find("lrm").get("id") == "1"
    resource = node.find("lrm/lrm_resources/lrm_resource")
    assert list(resource.attrib.items()) == [("id", "d1"), ("type", "Dummy"), ("class", "ocf"),
                                             ("provider", "heartbeat")]
    assert [o.get("id") for o in resource] == ["d1_last_0"]


def test_record_replaces_the_entry_with_the_same_id_in_place():
    root = applied(record("1", "d1", "d1_last_0"), record("1", "d1", "d1_monitor_10000"),
                   record("1", "d1", "d1_last_0", rc="7", key_rc="7"))
    ops = root.findall("status/node_state/lrm/lrm_resources/lrm_resource/lrm_rsc_op")
    assert [(o.get("id"), o.get("rc-code")) for o in ops] == [("d1_last_0", "7"),
                                                             ("d1_monitor_10000", "0")]


def test_record_is_idempotent():
    once = applied(record("1", "d1", "d1_last_0"))
    twice = applied(record("1", "d1", "d1_last_0"), record("1", "d1", "d1_last_0"))
    assert text(once) == text(twice)


def test_provider_absent_for_lsb():
    op = RecordOp("1", "node1", "svc", "lsb", None, "cron", (("id", "svc_last_0"),))
    resource = applied(op).find(".//lrm_resource")
    assert "provider" not in resource.attrib and resource.get("class") == "lsb"


def test_delete_op_and_absent_ones():
    root = applied(record("1", "d1", "d1_last_0"), record("1", "d1", "d1_monitor_10000"),
                   DeleteOp("1", "d1", "d1_monitor_10000"), DeleteOp("1", "d1", "nope"),
                   DeleteOp("9", "d1", "nope"))
    assert [o.get("id") for o in root.iter("lrm_rsc_op")] == ["d1_last_0"]


def test_delete_resource_whole_history_and_clone_instances():
    root = applied(record("1", "c", "c_last_0"), record("1", "c:0", "c:0_last_0"),
                   record("1", "c:1", "c:1_last_0"), record("1", "cx", "cx_last_0"),
                   DeleteResource("1", "c"))
    assert [r.get("id") for r in root.iter("lrm_resource")] == ["cx"]


def test_delete_resource_only_failed():
    root = applied(record("1", "d1", "d1_last_0", rc="0"),
                   record("1", "d1", "d1_monitor_10000", rc="7", key_rc="0"),
                   record("1", "d1", "d1_last_failure_0", rc="1"),
                   record("1", "d1", "d1_probe", rc="7", key_rc="7"),
                   record("1", "d1", "d1_pending", rc="193", op_status="-1"),
                   record("1", "d1", "d1_timeout", rc="0", op_status="2"),
                   record("1", "d2", "d2_last_failure_0", rc="1"),
                   DeleteResource("1", "d1", only_failed=True),
                   DeleteResource("1", "d2", only_failed=True))
    assert [o.get("id") for o in root.iter("lrm_rsc_op")] == ["d1_last_0", "d1_probe", "d1_pending"]
    assert [r.get("id") for r in root.iter("lrm_resource")] == ["d1"]  # d2 had nothing else


def test_set_node_state_creates_and_updates():
    root = applied(SetNodeState("2", "node2", (("in_ccm", "true"), ("crmd", "online"))),
                   SetNodeState("2", "node2", (("join", "member"), ("crmd", "offline"))))
    node = root.find("status/node_state")
    assert list(node.attrib.items()) == [("id", "2"), ("uname", "node2"), ("in_ccm", "true"),
                                         ("crmd", "offline"), ("join", "member")]


def test_transient_attribute_ids_and_delete():
    root = applied(SetTransientAttr("1", "node1", "standby", "on"))
    pair = root.find(".//transient_attributes/instance_attributes/nvpair")
    assert root.find(".//transient_attributes").get("id") == "1"
    assert root.find(".//transient_attributes/instance_attributes").get("id") == "status-1"
    assert list(pair.attrib.items()) == [("id", "status-1-standby"), ("name", "standby"),
                                         ("value", "on")]
    apply_status_ops(root, [SetTransientAttr("1", "node1", "standby", None),
                            SetTransientAttr("1", "node1", "absent", None)])
    assert attr_value(root, "1", "standby") is None


def test_transient_attributes_go_before_lrm():
    root = applied(record("1", "d1", "d1_last_0"), SetTransientAttr("1", "node1", "a", "1"))
    assert [c.tag for c in root.find("status/node_state")] == ["transient_attributes", "lrm"]


@pytest.mark.parametrize("current, new, expected", [
    (None, "value++", "1"), ("4", "value++", "5"), ("4", "value+=10", "14"),
    ("999999", "value+=5", "1000000"), ("INFINITY", "value++", "1000000"),
    ("3", "value+=INFINITY", "1000000"), ("junk", "value++", "1"), ("3", "7", "7"),
    ("-INFINITY", "value+=5", "-999995"), ("2", "value+=-5", "-3"),
])
def test_increments_as_pacemakers_attribute_daemon(current, new, expected):
    assert expand_increment(current, new) == expected


def test_concurrent_increments_all_count():
    ops = [SetTransientAttr("1", "node1", "fail-count-d1#monitor_10000", "value++")] * 3
    root = applied(*ops, SetTransientAttr("1", "node1", "fail-count-d1#monitor_10000", "value+=2"))
    assert attr_value(root, "1", "fail-count-d1#monitor_10000") == "5"


def failures(*names):
    return [SetTransientAttr("1", "node1", name, "1") for name in names]


NAMES = ["fail-count-d1#monitor_10000", "last-failure-d1#monitor_10000", "fail-count-d1#start_0",
         "fail-count-d1:0#start_0", "fail-count-d10#start_0", "fail-count-d1", "standby"]


@pytest.mark.parametrize("clear, left", [
    (ClearFailures("1", "d1"), ["fail-count-d10#start_0", "standby"]),
    (ClearFailures("1", "d1", "monitor", 10000),
     ["fail-count-d1#start_0", "fail-count-d1:0#start_0", "fail-count-d10#start_0",
      "fail-count-d1", "standby"]),
    (ClearFailures("1", "d1", "start"),
     ["fail-count-d1#monitor_10000", "last-failure-d1#monitor_10000", "fail-count-d10#start_0",
      "fail-count-d1", "standby"]),
    (ClearFailures("1", "d1:0"), [n for n in NAMES if n != "fail-count-d1:0#start_0"]),
    (ClearFailures("2", "d1"), NAMES),
])
def test_clear_failures(clear, left):
    root = applied(*failures(*NAMES), clear)
    assert [p.get("name") for p in root.iter("nvpair")] == left


def test_clear_node():
    ops = (record("1", "d1", "d1_last_0"), SetTransientAttr("1", "node1", "a", "1"))
    assert [c.tag for c in applied(*ops, ClearNode("1", attrs=False)).find("status/node_state")] \
        == ["transient_attributes"]
    assert [c.tag for c in applied(*ops, ClearNode("1", lrm=False)).find("status/node_state")] == ["lrm"]
    node = applied(*ops, ClearNode("1"), ClearNode("7")).find("status/node_state")
    assert len(node) == 0 and node.get("id") == "1"


@pytest.mark.parametrize("op, where", [
    (RecordOp("1", "n", "d1", "ocf", None, "Dummy", (("rc-code", "0"),)), "ops[0] (RecordOp).attrs"),
    (SetTransientAttr("", "n", "a", "1"), "ops[0] (SetTransientAttr).node_id"),
    (SetNodeState("1", "n", (("id", "2"),)), "ops[0] (SetNodeState).attrs"),
    ("junk", "ops[0]: str"),
])
def test_bad_changes_name_the_field(op, where):
    with pytest.raises(StatusOpError, match=__import__("re").escape(where)):
        applied(op)
