"""A replay cache shared by every replica: signatures already accepted, kept in the store.

`check_and_remember` is one `INSERT ... ON CONFLICT DO NOTHING`: the key was new exactly when a
row was inserted, so two replicas racing on the same signature cannot both accept it. Expired
rows are deleted as new ones arrive (a signature past the skew window is refused by its
timestamp anyway).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from app.store.base import Repository
from app.store.models import ReplayRow

REPLAY = cast(Table, ReplayRow.__table__)


class StoreReplayCache(Repository):
    """`app.auth.ReplayCache` on the store's database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._insert = insert

    def check_and_remember(self, key: str, *, expires_at: float, now: float) -> bool:
        with self._write("the replay check") as conn:
            conn.execute(delete(REPLAY).where(REPLAY.c.expires_at <= _at(now)))
            statement = (
                self._insert(REPLAY)
                .values(key=key, expires_at=_at(expires_at))
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(REPLAY.c.key)
            )
            # A row comes back only when this call inserted it (rowcount is not reliable
            # for ON CONFLICT on every driver).
            return conn.execute(statement).first() is not None


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
