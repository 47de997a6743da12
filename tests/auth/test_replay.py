"""The in-memory replay cache: detects repeats, forgets expired entries, and stays bounded."""

from __future__ import annotations

import pytest

from app.auth import InMemoryReplayCache
from app.errors import BackendUnavailableError


def test_a_key_is_new_once_until_it_expires() -> None:
    """check_and_remember says True for a new key, False for a repeat, True again after expiry."""
    cache = InMemoryReplayCache(10)
    assert cache.check_and_remember("k", expires_at=100, now=0)
    assert not cache.check_and_remember("k", expires_at=100, now=99)
    assert cache.check_and_remember("k", expires_at=200, now=100)
    assert not cache.check_and_remember("k", expires_at=200, now=150)


def test_a_full_cache_refuses_rather_than_forgetting_live_entries() -> None:
    """A cache full of live entries refuses new ones (503) and keeps detecting replays."""
    cache = InMemoryReplayCache(3)
    for n in range(3):
        assert cache.check_and_remember(f"k{n}", expires_at=100, now=0)
    with pytest.raises(BackendUnavailableError, match="retry shortly"):
        cache.check_and_remember("k3", expires_at=100, now=1)
    assert not cache.check_and_remember("k0", expires_at=100, now=2)
    assert len(cache) == 3


def test_expired_entries_make_room() -> None:
    """Entries past their expiry are purged, so a full cache accepts new keys again."""
    cache = InMemoryReplayCache(2)
    cache.check_and_remember("a", expires_at=10, now=0)
    cache.check_and_remember("b", expires_at=20, now=0)
    assert cache.check_and_remember("c", expires_at=30, now=10)
    assert len(cache) == 2
