"""What the sheet alone cannot say: when things happened, reconstructed from the Timeline.

A sheet row only shows the present. Pauses (time spent Awaiting Customer), when the seller was
asked, when the platform answered and when the case was resolved all come from the events the
service recorded as it watched the row change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.store import TimelineEvent
from policies import PauseInterval

CREATED = "created"
STATUS_CHANGED = "status_changed"
REOPENED = "reopened"
EVIDENCE_ADDED = "evidence_added"
PLATFORM_RESPONSE = "platform_response"


@dataclass(frozen=True, slots=True)
class CaseHistory:
    """Times derived from a case's timeline, all timezone-aware."""

    first_left_new: datetime | None = None
    seller_requested_at: datetime | None = None
    platform_response_at: datetime | None = None
    resolved_at: datetime | None = None
    pauses: tuple[PauseInterval, ...] = ()


def status_changes(events: Iterable[TimelineEvent]) -> list[tuple[datetime, str | None, str]]:
    """(at, from, to) for every status the case entered, oldest first."""
    out: list[tuple[datetime, str | None, str]] = []
    for event in sorted(events, key=lambda e: e.at):
        if event.kind == CREATED and isinstance(event.data.get("status"), str):
            out.append((event.at, None, str(event.data["status"])))
        elif event.kind in (STATUS_CHANGED, REOPENED) and isinstance(event.data.get("to"), str):
            before = event.data.get("from")
            out.append(
                (event.at, before if isinstance(before, str) else None, str(event.data["to"]))
            )
    return out


def derive_history(
    events: Sequence[TimelineEvent], paused: Iterable[str], closed: Iterable[str]
) -> CaseHistory:
    paused_set = {s.casefold() for s in paused}
    closed_set = {s.casefold() for s in closed}
    changes = status_changes(events)
    first_left_new = next(
        (
            at
            for at, before, to in changes
            if before is not None and before.casefold() == "new" and to.casefold() != "new"
        ),
        None,
    )
    seller = next((at for at, _, to in changes if to.casefold() == "awaiting seller"), None)
    platform = next(
        (e.at for e in sorted(events, key=lambda e: e.at) if e.kind == PLATFORM_RESPONSE), None
    )
    resolved: datetime | None = None
    was_closed = False
    pauses: list[PauseInterval] = []
    pause_start: datetime | None = None
    for at, _, to in changes:
        state = to.casefold()
        if state in paused_set and pause_start is None:
            pause_start = at
        elif state not in paused_set and pause_start is not None:
            pauses.append(PauseInterval(start=pause_start, end=at))
            pause_start = None
        is_closed = state in closed_set
        if is_closed and not was_closed:
            resolved = at  # the latest resolution counts: a re-opened case resolves again
        elif not is_closed:
            resolved = None
        was_closed = is_closed
    if pause_start is not None:
        pauses.append(PauseInterval(start=pause_start, end=None))
    return CaseHistory(
        first_left_new=first_left_new,
        seller_requested_at=seller,
        platform_response_at=platform,
        resolved_at=resolved,
        pauses=tuple(pauses),
    )
