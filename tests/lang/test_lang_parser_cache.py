"""The compiled grammar's disk cache is a pickle, and unpickling runs code: it is read and
written only in a directory that nobody but us may write to (issue 10, item 19)."""

from __future__ import annotations

import os
import pickle
import tempfile

import pytest

from crmshell.lang import parser
from crmshell.lang.parser import ConfigureParser, private_directory

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")


class _Planted:
    """A pickle that, when loaded, creates the file `marker`: what an attacker would plant."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _plant(directory, grammar_name, marker):
    (directory / grammar_name).write_bytes(pickle.dumps(_Planted(marker)))


def _grammar_name():
    return parser._cache_name(parser.GRAMMAR_PATH.read_text(encoding="utf-8"))


def test_a_new_cache_directory_is_ours_and_0700(tmp_path):
    directory = tmp_path / "cache" / "crmshell"
    assert private_directory(directory)
    assert directory.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("mode", [0o777, 0o720, 0o702, 0o1777])
def test_a_directory_others_may_write_to_is_refused(tmp_path, mode):
    directory = tmp_path / "shared"
    directory.mkdir()
    directory.chmod(mode)
    assert not private_directory(directory)


@needs_root
def test_a_directory_of_another_user_is_refused(tmp_path):
    directory = tmp_path / "theirs"
    directory.mkdir(mode=0o700)
    os.chown(directory, 65534, 65534)
    assert not private_directory(directory)


def test_a_symbolic_link_is_refused(tmp_path):
    (tmp_path / "real").mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert not private_directory(tmp_path / "link")


@needs_root
def test_a_pickle_planted_in_a_tmpdir_made_by_another_user_is_not_loaded(tmp_path, monkeypatch):
    """Another user made $TMPDIR/crmshell-UID first, writable by all, and put a pickle there;
    with no usable $XDG_CACHE_HOME the old fallback loaded it and ran its code."""
    (tmp_path / "not-a-directory").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-directory" / "cache"))
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir(mode=0o1777)
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))
    theirs = tmpdir / f"crmshell-{os.getuid()}"
    theirs.mkdir()
    theirs.chmod(0o777)
    os.chown(theirs, 65534, 65534)
    marker = tmp_path / "code-ran"
    _plant(theirs, _grammar_name(), marker)

    assert parser._cache_file(parser.GRAMMAR_PATH.read_text(encoding="utf-8")) is None
    compiled = ConfigureParser()
    assert not marker.exists()
    assert compiled.parse_logical is not None


def test_an_explicit_cache_directory_others_may_write_is_not_used(tmp_path):
    directory = tmp_path / "open"
    directory.mkdir()
    directory.chmod(0o777)
    marker = tmp_path / "code-ran"
    _plant(directory, _grammar_name(), marker)
    ConfigureParser(cache_dir=directory)
    assert not marker.exists()


def test_a_private_cache_is_written_and_read_back(tmp_path):
    directory = tmp_path / "mine"
    ConfigureParser(cache_dir=directory)
    assert (directory / _grammar_name()).is_file()
    assert ConfigureParser(cache_dir=directory).lark is not None
