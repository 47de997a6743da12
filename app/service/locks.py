"""Per-sheet locks so that runs of one sheet never overlap.

`LocalLocks` serialises threads of one process (SQLite, a single replica). `PostgresLocks` adds a
session-level PostgreSQL advisory lock on a dedicated connection, so two service processes
never sync the same sheet at once; the lock dies with the connection if a process crashes.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger("aftersales.locks")


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock from a sheet key."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class SheetLocks(Protocol):
    def hold(
        self, name: str, *, wait: bool, timeout: float = 600.0
    ) -> AbstractContextManager[bool]:
        """Hold the lock named `name`; yields False (and holds nothing) when `wait` is False
        and another holder has it."""
        ...


class LocalLocks:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def _lock(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    @contextmanager
    def hold(self, name: str, *, wait: bool, timeout: float = 600.0) -> Iterator[bool]:
        lock = self._lock(name)
        acquired = lock.acquire(timeout=timeout) if wait else lock.acquire(blocking=False)
        try:
            yield acquired
        finally:
            if acquired:
                lock.release()


class PostgresLocks:
    """Advisory locks (pg_try_advisory_lock / pg_advisory_lock) on one connection per holder."""

    def __init__(self, engine: Engine, poll_seconds: float = 0.2) -> None:
        self.engine = engine
        self.local = LocalLocks()
        self.poll_seconds = poll_seconds

    @contextmanager
    def hold(self, name: str, *, wait: bool, timeout: float = 600.0) -> Iterator[bool]:
        deadline = time.monotonic() + timeout  # one budget for the local and the database wait
        with self.local.hold(name, wait=wait, timeout=timeout) as local:
            if not local:
                yield False
                return
            key = lock_key(name)
            with self.engine.connect() as conn:
                acquired = self._acquire(conn, key, wait=wait, deadline=deadline)
                try:
                    yield acquired
                finally:
                    if acquired:
                        self._release(conn, key)

    def _acquire(self, conn: Connection, key: int, *, wait: bool, deadline: float) -> bool:
        while True:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            conn.commit()
            if got or not wait or time.monotonic() >= deadline:
                return bool(got)
            time.sleep(max(0.0, min(self.poll_seconds, deadline - time.monotonic())))

    @staticmethod
    def _release(conn: Connection, key: int) -> None:
        """Unlock; if that fails, close the session instead (which ends the lock too), so a
        pooled connection never keeps a sheet locked and the holder's result is not lost."""
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()
        except Exception:
            log.warning("could not release advisory lock %s; closing its connection", key)
            conn.invalidate()


def locks_for(engine: Engine) -> LocalLocks | PostgresLocks:
    return PostgresLocks(engine) if engine.dialect.name == "postgresql" else LocalLocks()
