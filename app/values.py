"""Values that the pure cores (automation, analytics) and the I/O edges (sheets, store, notify)
share.

They live here, below both, so that pure code can name a cell value or a timeline event
or a notice without importing the package that stores or sends it; `app.store` and
`app.notify` re-export them for their callers.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

CellValue = str | int | float | bool | date | datetime | None
"""A typed sheet cell value, as read from or written to a sheet."""


# A value, not frozen: a 10,000-case first fill makes 27,000 (see CellUpdate in
# app/sheets/backend.py for the cost of frozen ones).
@dataclass(slots=True, unsafe_hash=True)
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

    def __post_init__(self) -> None:
        # Events repeat their details ("Case opened with status New"): a 10,000-case first fill
        # makes 27,000 events with 113 different details, each its own string until interned.
        self.detail = sys.intern(self.detail)


@dataclass(frozen=True, slots=True)
class Recipient:
    """A person a notice is addressed to; `email` is used by the email channel."""

    name: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """One thing to tell, before routing. `key` is stable for the event (e.g.
    'AS-251003-0001/escalation/L2'), so the same event always gives the same messages."""

    key: str
    kind: str  # "escalation" | "customer_update" | "evidence_reminder" | ...
    title: str
    text: str
    case_id: str | None = None
    recipients: tuple[Recipient, ...] = ()
    fields: Mapping[str, str] = field(default_factory=dict)
