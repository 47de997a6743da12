"""What the KPIs read from a case's Timeline: first response, re-opens, the last close.

Events are taken oldest first. A status event is a "created" entry (data {"status"}) or a
"status_changed" / "reopened" entry (data {"from", "to"}). Statuses are compared ignoring case.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from app.values import TimelineEvent

CREATED = "created"
STATUS_CHANGED = "status_changed"
REOPENED = "reopened"
NEW = "new"


@dataclass(frozen=True, slots=True)
class StatusStory:
    """The status history facts the KPIs need.

    `first_left_new`: the first entry going from New to another status (as the SLA clock reads
    it). `last_closed_at`: the last entry going from an open status (or a blank one) into a
    closed status; a case first seen already closed has none. `reopens`: entries that took the
    case from a closed status back to an open one, or that the service recorded as "reopened".
    """

    first_left_new: datetime | None = None
    last_closed_at: datetime | None = None
    reopens: int = 0


def _status(value: object) -> str | None:
    return value.strip().casefold() if isinstance(value, str) and value.strip() else None


def read_story(events: Iterable[TimelineEvent], closed_statuses: Collection[str]) -> StatusStory:
    """Walk a case's timeline once and collect its `StatusStory`."""
    closed = {s.strip().casefold() for s in closed_statuses}
    first_left_new: datetime | None = None
    last_closed_at: datetime | None = None
    reopens = 0
    current: str | None = None  # the status the previous status event moved to
    for event in sorted(events, key=lambda e: e.at):
        if event.kind == CREATED:
            current = _status(event.data.get("status"))
            continue
        if event.kind not in (STATUS_CHANGED, REOPENED):
            continue
        before = _status(event.data.get("from"))
        after = _status(event.data.get("to"))
        if first_left_new is None and before == NEW and after is not None and after != NEW:
            first_left_new = event.at
        was_closed = current in closed or before in closed
        now_closed = after in closed
        if event.kind == REOPENED or (was_closed and not now_closed):
            reopens += 1
        if now_closed and not was_closed:
            last_closed_at = event.at
        current = after
    return StatusStory(first_left_new, last_closed_at, reopens)
