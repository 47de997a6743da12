"""Column types that make SQLite and PostgreSQL behave the same.

- `UTCDateTime`: timestamps go in timezone-aware and come out timezone-aware in UTC on both
  databases. SQLite has no time zones (SQLAlchemy would drop the offset silently), so there the
  value is stored as naive UTC text, which also keeps ORDER BY correct.
- `TaggedValues`: sheet cell values stored as type-tagged JSON
  (see `app.store.codec`), so a round trip gives back the exact Python type and value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect
from sqlalchemy.types import TypeDecorator

from app.store import codec
from app.store.errors import StoreError
from app.store.records import CellValue


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, always returned in UTC; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise StoreError(f"expected a datetime, got {type(value).__name__}: {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise StoreError(f"refusing a naive datetime {value.isoformat()}: give it a time zone")
        as_utc = value.astimezone(UTC)
        return as_utc.replace(tzinfo=None) if dialect.name == "sqlite" else as_utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TaggedValues(TypeDecorator[dict[str, CellValue]]):
    """A column-key -> cell value mapping as a JSON object of type-tagged values."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Mapping[str, CellValue] | None, dialect: Dialect) -> Any:
        return codec.encode_values(value or {})

    def process_result_value(self, value: Any, dialect: Dialect) -> dict[str, CellValue]:
        return codec.decode_values(value if value is not None else {})
