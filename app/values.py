"""Values that the pure cores (automation, analytics) and the I/O edges (sheets, store) share.

They live here, below both, so that pure code can name a cell value or a timeline event
without importing the package that stores them; `app.store` re-exports them for its callers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

CellValue = str | int | float | bool | date | datetime | None
"""A typed sheet cell value, as read from or written to a sheet."""


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """An observed change of a case. `event_key` makes it exactly-once per sheet.

    `at` comes back from the store timezone-aware in UTC.
    """

    event_key: str
    case_id: str
    kind: str
    at: datetime
    detail: str
    data: dict[str, CellValue] = field(default_factory=dict)
