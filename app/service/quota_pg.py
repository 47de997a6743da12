"""`PostgresQuotaGovernor`: the Google quota's slots in one table that every replica shares.

Why a table: each replica knows only its own requests, but the quota is the project's and the
service account's, whichever replica sends. Each attempt is one short transaction under a
transaction-scoped advisory lock (one per database and schema, so attempts of all replicas
queue there and two can never both take the last slot): read the database clock, prune the
slots that stopped counting, count those of the same user and project, and take one when it
fits. Every time comes from the database's clock, so replicas on hosts whose clocks drift still
agree. Nothing is held while a caller sleeps; the lock ends with the transaction, also when a
replica dies in the middle of one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import cast

from sqlalchemy import Float, Table, and_, delete, extract, func, insert, or_, select, text, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import Connection, Engine

from app.service.locks import lock_key
from app.service.quota import Attempt, Grant, Kind, QuotaSettings, Slot, WaitingGovernor, decide
from app.store.base import Repository
from app.store.errors import StoreError
from app.store.models import QuotaSlotRow

log = logging.getLogger("aftersales.quota")
SLOTS = cast(Table, QuotaSlotRow.__table__)
LOCK_NAME = "aftersales:google-quota"
DB_NOW = sql_cast(extract("epoch", func.clock_timestamp()), Float)


class PostgresQuotaGovernor(Repository, WaitingGovernor):
    """Slots in `quota_slots`, on the database clock, shared by every replica of the store."""

    def __init__(
        self,
        engine: Engine,
        settings: QuotaSettings,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        observe: Callable[[float], None] | None = None,
    ) -> None:
        WaitingGovernor.__init__(self, settings, monotonic=monotonic, sleep=sleep, observe=observe)
        Repository.__init__(self, engine)
        self._key: int | None = None

    def _attempt(self, user: str, project: str, kind: Kind) -> Attempt:
        s = self.settings
        with self._write("the Google quota governor taking a slot") as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": self._lock(conn)})
            now = float(conn.execute(select(DB_NOW)).scalar_one())
            conn.execute(
                delete(SLOTS).where(
                    or_(
                        SLOTS.c.done_at <= now - s.window_seconds,
                        and_(
                            SLOTS.c.done_at.is_(None),
                            SLOTS.c.granted_at <= now - s.window_seconds - s.lease_seconds,
                        ),
                    )
                )
            )
            rows = conn.execute(
                select(
                    SLOTS.c.principal,
                    SLOTS.c.project,
                    SLOTS.c.kind,
                    SLOTS.c.granted_at,
                    SLOTS.c.done_at,
                ).where(or_(SLOTS.c.principal == user, SLOTS.c.project == project))
            ).all()
            slots = [Slot(r[0], r[1], r[2], r[3], r[4]) for r in rows]
            wake = decide(slots, user, project, kind, now, s)
            if wake is not None:
                return Attempt(now, wake=wake)
            grant_id = conn.execute(
                insert(SLOTS)
                .values(principal=user, project=project, kind=kind, granted_at=now)
                .returning(SLOTS.c.id)
            ).scalar_one()
            return Attempt(now, grant_id=int(grant_id))

    def _finish(self, grant: Grant) -> float | None:
        """Mark the slot's request ended; if that fails the slot counts until its lease ends
        (never less than it should), so the caller's result is not lost over it."""
        try:
            with self._write("the Google quota governor releasing a slot") as conn:
                done = conn.execute(
                    update(SLOTS)
                    .where(SLOTS.c.id == grant.id)
                    .values(done_at=DB_NOW)
                    .returning(SLOTS.c.done_at)
                ).scalar_one_or_none()
        except StoreError:
            log.warning("could not release quota slot %s; it counts until its lease ends", grant.id)
            return None
        return None if done is None else float(done)

    def _lock(self, conn: Connection) -> int:
        """The advisory lock of the store `conn` is in: one per database and schema."""
        if self._key is None:
            database, schema = conn.execute(
                text("SELECT current_database(), current_schema()")
            ).one()
            self._key = lock_key(f"{LOCK_NAME}:{database}:{schema}")
        return self._key
