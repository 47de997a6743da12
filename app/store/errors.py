"""Errors raised by the store.

The store wraps every database failure in `StoreError` so callers never have to know whether
SQLite or PostgreSQL is underneath, and so that no message ever carries a database password:
URLs are always rendered masked. It is a plain `Exception` for now; the project-wide error tree
(`app.errors`) will adopt it as a subclass later.
"""

from __future__ import annotations


class StoreError(Exception):
    """Something the store was asked to do failed; the message names what and where."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleSnapshotError(StoreError):
    """A case snapshot changed since the caller loaded it (another run saved it in between)."""

    def __init__(self, message: str, case_ids: list[str]) -> None:
        super().__init__(message)
        self.case_ids = case_ids
