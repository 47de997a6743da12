"""Replay protection for HMAC signatures: remember each accepted signature until its timestamp
has left the skew window (after that the timestamp check refuses it anyway).

`ReplayCache` is the interface; `InMemoryReplayCache` serves a single replica. With several
replicas a shared implementation is needed (e.g. PostgreSQL: a table `(key text primary key,
expires_at timestamptz)`, `INSERT ... ON CONFLICT DO NOTHING` telling whether the key was new,
and a periodic `DELETE ... WHERE expires_at <= now`).
"""

from __future__ import annotations

import heapq
import threading
from typing import Protocol

from app.errors import BackendUnavailableError


class ReplayCache(Protocol):
    def check_and_remember(self, key: str, *, expires_at: float, now: float) -> bool:
        """Atomically record `key` until `expires_at`.

        Returns True when the key is new (the request may proceed) and False when it was already
        recorded and has not expired (a replay). `now` comes from the authenticator's clock.
        """
        ...


class InMemoryReplayCache:
    """A bounded, thread-safe, in-process `ReplayCache`.

    When `max_entries` unexpired signatures are held, new ones are refused with a 503 rather than
    evicting live entries (evicting would re-open a replay window). Only requests whose signature
    already verified reach the cache, so only holders of a key can fill it.
    """

    def __init__(self, max_entries: int = 100_000) -> None:
        if max_entries <= 0:
            raise ValueError("max_entries must be positive")
        self._max_entries = max_entries
        self._expiry: dict[str, float] = {}
        self._heap: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._expiry)

    def check_and_remember(self, key: str, *, expires_at: float, now: float) -> bool:
        with self._lock:
            self._purge(now)
            if key in self._expiry:
                return False
            if len(self._expiry) >= self._max_entries:
                raise BackendUnavailableError(
                    "too many signed requests within the replay window; retry shortly"
                )
            self._expiry[key] = expires_at
            heapq.heappush(self._heap, (expires_at, key))
            return True

    def _purge(self, now: float) -> None:
        while self._heap and self._heap[0][0] <= now:
            expires_at, key = heapq.heappop(self._heap)
            if self._expiry.get(key) == expires_at:
                del self._expiry[key]
