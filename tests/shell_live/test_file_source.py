"""The file source: the compare-and-swap on the file's side, status merges, read-only files,
the lock between committers, and shadows through the same interface."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from lxml import etree

from crmshell.cib import files
from crmshell.cib.files import FileSource
from crmshell.cib.shadow import shadow_source
from crmshell.cib.source import ChangedMeanwhile
from crmshell.errors import ShellError
from crmshell.lang.parser import parse_document
from crmshell.staging.define import define
from crmshell.staging.staged import StagedCib
from daemon.cib.persist import load_cib_file, write_cib_file
from daemon.cib.versions import read_version
from tests.shared_paths import EMPTY_CIB

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def cib(tmp_path):
    path = tmp_path / "cib.xml"
    shutil.copy(EMPTY_CIB, path)
    path.chmod(0o600)
    return path


def _staged(path, text: str) -> StagedCib:
    staged = StagedCib(FileSource(path, path.name))
    define(staged, parse_document(text))
    return staged


def test_load_gives_the_root_and_its_version(cib):
    loaded = FileSource(cib, "cib.xml").load()
    assert loaded.root.tag == "cib" and loaded.version == read_version(load_cib_file(cib))


def test_a_missing_file_is_an_empty_cib_created_by_the_first_commit(tmp_path):
    path = tmp_path / "new.xml"
    _staged(path, "primitive d1 ocf:pacemaker:Dummy\n").commit()
    assert load_cib_file(path).find("configuration/resources/primitive").get("id") == "d1"


def test_the_quick_path_writes_our_tree_and_the_version(cib):
    staged = _staged(cib, "primitive d1 ocf:pacemaker:Dummy\n")
    base = staged.base_version
    result = staged.commit()
    assert read_version(load_cib_file(cib)) == (base.admin_epoch, base.epoch + 1, 0)
    assert result.epoch == base.epoch + 1 and staged.base_version.epoch == base.epoch + 1


def test_configuration_changed_meanwhile_is_refused_naming_the_objects(cib):
    mine = _staged(cib, "primitive d1 ocf:pacemaker:Dummy\n")
    _staged(cib, "primitive other ocf:pacemaker:Dummy\nprimitive more ocf:pacemaker:Dummy\n").commit()
    theirs = cib.read_bytes()
    with pytest.raises(ChangedMeanwhile) as info:
        mine.commit()
    assert info.value.changed == ["more", "other"]
    assert str(info.value).startswith("CIB changed in the meantime: won't touch it!")
    assert cib.read_bytes() == theirs
    assert mine.has_changes()  # still staged: refresh or commit force


def test_a_status_change_meanwhile_is_merged(cib):
    mine = _staged(cib, "primitive d1 ocf:pacemaker:Dummy\n")
    doc = load_cib_file(cib)
    etree.SubElement(doc.find("status"), "node_state", id="1", uname="node1")
    doc.set("num_updates", "7")
    write_cib_file(cib, doc)
    mine.commit()
    now = load_cib_file(cib)
    assert now.find("status/node_state").get("uname") == "node1"
    assert now.find("configuration/resources/primitive").get("id") == "d1"
    assert read_version(now).num_updates == 0


def test_a_read_only_file_is_refused_with_a_clear_message(cib):
    """As an unprivileged user (root writes anyway), through a real process; the file sits
    in a directory that user can reach (pytest's own are private to root)."""
    script = ("import sys\nfrom pathlib import Path\nfrom crmshell.cib.files import FileSource\n"
              "from crmshell.errors import ShellError\nsrc = FileSource(Path(sys.argv[1]), 'x')\n"
              "loaded = src.load()\ntry:\n    src.commit(loaded.version, None, new_root=loaded.root)\n"
              "except ShellError as err:\n    print(err)\n")
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        os.chmod(folder, 0o755)
        path = os.path.join(folder, "cib.xml")
        shutil.copy(cib, path)
        os.chmod(path, 0o444)
        argv = [sys.executable, "-c", script, path]
        if os.geteuid() == 0:
            argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *argv]
        before = Path(path).read_bytes()
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert f"{path}: the CIB file is read-only: nothing was written" in proc.stdout, proc.stderr
        assert Path(path).read_bytes() == before


def test_a_second_committer_waits_for_the_lock_then_is_told(cib, monkeypatch):
    monkeypatch.setattr(files, "LOCK_TIMEOUT", 0.2)
    holding, release = threading.Event(), threading.Event()

    def hold():
        with files._directory_lock(cib):
            holding.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        holding.wait(5)
        with pytest.raises(ShellError, match="another process has been committing"):
            _staged(cib, "primitive d1 ocf:pacemaker:Dummy\n").commit()
    finally:
        release.set()
        thread.join(5)


def test_a_shadow_is_a_file_source(tmp_path, cib):
    env = {"CIB_shadow_dir": str(tmp_path / "shadows")}
    (tmp_path / "shadows").mkdir()
    shutil.copy(cib, tmp_path / "shadows" / "shadow.try")
    source = shadow_source(env, "try")
    assert source.label == "try" and not source.live
    _staged(source.path, "primitive d1 ocf:pacemaker:Dummy\n").commit()
    assert source.load().root.find("configuration/resources/primitive") is not None
    with pytest.raises(ShellError, match="no shadow CIB named 'nope'"):
        shadow_source(env, "nope")
