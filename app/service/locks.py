"""Per-sheet locks so that runs of one sheet never overlap.

`LocalLocks` serialises threads of one process (SQLite, a single replica). `PostgresLocks` adds a
session-level PostgreSQL advisory lock on a dedicated connection, so two service processes
never sync the same sheet at once; the lock dies with the connection if a process crashes.
Waiting for a lock holds no database connection (see `PostgresLocks`).
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
from sqlalchemy.exc import SQLAlchemyError

from app.store.errors import is_pool_timeout, store_failure

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
    """Advisory locks (pg_try_advisory_lock) on one connection per holder.

    A caller waiting for a sheet holds no pooled connection between tries: each try takes a
    connection, asks for the lock and gives the connection back unless it got the lock. So a
    burst of presses waiting for sheets that other replicas sync cannot empty the pool; only
    holders keep one, for as long as they hold the lock.
    """

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
            conn = self._acquire(key, wait=wait, deadline=deadline)
            if conn is None:
                yield False
                return
            try:
                yield True
            finally:
                self._release(conn, key)

    def _acquire(self, key: int, *, wait: bool, deadline: float) -> Connection | None:
        """The connection that holds the lock, or None when it was not got (in time)."""
        while True:
            try:
                conn = self._try(key)
            except SQLAlchemyError as exc:
                # A full pool while waiting is one more reason to try again later.
                if not (wait and is_pool_timeout(exc)):
                    raise store_failure("taking a sheet's lock", exc) from exc
                conn = None
            if conn is not None:
                return conn
            if not wait or time.monotonic() >= deadline:
                return None
            time.sleep(max(0.0, min(self.poll_seconds, deadline - time.monotonic())))

    def _try(self, key: int) -> Connection | None:
        """One try on a connection of its own, kept only when it got the lock."""
        conn = self.engine.connect()
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            conn.commit()
        except BaseException:
            conn.invalidate()  # the session may hold the lock: end it rather than pool it
            conn.close()
            raise
        if got:
            return conn
        conn.close()
        return None

    @staticmethod
    def _release(conn: Connection, key: int) -> None:
        """Unlock and give the connection back; if unlocking fails, close the session instead
        (which ends the lock too), so a pooled connection never keeps a sheet locked and the
        holder's result is not lost."""
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()
        except Exception:
            log.warning("could not release advisory lock %s; closing its connection", key)
            conn.invalidate()
        finally:
            conn.close()


def locks_for(engine: Engine) -> LocalLocks | PostgresLocks:
    return PostgresLocks(engine) if engine.dialect.name == "postgresql" else LocalLocks()
