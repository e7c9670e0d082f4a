"""CIB versions: ordering, bumps, and the bookkeeping attributes Pacemaker sets."""

from __future__ import annotations

import time

import pytest
from lxml import etree

from daemon.cib.document import empty_cib
from daemon.cib.errors import CibError
from daemon.cib.versions import (
    CibVersion,
    bump_epoch,
    bump_num_updates,
    format_last_written,
    read_version,
    stamp_update,
    write_version,
)


def test_versions_order_field_by_field():
    assert CibVersion(0, 5, 9) < CibVersion(0, 6, 0) < CibVersion(1, 0, 0)
    assert sorted([CibVersion(1, 0, 0), CibVersion(0, 2, 3), CibVersion(0, 2, 1)]) == [
        CibVersion(0, 2, 1), CibVersion(0, 2, 3), CibVersion(1, 0, 0)]
    assert str(CibVersion(0, 12, 3)) == "0.12.3"


def test_read_and_write():
    root = empty_cib()
    assert read_version(root) == CibVersion(0, 1, 0)
    write_version(root, CibVersion(2, 7, 4))
    assert (root.get("admin_epoch"), root.get("epoch"), root.get("num_updates")) == ("2", "7", "4")
    assert read_version(etree.Element("cib")) == CibVersion(0, 0, 0)


def test_configuration_change_bumps_epoch_and_resets_updates():
    root = empty_cib()
    write_version(root, CibVersion(0, 4, 9))
    assert bump_epoch(root) == CibVersion(0, 5, 0)
    assert read_version(root) == CibVersion(0, 5, 0)


def test_status_change_bumps_num_updates():
    root = empty_cib()
    assert bump_num_updates(root) == CibVersion(0, 1, 1)
    assert bump_num_updates(root) == CibVersion(0, 1, 2)


@pytest.mark.parametrize("value", ["x", "-1", "1.5", ""])
def test_bad_version_attribute(value):
    root = empty_cib()
    root.set("epoch", value)
    with pytest.raises(CibError) as caught:
        read_version(root)
    assert str(caught.value) == f"/cib: epoch={value!r} is not a non-negative integer"


@pytest.fixture
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_last_written_is_ctime_format(utc):
    # 2024-11-05 09:07:03 UTC: the day of month is padded with a space, as ctime() does
    assert format_last_written(1730797623) == "Tue Nov  5 09:07:03 2024"
    assert format_last_written(1700000000) == "Tue Nov 14 22:13:20 2023"


def test_stamp_update_sets_pacemaker_bookkeeping(utc):
    root = empty_cib()
    stamp_update(root, when=1700000000, origin="node1", client="crmshell", user="root")
    assert root.get("cib-last-written") == "Tue Nov 14 22:13:20 2023"
    assert (root.get("update-origin"), root.get("update-client"), root.get("update-user")) == (
        "node1", "crmshell", "root")


def test_status_update_leaves_last_written(utc):
    root = empty_cib()
    stamp_update(root, when=1700000000, client="crmd", config_changed=False)
    assert root.get("cib-last-written") is None
    assert root.get("update-client") == "crmd"
    assert root.get("update-origin") is None
