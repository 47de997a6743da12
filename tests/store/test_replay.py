"""The shared replay cache: a signature is accepted once, by whichever replica sees it first."""

from __future__ import annotations

import threading
import time

from app.store import Store
from app.store.replay import StoreReplayCache


def test_a_signature_is_new_once_until_it_expires(store: Store) -> None:
    """The first check accepts, a repeat is refused, and after expiry the key is free again."""
    cache = StoreReplayCache(store.engine)
    now = time.time()
    assert cache.check_and_remember("sig-1", expires_at=now + 300, now=now)
    assert not cache.check_and_remember("sig-1", expires_at=now + 300, now=now + 1)
    assert cache.check_and_remember("sig-2", expires_at=now + 300, now=now + 1)
    assert cache.check_and_remember("sig-1", expires_at=now + 700, now=now + 301)


def test_two_replicas_racing_on_one_signature_accept_it_once(store: Store) -> None:
    """Two caches (as two replicas would have) checking the same key at once: one True."""
    caches = [StoreReplayCache(store.engine), StoreReplayCache(store.engine)]
    now = time.time()
    results: list[bool] = []
    threads = [
        threading.Thread(
            target=lambda c=c: results.append(
                c.check_and_remember("sig-race", expires_at=now + 300, now=now)
            )
        )
        for c in caches
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]
