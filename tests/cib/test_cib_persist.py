"""CIB files: loading, and writes that are atomic, durable and keep the file's mode."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from daemon.cib import persist
from daemon.cib.document import empty_cib, serialize_cib
from daemon.cib.errors import CibError, CibParseError
from daemon.cib.persist import load_cib_file, write_cib_file, write_file_atomically
from lxml import etree


def changed_cib() -> etree._Element:
    root = empty_cib()
    root.find("configuration/resources").append(etree.Element("primitive", id="p1"))
    return root


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_missing_file_loads_as_empty_cib(tmp_path):
    assert serialize_cib(load_cib_file(tmp_path / "nope.xml")) == serialize_cib(empty_cib())


def test_write_then_load(tmp_path):
    path = tmp_path / "cib.xml"
    write_cib_file(path, changed_cib())
    assert serialize_cib(load_cib_file(path)) == serialize_cib(changed_cib())
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_cib_file_follows_the_umask(tmp_path, umask, mode):
    """Issue 10, item 6: a new CIB file was always 0600; Pacemaker's tools follow the umask."""
    path = tmp_path / "cib.xml"
    old = os.umask(umask)
    try:
        write_cib_file(path, empty_cib())
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_other_new_files_are_private(tmp_path):
    path = tmp_path / "authkey"
    old = os.umask(0o022)
    try:
        write_file_atomically(path, b"secret")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_existing_mode_is_kept(tmp_path):
    path = tmp_path / "cib.xml"
    path.write_bytes(serialize_cib(empty_cib()))
    path.chmod(0o640)
    write_cib_file(path, changed_cib())
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_existing_owner_is_kept(tmp_path):
    path = tmp_path / "cib.xml"
    path.write_bytes(serialize_cib(empty_cib()))
    os.chown(path, 65534, 65534)
    write_cib_file(path, changed_cib())
    assert (path.stat().st_uid, path.stat().st_gid) == (65534, 65534)


def test_write_through_a_symlink_replaces_the_target(tmp_path):
    target = tmp_path / "real.xml"
    target.write_bytes(serialize_cib(empty_cib()))
    link = tmp_path / "cib.xml"
    link.symlink_to(target)
    write_cib_file(link, changed_cib())
    assert link.is_symlink()
    assert b'id="p1"' in target.read_bytes()


def test_failure_midway_leaves_the_old_file(tmp_path, monkeypatch):
    """The disk fills up half way through: the old file stays, no temporary file remains."""
    path = tmp_path / "cib.xml"
    old_bytes = serialize_cib(empty_cib())
    path.write_bytes(old_bytes)
    real_write = os.write
    calls = []

    def write_half_then_fail(fd, data):
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(persist.os, "write", write_half_then_fail)
    with pytest.raises(CibError) as caught:
        write_cib_file(path, changed_cib())
    assert str(caught.value) == f"{path}: cannot write: No space left on device"
    assert path.read_bytes() == old_bytes
    assert leftovers(tmp_path) == []


def test_failed_rename_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "cib.xml"
    old_bytes = serialize_cib(empty_cib())
    path.write_bytes(old_bytes)

    def refuse(*_args):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(persist.os, "replace", refuse)
    with pytest.raises(CibError, match="cannot write: Input/output error"):
        write_cib_file(path, changed_cib())
    assert path.read_bytes() == old_bytes
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_directory(tmp_path):
    path = tmp_path / "cib.xml"
    old_bytes = serialize_cib(empty_cib())
    path.write_bytes(old_bytes)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(CibError, match="cannot write: Permission denied"):
            write_cib_file(path, changed_cib())
    finally:
        tmp_path.chmod(0o755)
    assert path.read_bytes() == old_bytes


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(CibError, match=r"cannot read: Is a directory"):
        load_cib_file(tmp_path)
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<cib>\n  <configuration>\n")
    with pytest.raises(CibParseError) as caught:
        load_cib_file(bad)
    assert str(caught.value).startswith(f"{bad}:3:1: ")


def test_missing_directory_is_an_error(tmp_path):
    with pytest.raises(CibError, match="cannot write: No such file or directory"):
        write_cib_file(tmp_path / "no" / "cib.xml", empty_cib())
