"""Evidence reminders: when the next one is due and which number it is. Pure.

A reminder is due when required evidence is still missing `first_after` (default: `interval`)
after it was first requested, then every `interval` after the previous reminder, at most
`max_reminders` times. The caller passes the times from the case's Timeline (the first
evidence request and the reminders already sent), so nothing here keeps state; recording each
reminder as a Timeline event keyed by its number (`reminder_event_key`) makes it exactly-once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from policies import Evaluation


class ReminderSettings(BaseModel):
    """How often and how many times to remind a customer about missing evidence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    interval_hours: float = Field(default=48.0, gt=0)
    first_after_hours: float | None = Field(default=None, gt=0)
    max_reminders: int = Field(default=3, ge=0, le=20)

    @property
    def interval(self) -> timedelta:
        return timedelta(hours=self.interval_hours)

    @property
    def first_after(self) -> timedelta:
        hours = self.first_after_hours
        return self.interval if hours is None else timedelta(hours=hours)


@dataclass(frozen=True, slots=True)
class ReminderDue:
    """Whether a reminder is due now; `sequence` is its number (1, 2, ...) when it is.

    `next_at` is when the next reminder falls due (None when no more will be sent).
    """

    due: bool
    sequence: int | None
    next_at: datetime | None


NOT_DUE = ReminderDue(False, None, None)


def reminder_due(
    requested_at: datetime | None,
    sent: int,
    last_sent_at: datetime | None,
    now: datetime,
    config: ReminderSettings,
) -> ReminderDue:
    """Is a reminder due at `now`? Pure arithmetic on the times given.

    `requested_at`: when the evidence was first requested (None: never, so no reminder);
    `sent` / `last_sent_at`: reminders already sent. A reminder overdue by several intervals is
    still one reminder (the count, not the elapsed time, decides the number).
    """
    if not config.enabled or requested_at is None or sent >= config.max_reminders:
        return NOT_DUE
    if sent == 0 or last_sent_at is None:
        next_at = requested_at + config.first_after
    else:
        next_at = max(last_sent_at, requested_at) + config.interval
    if now >= next_at:
        return ReminderDue(True, sent + 1, next_at)
    return ReminderDue(False, None, next_at)


def evidence_reminder_due(
    ev: Evaluation,
    requested_at: datetime | None,
    sent: int,
    last_sent_at: datetime | None,
    now: datetime,
    config: ReminderSettings,
) -> ReminderDue:
    """`reminder_due`, only while the case is open and the policy still needs evidence."""
    if ev.closed or not ev.missing_evidence:
        return NOT_DUE
    return reminder_due(requested_at, sent, last_sent_at, now, config)


def reminder_event_key(case_id: str, sequence: int) -> str:
    """The Timeline event key of reminder number `sequence` (exactly-once per case)."""
    return f"{case_id}/evidence_reminder/{sequence}"
