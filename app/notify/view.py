"""The Outbox tab: outbox records as sheet rows (by column key), for people to see delivery."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Final

from app.notify.messages import OutboxRecord
from app.values import CellValue

# (column key, header) of the Outbox tab, in order.
OUTBOX_COLUMNS: Final = (
    ("created_at", "Created"),
    ("case_id", "Case ID"),
    ("kind", "Kind"),
    ("channel", "Channel"),
    ("target", "Target"),
    ("title", "Title"),
    ("status", "Status"),
    ("attempts", "Attempts"),
    ("next_attempt_at", "Next Attempt"),
    ("sent_at", "Sent At"),
    ("last_error", "Last Error"),
    ("idempotency_key", "Idempotency Key"),
)


def outbox_tab_rows(records: Iterable[OutboxRecord], tz: tzinfo) -> list[dict[str, CellValue]]:
    """One row per message; times as naive wall-clock minutes in the team's zone (`tz`).

    Next Attempt is blank once a message is sent or failed.
    """
    rows: list[dict[str, CellValue]] = []
    for r in records:
        rows.append(
            {
                "created_at": _wall(r.created_at, tz),
                "case_id": r.case_id,
                "kind": r.kind,
                "channel": r.channel,
                "target": r.target,
                "title": r.title,
                "status": r.status,
                "attempts": r.attempts,
                "next_attempt_at": _wall(r.next_attempt_at, tz) if r.status == "pending" else None,
                "sent_at": _wall(r.sent_at, tz),
                "last_error": r.last_error,
                "idempotency_key": r.idempotency_key,
            }
        )
    return rows


def _wall(value: datetime | None, tz: tzinfo) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
