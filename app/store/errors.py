"""Errors raised by the store.

The store wraps every database failure in `StoreError` so callers never have to know whether
SQLite or PostgreSQL is underneath, and so that no message ever carries a database password:
URLs are always rendered masked. It belongs to the project's error tree (`app.errors`): the API
answers 503, since a database that fails is not the caller's fault.
"""

from __future__ import annotations

from app.errors import AftersalesError


class StoreError(AftersalesError):
    """Something the store was asked to do failed; the message names what and where."""

    status_code = 503
    code = "store_unavailable"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class StaleSnapshotError(StoreError):
    """A case snapshot changed since the caller loaded it (another run saved it in between)."""

    def __init__(self, message: str, case_ids: list[str]) -> None:
        super().__init__(message)
        self.case_ids = case_ids
