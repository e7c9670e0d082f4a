"""CIB files on disk: digest, backups and their rotation, and loading past damaged files."""

from __future__ import annotations

import os
import stat

import pytest
from lxml import etree

from daemon.cib.disk import CibDisk, digest
from daemon.cib.document import empty_cib, serialize_cib
from daemon.cib.errors import CibCorrupt

from tests.cib_store.helpers import cib_with


def version(epoch: int) -> etree._Element:
    root = cib_with(2)
    root.set("epoch", str(epoch))
    return root


def saved(tmp_path, epochs, keep=10) -> CibDisk:
    disk = CibDisk(tmp_path / "state", keep=keep)
    for epoch in epochs:
        disk.save(version(epoch))
    return disk


def test_fresh_state_is_an_empty_cib_and_says_so(tmp_path):
    loaded = CibDisk(tmp_path / "nothing").load()
    assert loaded.fresh and loaded.source_path is None and loaded.problems == []
    assert "no CIB stored" in loaded.summary()
    assert serialize_cib(loaded.root) == serialize_cib(empty_cib())


def test_save_writes_file_digest_and_modes(tmp_path):
    disk = saved(tmp_path, [1])
    data = disk.cib_path.read_bytes()
    assert data == serialize_cib(version(1))
    assert (disk.dir / "cib.xml.sig").read_text().strip() == digest(data)
    assert stat.S_IMODE(os.stat(disk.dir).st_mode) == 0o750
    assert stat.S_IMODE(os.stat(disk.cib_path).st_mode) == 0o600
    loaded = disk.load()
    assert loaded.source_path == disk.cib_path and loaded.problems == [] and not loaded.fresh
    assert loaded.root.get("epoch") == "1"


def test_backups_rotate_keeping_the_newest(tmp_path):
    disk = saved(tmp_path, range(1, 8), keep=3)
    assert [n for n, _ in disk.backups()] == [5, 4, 3]
    assert (disk.dir / "cib.last").read_text().strip() == "5"
    assert [etree.fromstring(p.read_bytes()).get("epoch") for _, p in disk.backups()] == ["6", "5", "4"]
    for _, path in disk.backups():
        sig = path.with_name(path.name + ".sig")
        assert sig.read_text().strip() == digest(path.read_bytes())
    assert sorted(p.name for p in disk.dir.iterdir() if p.name.endswith(".tmp")) == []


def damage(path, how):
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "flipped byte":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:])
    elif how == "bad digest":
        path.with_name(path.name + ".sig").write_text("0" * 64 + "\n")
    elif how == "invalid XML":
        bad = b"<cib><configuration><resources><primitive></configuration></cib>"
        path.write_bytes(bad)
        path.with_name(path.name + ".sig").write_text(digest(bad))
    elif how == "invalid schema":
        root = version(9)
        root.find("configuration/resources").append(etree.Element("primitive", id="x"))
        bad = serialize_cib(root)
        path.write_bytes(bad)
        path.with_name(path.name + ".sig").write_text(digest(bad))
    elif how == "missing":
        path.unlink()


@pytest.mark.parametrize("how, reason", [
    ("truncated", "digest mismatch"), ("flipped byte", "digest mismatch"),
    ("bad digest", "digest mismatch"), ("invalid XML", "not a CIB: "),
    ("invalid schema", "invalid: /cib/configuration/resources/primitive[@id='x']"),
    ("missing", "missing"),
])
def test_a_damaged_cib_falls_back_to_the_newest_good_backup(tmp_path, how, reason):
    disk = saved(tmp_path, [1, 2, 3])
    damage(disk.cib_path, how)
    loaded = disk.load()
    assert loaded.root.get("epoch") == "2" and loaded.source_path.name == "cib-1.raw"
    assert len(loaded.problems) == 1
    assert loaded.problems[0].startswith(f"{disk.cib_path}: {reason}")


def test_damaged_backups_are_skipped_too(tmp_path):
    disk = saved(tmp_path, [1, 2, 3, 4])
    damage(disk.cib_path, "truncated")
    damage(disk.dir / "cib-2.raw", "flipped byte")
    loaded = disk.load()
    assert loaded.source_path.name == "cib-1.raw" and len(loaded.problems) == 2


def test_all_bad_raises_listing_every_file(tmp_path):
    disk = saved(tmp_path, [1, 2, 3])
    for path in [disk.cib_path] + [p for _, p in disk.backups()]:
        damage(path, "bad digest")
    with pytest.raises(CibCorrupt) as caught:
        disk.load()
    assert [os.path.basename(f) for f, _ in caught.value.faults] == ["cib.xml", "cib-1.raw", "cib-0.raw"]
    assert "digest mismatch" in str(caught.value)


def test_only_a_counter_left_is_not_a_fresh_cluster(tmp_path):
    disk = saved(tmp_path, [1, 2])
    for path in [disk.cib_path] + [p for _, p in disk.backups()]:
        path.unlink()
    with pytest.raises(CibCorrupt, match="missing"):
        disk.load()


def test_missing_digest_is_noted_not_fatal(tmp_path):
    disk = saved(tmp_path, [1])
    (disk.dir / "cib.xml.sig").unlink()
    loaded = disk.load()
    assert loaded.source_path == disk.cib_path and "no digest file" in loaded.problems[0]


def test_a_save_keeps_the_file_mode_an_admin_gave(tmp_path):
    disk = saved(tmp_path, [1])
    os.chmod(disk.cib_path, 0o640)
    disk.save(version(2))
    assert stat.S_IMODE(os.stat(disk.cib_path).st_mode) == 0o640
