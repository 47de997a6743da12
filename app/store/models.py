"""Tables of the store, as SQLAlchemy 2 typed declarative models.

The models are the single description of the schema: the Alembic migrations are checked
against them by a test (`compare_metadata` must find no difference on SQLite and PostgreSQL).
Constraint and index names come from the naming convention so both always agree. Every
string column is TEXT: SQLite ignores VARCHAR lengths and PostgreSQL enforces them, and a
value that is fine on one database must be fine on the other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.store.coltypes import TaggedValues, UTCDateTime
from app.store.records import CellValue

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class RunRow(Base):
    """One sync or undo of one sheet (DESIGN §2 rule 5: every sync is a recorded run)."""

    __tablename__ = "runs"
    __table_args__ = (Index(None, "sheet_key", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet_key: Mapped[str] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(Text)
    backend: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    message: Mapped[str | None] = mapped_column(Text)
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    # How far the run has got while it runs (app/sync/progress.py): the step ("queued" for a
    # run reserved before it could start), and cases done of total; kept once it finished.
    progress_step: Mapped[str | None] = mapped_column(Text)
    progress_done: Mapped[int | None] = mapped_column(Integer)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    # The stable code of the error a failed run ended with (e.g. "internal_error").
    error_code: Mapped[str | None] = mapped_column(Text)
    # The team language the run wrote the sheet in ("en", "zh"); NULL before it was recorded.
    language: Mapped[str | None] = mapped_column(Text)


class CellWriteBatchRow(Base):
    """The previous and new values of up to `cell_log.BATCH` cells a run wrote, in the order
    written, so that the run can be undone (`app/store/cell_log.py` says why a batch, not a
    row per cell, and what an entry holds)."""

    __tablename__ = "cell_write_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    cells: Mapped[list[Any]] = mapped_column(JSON, nullable=False)


class CaseSnapshotRow(Base):
    """The last values the service saw for one case of one sheet."""

    __tablename__ = "case_snapshots"
    __table_args__ = (UniqueConstraint("sheet_key", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet_key: Mapped[str] = mapped_column(Text)
    case_id: Mapped[str] = mapped_column(Text)
    cell_values: Mapped[dict[str, CellValue]] = mapped_column(TaggedValues, nullable=False)
    seq: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))


class TimelineEventRow(Base):
    """An observed change of a case, recorded exactly once per (sheet_key, event_key)."""

    __tablename__ = "timeline_events"
    __table_args__ = (
        UniqueConstraint("sheet_key", "event_key"),
        Index(None, "sheet_key", "case_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet_key: Mapped[str] = mapped_column(Text)
    event_key: Mapped[str] = mapped_column(Text)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    case_id: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, CellValue]] = mapped_column(TaggedValues, nullable=False)


class RegisteredSheetRow(Base):
    """A sheet the service manages: a Google spreadsheet or a local workbook."""

    __tablename__ = "sheets"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(Text)
    allowed: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The sheet's HMAC key is derived from (master secret, id, key_version); `aftersales sheets
    # rotate` increments it, so the old secret stops working and no other sheet's changes.
    key_version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    key_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The team language chosen at registration (`sheets add --language`); NULL: not chosen.
    language: Mapped[str | None] = mapped_column(Text)


# The notification outbox (used through app.notify): Core, since its users work with rows.
OUTBOX = Table(
    "outbox",
    Base.metadata,
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


class ReplayRow(Base):
    """An accepted HMAC signature, remembered until it leaves the skew window (all replicas)."""

    __tablename__ = "hmac_replay"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class QuotaSlotRow(Base):
    """A Google request's slot under the quota, shared by every replica (app/service/quota_pg.py).

    Times are seconds since the epoch on the database's clock, so that replicas agree."""

    __tablename__ = "quota_slots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    principal: Mapped[str] = mapped_column(Text)  # the user: the service account's e-mail
    project: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)  # "read" or "write"
    granted_at: Mapped[float] = mapped_column(Float)
    done_at: Mapped[float | None] = mapped_column(Float)  # None while the request is in flight
