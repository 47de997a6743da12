"""Per-sheet locks so that runs of one sheet never overlap, whichever process starts them.

Every entry point (the CLI, the service's coordinator and its undo endpoint, the scheduler's
jobs) takes the lock `locks_for(store engine)` gives, so they all exclude each other:
- `PostgresLocks` (a shared store): a session-level PostgreSQL advisory lock on a dedicated
  connection, so two replicas or a replica and a CLI never run a sheet at once; the lock dies
  with the connection if a process crashes.
- `FileLocks` (SQLite, a store no other machine shares): an flock on a file per sheet. A
  workbook's lock file is the workbook's own, beside it, so even two processes with different
  stores exclude each other; other sheets lock a file beside the SQLite file. The kernel drops
  an flock when its process dies, so a killed run never leaves its sheet locked.
`LocalLocks` serialises the threads of one process (part of both; alone for an in-memory store).
Waiting for a lock holds no database connection (see `PostgresLocks`).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
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
        with self.holding(name, wait=wait, timeout=timeout) as conn:
            yield conn is not None

    @contextmanager
    def holding(
        self, name: str, *, wait: bool, timeout: float = 600.0
    ) -> Iterator[Connection | None]:
        """`hold`, yielding the connection that holds the lock (None when not got), for a
        holder that keeps the lock for long and must notice when its connection dies (the
        scheduler's leader pings it)."""
        deadline = time.monotonic() + timeout  # one budget for the local and the database wait
        with self.local.hold(name, wait=wait, timeout=timeout) as local:
            if not local:
                yield None
                return
            key = lock_key(name)
            conn = self._acquire(key, wait=wait, deadline=deadline)
            if conn is None:
                yield None
                return
            try:
                yield conn
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


WORKBOOK_PREFIX = "workbook:"  # sheet keys of local workbooks: "workbook:<absolute path>"


def workbook_lock_path(workbook: Path) -> Path:
    """The workbook's own lock file: hidden, beside it (not a name office suites use)."""
    return workbook.with_name(f".{workbook.name}.aftersales-lock")


class FileLocks:
    """Cross-process per-sheet locks without a shared database: flock on one file per sheet.

    flock belongs to the open file, so each holder opens its own; a thread lock in front keeps
    a process's own threads from polling each other."""

    def __init__(self, folder: Path | None, poll_seconds: float = 0.05) -> None:
        self.folder = folder  # where non-workbook sheets' lock files go (None: this process only)
        self.local = LocalLocks()
        self.poll_seconds = poll_seconds

    def paths(self, name: str) -> list[Path]:
        """Where the lock of `name` may live, in order of preference."""
        found: list[Path] = []
        if name.startswith(WORKBOOK_PREFIX):
            found.append(workbook_lock_path(Path(name.removeprefix(WORKBOOK_PREFIX))))
        if self.folder is not None:
            digest = hashlib.blake2b(name.encode("utf-8"), digest_size=12).hexdigest()
            found.append(self.folder / f"{digest}.lock")
        return found

    @contextmanager
    def hold(self, name: str, *, wait: bool, timeout: float = 600.0) -> Iterator[bool]:
        deadline = time.monotonic() + timeout  # one budget for the thread and the file wait
        with self.local.hold(name, wait=wait, timeout=timeout) as local:
            if not local:
                yield False
                return
            fd = self._open(name)
            if fd is None:  # nowhere to put a lock file: this process's lock is all there is
                yield True
                return
            try:
                yield self._acquire(fd, wait=wait, deadline=deadline)
            finally:
                os.close(fd)  # closing the file releases its flock

    def _open(self, name: str) -> int | None:
        for path in self.paths(name):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:  # a read-only folder: try the next place
                log.debug("cannot open lock file %s", path)
        return None

    def _acquire(self, fd: int, *, wait: bool, deadline: float) -> bool:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if not wait or time.monotonic() >= deadline:
                    return False
            # Polled, not a blocking flock: a blocking call could not honour the deadline.
            time.sleep(max(0.0, min(self.poll_seconds, deadline - time.monotonic())))


def locks_for(engine: Engine) -> FileLocks | PostgresLocks:
    """The per-sheet locks every process using this store shares (see the module doc)."""
    if engine.dialect.name == "postgresql":
        return PostgresLocks(engine)
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return FileLocks(None)
    path = Path(database).resolve()
    return FileLocks(path.with_name(f"{path.name}.locks"))
