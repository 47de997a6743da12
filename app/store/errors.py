"""Errors raised by the store.

The store wraps every database failure in `StoreError` so callers never have to know whether
SQLite or PostgreSQL is underneath, and so that no message ever carries a database password:
URLs are always rendered masked. It belongs to the project's error tree (`app.errors`): the API
answers 503, since a database that fails is not the caller's fault, with a `Retry-After`.
"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from app.errors import AftersalesError

STORE_RETRY_AFTER_SECONDS = 5


class StoreError(AftersalesError):
    """Something the store was asked to do failed; the message names what and where."""

    status_code = 503
    code = "store_unavailable"
    retry_after = STORE_RETRY_AFTER_SECONDS

    def __init__(self, message: str) -> None:
        super().__init__(message)


class StoreBusyError(StoreError):
    """No pooled connection became free within the pool timeout: every one is in use by this
    process (a burst of requests), so the request was not started; retry in a few seconds."""

    def __init__(self, action: str) -> None:
        super().__init__(
            f"The service is busy: {action} found every database connection in use. Try again "
            f"in {self.retry_after} s."
        )


class StaleSnapshotError(StoreError):
    """A case snapshot changed since the caller loaded it (another run saved it in between)."""

    def __init__(self, message: str, case_ids: list[str]) -> None:
        super().__init__(message)
        self.case_ids = case_ids


def is_pool_timeout(exc: BaseException) -> bool:
    """Whether `exc` is SQLAlchemy's "QueuePool limit ... reached, connection timed out"."""
    return isinstance(exc, PoolTimeoutError)


def store_failure(action: str, exc: SQLAlchemyError, detail: str | None = None) -> StoreError:
    """The `StoreError` for a database failure while doing `action`: `StoreBusyError` when the
    pool had no free connection (said plainly, without the pool's internals), else a
    `StoreError` naming the action and `detail` (default: the exception's type)."""
    if is_pool_timeout(exc):
        return StoreBusyError(action)
    return StoreError(f"{action} failed: {detail or type(exc).__name__}")
