"""IdAllocator: crmsh's id generation, holds, releases, and O(1) behaviour at scale."""

from __future__ import annotations

import time

import pytest
from lxml import etree

from daemon.cib.ids import DuplicateIdError, IdAllocator, defined_ids


def test_make_uses_the_base_then_the_first_free_suffix():
    ids = IdAllocator()
    assert ids.make("d1-instance_attributes") == "d1-instance_attributes"
    assert ids.make("d1-instance_attributes") == "d1-instance_attributes-0"
    assert ids.make("d1-instance_attributes") == "d1-instance_attributes-1"


def test_released_suffixes_are_reused_lowest_first():
    ids = IdAllocator(["l1", "l1-0", "l1-1", "l1-2"])
    assert ids.make("l1") == "l1-3"
    ids.release("l1-1")
    ids.release("l1-0")
    assert ids.make("l1") == "l1-0"
    assert ids.make("l1") == "l1-1"
    assert ids.make("l1") == "l1-4"


def test_reserved_suffix_is_skipped():
    ids = IdAllocator(["fencing"])
    ids.reserve("fencing-1")
    assert ids.make("fencing") == "fencing-0"
    assert ids.make("fencing") == "fencing-2"


def test_reserve_refuses_duplicates_and_hold_counts():
    ids = IdAllocator(["d1"])
    with pytest.raises(DuplicateIdError):
        ids.reserve("d1")
    ids.hold("d1")  # a node and a resource named alike
    ids.release("d1")
    assert "d1" in ids
    ids.release("d1")
    assert "d1" not in ids
    ids.release("d1")  # releasing what is not held is harmless


def test_from_tree_counts_definitions_not_references():
    conf = etree.fromstring(
        "<configuration><resources><primitive id='d1'/></resources><constraints>"
        "<rsc_order id='o1'><resource_set id='o1-0'><resource_ref id='d9'/></resource_set>"
        "</rsc_order></constraints><acls><acl_target id='bob'><role id='r1'/></acl_target>"
        "<acl_role id='r1'/></acls><tags><tag id='t'><obj_ref id='d1'/></tag></tags>"
        "</configuration>")
    ids = IdAllocator.from_tree(conf)
    assert sorted(ids) == ["bob", "d1", "o1", "o1-0", "r1", "t"]
    assert ids.holders("d1") == 1 and ids.holders("r1") == 1
    assert "d9" not in ids
    assert list(defined_ids(conf.find("constraints"))) == ["o1", "o1-0"]


def test_release_tree():
    conf = etree.fromstring("<p id='a'><x id='a-x'/><resource_ref id='other'/></p>")
    ids = IdAllocator(["a", "a-x", "other"])
    ids.release_tree(conf)
    assert list(ids) == ["other"]


def test_twenty_thousand_objects_stay_linear():
    ids = IdAllocator()
    started = time.perf_counter()
    for i in range(20000):
        ids.make(f"p{i}")
        ids.make(f"p{i}-instance_attributes")
        ids.make("fencing")  # one base taken over and over: must not rescan its suffixes
    elapsed = time.perf_counter() - started
    assert len(ids) == 60000
    assert ids.make("fencing") == "fencing-19999"
    assert elapsed < 2.0
