"""Commit: a patch from the CIB as loaded to the staged one, refused over concurrent changes."""

from __future__ import annotations

import os

import pytest
from lxml import etree

from crmshell.cibsource import FileSource
from crmshell.errors import ShellError
from crmshell.lang.parser import parse_document
from crmshell.staging.define import define
from crmshell.staging.staged import StagedCib
from daemon.cib.patchset import apply_patchset
from daemon.cib.persist import load_cib_file, write_cib_file
from daemon.cib.versions import read_version


def _other_session_defines(path, text):
    other = StagedCib(FileSource(path, path.name))
    define(other, parse_document(text))
    return other.commit()


def test_commit_bumps_epoch_and_writes_the_file(staging):
    before = read_version(load_cib_file(staging.path))
    staging.define("primitive d1 ocf:pacemaker:Dummy\n")
    result = staging.staged.commit()
    assert result.committed
    after = load_cib_file(staging.path)
    assert read_version(after) == (before.admin_epoch, before.epoch + 1, 0)
    assert after.find("configuration/resources/primitive").get("id") == "d1"
    assert after.get("update-client") == "crmshell"
    assert not staging.staged.has_changes()


def test_commit_keeps_the_cib_element_attributes(staging):
    """A v2 patch replaces <cib>'s attributes wholesale: schema and feature set must survive."""
    staging.define("primitive d1 ocf:pacemaker:Dummy\n")
    staging.staged.commit()
    staging.define("primitive d2 ocf:pacemaker:Dummy\n")
    staging.staged.commit()
    root = load_cib_file(staging.path)
    assert root.get("validate-with") == "pacemaker-3.9"
    assert root.get("crm_feature_set") == "3.16.1"


def test_nothing_to_commit(staging):
    result = staging.staged.commit()
    assert not result.committed and result.message == "nothing to commit"


def test_concurrent_change_is_refused_with_the_objects_named(staging):
    staging.define("primitive d1 ocf:pacemaker:Dummy\n")
    _other_session_defines(staging.path, "primitive other ocf:pacemaker:Dummy\n")
    theirs = staging.path.read_bytes()
    with pytest.raises(ShellError) as info:
        staging.staged.commit()
    assert "objects changed meanwhile: other" in str(info.value)
    assert staging.path.read_bytes() == theirs  # nothing lost


def test_commit_force_overwrites_a_concurrent_change(staging):
    staging.define("primitive d1 ocf:pacemaker:Dummy\n")
    _other_session_defines(staging.path, "primitive other ocf:pacemaker:Dummy\n")
    theirs = read_version(load_cib_file(staging.path))
    staging.staged.commit(force=True)
    now = load_cib_file(staging.path)
    ids = [p.get("id") for p in now.iter("primitive")]
    assert ids == ["d1"]
    assert read_version(now).epoch == theirs.epoch + 1  # never backwards


def test_status_change_meanwhile_is_kept(staging):
    """A status update (num_updates moves, epoch not) merges: the patch applies to it."""
    staging.define("primitive d1 ocf:pacemaker:Dummy\n")
    doc = load_cib_file(staging.path)
    status = doc.find("status")
    etree.SubElement(status, "node_state", id="1", uname="node1", in_ccm="true", crmd="online")
    doc.set("num_updates", str(int(doc.get("num_updates", "0")) + 1))
    write_cib_file(staging.path, doc)
    os.utime(staging.path, ns=(1, 1))  # make sure the quick path cannot mistake it
    staging.staged.commit()
    now = load_cib_file(staging.path)
    assert now.find("status/node_state").get("uname") == "node1"
    assert now.find("configuration/resources/primitive").get("id") == "d1"


def test_the_patch_turns_the_base_into_the_committed_document(staging):
    base = load_cib_file(staging.path)
    staging.define("primitive d1 ocf:pacemaker:Dummy\nprimitive d2 ocf:pacemaker:Dummy\n"
                   "group g1 d1 d2\n")
    result = staging.staged.commit()
    patched = apply_patchset(base, result.patch)
    committed = load_cib_file(staging.path)
    assert etree.tostring(patched.find("configuration"), method="c14n") == \
        etree.tostring(committed.find("configuration"), method="c14n")


def test_a_failed_write_leaves_the_file_and_the_staged_changes(staging, monkeypatch):
    from daemon.cib import persist
    from daemon.cib.errors import CibError

    staging.define("primitive d1 ocf:pacemaker:Dummy\n")
    before = staging.path.read_bytes()

    def broken(path, data, **_options):
        raise CibError(f"{path}: cannot write: No space left on device")

    monkeypatch.setattr(persist, "write_file_atomically", broken)
    with pytest.raises(CibError):
        staging.staged.commit()
    assert staging.path.read_bytes() == before
    assert staging.staged.has_changes()
