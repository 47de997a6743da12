"""`Repository`: the base of every class that reads or writes the store's database.

One translation of database errors for all of them (the store, the outbox, the sheet registry,
the replay cache, the quota governor): whatever SQLAlchemy raises leaves as `StoreError`, which
the API answers with 503 `store_unavailable` and a `Retry-After`, naming what was being done and
the database with its password masked. A full connection pool is `StoreBusyError`. So a database
outage is the same 503 wherever a request meets it, never a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError, StatementError
from sqlalchemy.orm import Session

from app.store import codec
from app.store.engine import READ_ONLY_OPTION, mask_url, scrub
from app.store.errors import StoreBusyError, StoreError, is_pool_timeout


class Repository:
    """Database access on one engine; subclasses do their work inside `_read` / `_write`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # Marked read-only so that SQLite starts a deferred transaction (no write lock).
        self._read_engine = engine.execution_options(**{READ_ONLY_OPTION: True})

    @property
    def engine(self) -> Engine:
        """The underlying engine (for advisory locks and health checks, not for bypassing)."""
        return self._engine

    @property
    def url(self) -> str:
        """The database URL with the password masked."""
        return mask_url(self._engine.url)

    @property
    def dialect(self) -> str:
        """The database kind: "sqlite" or "postgresql"."""
        return self._engine.dialect.name

    @contextmanager
    def _write(self, what: str) -> Iterator[Connection]:
        """One transaction that commits when the block ends (rolls back on an error)."""
        with self._guard(what), self._engine.begin() as conn:
            yield conn

    @contextmanager
    def _read(self, what: str) -> Iterator[Connection]:
        """A connection for reading only."""
        with self._guard(what), self._read_engine.connect() as conn:
            yield conn

    @contextmanager
    def _write_session(self, what: str) -> Iterator[Session]:
        """`_write` as an ORM session; equal cell values it stores are encoded once
        (`codec.sharing`)."""
        with codec.sharing(), self._session(self._engine, what) as session:
            yield session

    def _read_session(self, what: str) -> AbstractContextManager[Session]:
        """`_read` as an ORM session."""
        return self._session(self._read_engine, what)

    @contextmanager
    def _session(self, engine: Engine, what: str) -> Iterator[Session]:
        with (
            self._guard(what),
            Session(engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        """Turn database errors into StoreError naming `what` and the (masked) URL."""
        try:
            yield
        except StoreError:
            raise
        except StatementError as exc:
            if isinstance(exc.orig, StoreError):  # raised by a column type while binding
                raise StoreError(f"{what} failed: {exc.orig.message}") from exc
            raise self._failure(what, exc) from exc
        except SQLAlchemyError as exc:
            raise self._failure(what, exc) from exc

    def _failure(self, what: str, exc: SQLAlchemyError) -> StoreError:
        if is_pool_timeout(exc):
            return StoreBusyError(what)
        return StoreError(f"{what} failed ({self.url}): {self._reason(exc)}")

    def _reason(self, exc: SQLAlchemyError) -> str:
        cause: BaseException = exc.orig if isinstance(exc, DBAPIError) and exc.orig else exc
        lines = str(cause).strip().splitlines() or [type(cause).__name__]
        return scrub(f"{type(cause).__name__}: {lines[0]}", self._engine.url)
