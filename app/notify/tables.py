"""The outbox table, as SQLAlchemy Core on its own `MetaData`.

The lead's Alembic migration creates the same table (column types and constraint names come
from the store's naming convention, so `compare_metadata` agrees). Tests may call
`metadata.create_all`. Every string column is TEXT, timestamps are `UTCDateTime` (aware in,
aware UTC out, on SQLite and PostgreSQL alike).

status: 'pending' (waiting for its next attempt, possibly outside working hours),
'sent' (a send was confirmed: never sent again), 'failed' (permanent error or attempts used up;
kept for people to see and requeue, never deleted).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, MetaData, Table, Text, UniqueConstraint

from app.store.coltypes import UTCDateTime
from app.store.models import NAMING_CONVENTION

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
STATUSES = (PENDING, SENT, FAILED)

metadata = MetaData(naming_convention=NAMING_CONVENTION)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sheet_key", Text, nullable=False),
    Column("idempotency_key", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("case_id", Text, nullable=True),
    Column("channel", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("not_before", UTCDateTime, nullable=True),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_attempt_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    UniqueConstraint("idempotency_key"),
    Index(None, "status", "next_attempt_at"),
    Index(None, "sheet_key", "case_id"),
)
