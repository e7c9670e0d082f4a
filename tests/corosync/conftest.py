"""Fixtures for the binding's tests: a real one-node corosync in private namespaces.

Each test gets its own node (a fresh directory, authkey and namespaces, about 0.5 s to
start), so a test that kills corosync cannot disturb another; `close()` ends every process
and removes the directory even when the test fails.
"""

from __future__ import annotations

import shutil

import pytest

from corosync_node import CorosyncNode

needs_corosync = pytest.mark.skipif(
    not (shutil.which("corosync") and shutil.which("unshare") and shutil.which("nsenter")),
    reason="needs corosync, unshare and nsenter (Debian: corosync, util-linux)")


@pytest.fixture
def cold_node():
    """A node whose corosync is not started yet (the test calls `start()`)."""
    node = CorosyncNode()
    try:
        yield node
    finally:
        node.close()


@pytest.fixture
def node(cold_node):
    """A node with corosync started (clients wait for its IPC themselves)."""
    cold_node.start()
    return cold_node


@pytest.fixture
def driver(node):
    """A driver in the node's namespaces, already a member of the group "crmshell"."""
    drv = node.driver()
    drv.expect("ready")
    drv.send(op="open_group")
    drv.expect("opened", timeout=20)
    return drv
