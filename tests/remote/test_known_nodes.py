"""The caller's known nodes: kept private, written atomically, corrupt files named."""

from __future__ import annotations

import stat

import pytest

from daemon.remote.known_nodes import KnownNodes, KnownNodesError


def test_put_save_and_read_back(tmp_path):
    path = tmp_path / "lib" / "known-nodes.json"
    nodes = KnownNodes(path)
    assert nodes.all() == {} and nodes.get("node2") is None
    nodes.put("node2", "10.0.0.2", 2224, "SHA256:AA", "tok")
    nodes.put("node3", "fe80::3", 2225, "SHA256:BB", "tok3")
    nodes.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = KnownNodes(path)
    assert again.get("node2").address == "10.0.0.2" and again.get("node3").port == 2225
    assert again.remove("node2") and not again.remove("node2")
    again.save()
    assert list(KnownNodes(path).all()) == ["node3"]


@pytest.mark.parametrize("text,words", [
    ("not json", "not JSON"),
    ("[]", "object of node names"),
    ('{"n": 1}', "n: expected an object"),
    ('{"n": {"address": "a", "port": "2224", "fingerprint": "f", "token": "t"}}', "n.port"),
    ('{"n": {"address": "a", "port": 70000, "fingerprint": "f", "token": "t"}}', "n.port"),
    ('{"n": {"address": "a", "port": 1, "fingerprint": "f"}}', "n.token"),
])
def test_a_corrupt_file_is_named(tmp_path, text, words):
    path = tmp_path / "known-nodes.json"
    path.write_text(text)
    with pytest.raises(KnownNodesError) as info:
        KnownNodes(path)
    assert str(path) in str(info.value) and words in str(info.value)
