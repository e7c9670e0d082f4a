"""The node's token store: hashed, expiring, revocable, and loud about a corrupt file."""

from __future__ import annotations

import json
import stat

import pytest

from daemon.remote.tokens import DEFAULT_TTL_S, TokenRejected, TokenStore, TokenStoreError, digest


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(tmp_path, clock):
    return TokenStore(tmp_path / "remote" / "tokens.json", clock=clock)


def test_a_token_is_256_random_bits_kept_only_as_its_hash(store):
    token = store.issue("hacluster")
    assert len(token) >= 43 and token != store.issue("hacluster")
    text = store.path.read_text()
    assert token not in text and digest(token) in text
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    info = store.check(token)
    assert info.user == "hacluster" and info.expires - info.issued == DEFAULT_TTL_S


def test_a_token_expires(store, clock):
    token = store.issue("hacluster", ttl_s=60)
    clock.now += 59
    assert store.check(token).user == "hacluster"
    clock.now += 1
    with pytest.raises(TokenRejected) as info:
        store.check(token)
    assert info.value.reason == "expired"


def test_expired_entries_are_pruned_when_the_file_is_written(store, clock):
    store.issue("a", ttl_s=10)
    clock.now += 20
    store.issue("b")
    assert [e.user for e in store.entries()] == ["b"]


def test_unknown_and_revoked_tokens_read_the_same(store):
    token, other = store.issue("hacluster"), store.issue("hacluster")
    assert store.revoke(token) and not store.revoke(token)
    for bad in (token, "made-up", ""):
        with pytest.raises(TokenRejected) as info:
            store.check(bad)
        assert info.value.reason == "unknown or revoked"
    assert store.check(other)
    assert store.revoke_all() == 1
    with pytest.raises(TokenRejected):
        store.check(other)


def test_a_token_of_another_store_is_unknown(tmp_path, store):
    foreign = TokenStore(tmp_path / "elsewhere.json").issue("hacluster")
    with pytest.raises(TokenRejected):
        store.check(foreign)


def test_changes_on_disk_are_seen(store, clock):
    token = store.issue("hacluster")
    doc = json.loads(store.path.read_text())
    doc["tokens"][0]["expires"] = clock.now - 1
    store.path.write_text(json.dumps(doc))
    with pytest.raises(TokenRejected, match="expired"):
        store.check(token)


@pytest.mark.parametrize("text,words", [
    ("{", "not JSON"),
    ("[]", "expected"),
    ('{"version": 1, "tokens": [5]}', "tokens[0] is not an object"),
    ('{"version": 1, "tokens": [{"sha256": "ab", "user": "u", "issued": 1, "expires": 2}]}',
     "tokens[0].sha256"),
    ('{"version": 1, "tokens": [{"sha256": "' + "a" * 64 + '", "user": "u", "issued": 1}]}',
     "tokens[0].expires"),
])
def test_a_corrupt_file_is_an_error_naming_it_and_is_left_alone(store, text, words):
    store.path.parent.mkdir(parents=True)
    store.path.write_text(text)
    for action in (lambda: store.check("x"), lambda: store.issue("u"), store.revoke_all):
        with pytest.raises(TokenStoreError) as info:
            action()
        assert str(store.path) in str(info.value) and words in str(info.value)
    assert store.path.read_text() == text


def test_a_lifetime_must_be_positive(store):
    with pytest.raises(ValueError):
        store.issue("u", ttl_s=0)
