"""The outbox table (defined with the store's tables in `app.store.models`, created by
migration 0003). Tests may call `metadata.create_all`. Every string column is TEXT,
timestamps are `UTCDateTime` (aware in, aware UTC out, on SQLite and PostgreSQL alike).

status: 'pending' (waiting for its next attempt, possibly outside working hours),
'sent' (a send was confirmed: never sent again), 'failed' (permanent error or attempts used up;
kept for people to see and requeue, never deleted).
"""

from __future__ import annotations

from app.store.models import OUTBOX as outbox
from app.store.models import Base

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
STATUSES = (PENDING, SENT, FAILED)

# The store's metadata: the outbox is one of its tables (migration 0003).
metadata = Base.metadata

__all__ = ["FAILED", "PENDING", "SENT", "STATUSES", "metadata", "outbox"]
