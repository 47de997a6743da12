"""The outbox: notifications waiting to be delivered, in the store, never lost.

`enqueue` is idempotent (INSERT ... ON CONFLICT (idempotency_key) DO NOTHING), so a repeated or
interrupted sync queues each message exactly once. Delivery (`delivery.deliver_due`) claims due
messages, sends them and records the result:

- `claim` counts the attempt and pushes `next_attempt_at` a lease ahead, atomically, so two
  deliverers never send the same message at once; if the process dies after sending but before
  `mark_sent`, the lease runs out and the message is sent again with the same idempotency key;
- `mark_sent` is final: a sent message is never due again;
- `mark_failed` schedules the next attempt, or gives up (status 'failed', kept for people to see
  and `requeue`).

Works on SQLite and PostgreSQL; every method is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.notify.messages import NewMessage, OutboxRecord
from app.notify.tables import FAILED, PENDING, SENT, metadata, outbox
from app.store.base import Repository
from app.store.errors import StoreError

MAX_ERROR_CHARS = 1000


class Outbox(Repository):
    """The outbox table of one store (any number of sheets)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        dialect = engine.dialect.name
        if dialect not in ("sqlite", "postgresql"):
            raise StoreError(f"the outbox supports SQLite and PostgreSQL, not {dialect}")
        self._dialect = dialect

    def create_tables(self) -> None:
        """Create the outbox table if missing (tests; the service uses the Alembic migration)."""
        with self._write("creating the outbox table") as conn:
            metadata.create_all(conn)

    # --- writing ------------------------------------------------------------------------------

    def enqueue(self, messages: Iterable[NewMessage]) -> int:
        """Queue messages; one whose idempotency key is already queued is skipped.

        Returns how many were inserted. Safe to call again with the same messages.
        """
        batch = sorted(messages, key=lambda m: m.idempotency_key)  # lock order
        if not batch:
            return 0
        inserted = 0
        with self._write("queueing notifications") as conn:
            for message in batch:
                _aware(message.created_at, "created_at")
                start = message.created_at
                if message.not_before is not None:
                    start = max(start, _aware(message.not_before, "not_before"))
                values: dict[str, Any] = {
                    "sheet_key": message.sheet_key,
                    "idempotency_key": message.idempotency_key,
                    "kind": message.kind,
                    "case_id": message.case_id,
                    "channel": message.channel,
                    "target": message.target,
                    "payload": message.payload,
                    "created_at": message.created_at,
                    "not_before": message.not_before,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": start,
                }
                insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
                statement = (
                    insert(outbox)
                    .values(**values)
                    .on_conflict_do_nothing(index_elements=["idempotency_key"])
                    .returning(outbox.c.id)
                )
                inserted += len(conn.execute(statement).all())
        return inserted

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[OutboxRecord]:
        """Take up to `limit` due messages for sending: count the attempt, lease until now+lease.

        A message another deliverer claimed in the meantime is left out.
        """
        _aware(now, "now")
        claimed: list[OutboxRecord] = []
        with self._write("claiming notifications") as conn:
            rows = conn.execute(_due_query(now, limit)).mappings().all()
            for row in rows:
                result = conn.execute(
                    update(outbox)
                    .where(
                        outbox.c.id == row["id"],
                        outbox.c.status == PENDING,
                        outbox.c.attempts == row["attempts"],
                        outbox.c.next_attempt_at <= now,
                    )
                    .values(
                        attempts=outbox.c.attempts + 1,
                        last_attempt_at=now,
                        next_attempt_at=now + lease,
                    )
                )
                if result.rowcount == 1:
                    claimed.append(
                        _record(
                            {
                                **row,
                                "attempts": row["attempts"] + 1,
                                "last_attempt_at": now,
                                "next_attempt_at": now + lease,
                            }
                        )
                    )
        return claimed

    def mark_sent(self, message_id: int, at: datetime) -> bool:
        """Record a confirmed send; the message is never sent again. False if already sent."""
        _aware(at, "at")
        with self._write("recording a sent notification") as conn:
            result = conn.execute(
                update(outbox)
                .where(outbox.c.id == message_id, outbox.c.status != SENT)
                .values(status=SENT, sent_at=at, last_error=None)
            )
        return bool(result.rowcount == 1)

    def mark_failed(self, message_id: int, *, error: str, next_attempt_at: datetime | None) -> bool:
        """Record a failed attempt: try again at `next_attempt_at`, or give up when it is None.

        A message already marked sent is left alone (returns False).
        """
        values: dict[str, Any] = {"last_error": error[:MAX_ERROR_CHARS]}
        if next_attempt_at is None:
            values["status"] = FAILED
        else:
            values["next_attempt_at"] = _aware(next_attempt_at, "next_attempt_at")
        with self._write("recording a failed notification") as conn:
            result = conn.execute(
                update(outbox)
                .where(outbox.c.id == message_id, outbox.c.status == PENDING)
                .values(**values)
            )
        return bool(result.rowcount == 1)

    def requeue(self, message_id: int, now: datetime) -> bool:
        """Give a failed message a fresh set of attempts, due at `now` (e.g. after a fix)."""
        _aware(now, "now")
        with self._write("requeueing a notification") as conn:
            result = conn.execute(
                update(outbox)
                .where(outbox.c.id == message_id, outbox.c.status == FAILED)
                .values(status=PENDING, attempts=0, next_attempt_at=now)
            )
        return bool(result.rowcount == 1)

    # --- reading ------------------------------------------------------------------------------

    def due(self, now: datetime, limit: int = 100) -> list[OutboxRecord]:
        """Pending messages whose time has come (oldest first), without claiming them."""
        _aware(now, "now")
        with self._read("reading due notifications") as conn:
            return [_record(r) for r in conn.execute(_due_query(now, limit)).mappings()]

    def get(self, idempotency_key: str) -> OutboxRecord | None:
        with self._read("reading a notification") as conn:
            row = (
                conn.execute(select(outbox).where(outbox.c.idempotency_key == idempotency_key))
                .mappings()
                .first()
            )
        return _record(row) if row is not None else None

    def records(
        self,
        sheet_key: str | None = None,
        *,
        status: str | None = None,
        case_id: str | None = None,
        limit: int = 500,
    ) -> list[OutboxRecord]:
        """Messages, newest first (for the Outbox tab and the API)."""
        query = select(outbox).order_by(outbox.c.created_at.desc(), outbox.c.id.desc())
        if sheet_key is not None:
            query = query.where(outbox.c.sheet_key == sheet_key)
        if status is not None:
            query = query.where(outbox.c.status == status)
        if case_id is not None:
            query = query.where(outbox.c.case_id == case_id)
        with self._read("reading notifications") as conn:
            return [_record(r) for r in conn.execute(query.limit(limit)).mappings()]

    def counts(self, sheet_key: str | None = None) -> dict[str, int]:
        """Number of messages per status (every status present, zero when none)."""
        query = select(outbox.c.status, func.count()).group_by(outbox.c.status)
        if sheet_key is not None:
            query = query.where(outbox.c.sheet_key == sheet_key)
        with self._read("counting notifications") as conn:
            found = {str(s): int(n) for s, n in conn.execute(query).all()}
        return {s: found.get(s, 0) for s in (PENDING, SENT, FAILED)}


def _due_query(now: datetime, limit: int) -> Any:
    return (
        select(outbox)
        .where(
            and_(
                outbox.c.status == PENDING,
                outbox.c.next_attempt_at <= now,
                or_(outbox.c.not_before.is_(None), outbox.c.not_before <= now),
            )
        )
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
        .limit(limit)
    )


def _record(row: Mapping[Any, Any]) -> OutboxRecord:
    return OutboxRecord(
        id=int(row["id"]),
        sheet_key=row["sheet_key"],
        idempotency_key=row["idempotency_key"],
        kind=row["kind"],
        case_id=row["case_id"],
        channel=row["channel"],
        target=row["target"],
        payload=dict(row["payload"] or {}),
        created_at=row["created_at"],
        not_before=row["not_before"],
        status=row["status"],
        attempts=int(row["attempts"]),
        next_attempt_at=row["next_attempt_at"],
        last_attempt_at=row["last_attempt_at"],
        last_error=row["last_error"],
        sent_at=row["sent_at"],
    )


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise StoreError(f"{what} must be timezone-aware, got {value.isoformat()}")
    return value
