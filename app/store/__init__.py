"""The store: runs, the previous values of every cell a run wrote (so it can be undone), case
snapshots (to see what changed between syncs) and the exactly-once timeline.

SQLite by default, PostgreSQL for several replicas; the schema is migrated with the packaged
Alembic migrations by `Store.open`. Import everything from here, not from the submodules.
"""

from app.store.engine import DatabaseSettings
from app.store.errors import StaleSnapshotError, StoreBusyError, StoreError
from app.store.records import (
    QUEUED,
    CaseMarks,
    CaseSnapshot,
    CellValue,
    CellWrite,
    PlannedWrite,
    RunRecord,
    TimelineEvent,
)
from app.store.repository import Store

__all__ = [
    "QUEUED",
    "CaseMarks",
    "CaseSnapshot",
    "CellValue",
    "CellWrite",
    "DatabaseSettings",
    "PlannedWrite",
    "RunRecord",
    "StaleSnapshotError",
    "Store",
    "StoreBusyError",
    "StoreError",
    "TimelineEvent",
]
