"""Evidence reminders: first after a delay, then once per interval, at most N times."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.automation.reminders import (
    ReminderSettings,
    evidence_reminder_due,
    reminder_due,
    reminder_event_key,
)

from .conftest import ev, sh

REQUESTED = sh(2025, 10, 6, 10)
CONFIG = ReminderSettings(interval_hours=48, max_reminders=3)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("requested", "sent", "last", "now", "due", "sequence", "next_at"),
    [
        # never requested: nothing to remind
        (None, 0, None, REQUESTED + 100 * H, False, None, None),
        # first reminder: 48h after the request
        (REQUESTED, 0, None, REQUESTED + 47 * H, False, None, REQUESTED + 48 * H),
        (REQUESTED, 0, None, REQUESTED + 48 * H, True, 1, REQUESTED + 48 * H),
        (REQUESTED, 0, None, REQUESTED + 200 * H, True, 1, REQUESTED + 48 * H),
        # second: 48h after the first was sent (not after it fell due)
        (REQUESTED, 1, REQUESTED + 50 * H, REQUESTED + 97 * H, False, None, REQUESTED + 98 * H),
        (REQUESTED, 1, REQUESTED + 50 * H, REQUESTED + 98 * H, True, 2, REQUESTED + 98 * H),
        # third
        (REQUESTED, 2, REQUESTED + 98 * H, REQUESTED + 146 * H, True, 3, REQUESTED + 146 * H),
        # max reached: never again
        (REQUESTED, 3, REQUESTED + 146 * H, REQUESTED + 1000 * H, False, None, None),
        (REQUESTED, 7, REQUESTED + 146 * H, REQUESTED + 1000 * H, False, None, None),
        # count known but time lost: measured from the request
        (REQUESTED, 1, None, REQUESTED + 48 * H, True, 2, REQUESTED + 48 * H),
    ],
)
def test_interval_and_max(
    requested: datetime | None,
    sent: int,
    last: datetime | None,
    now: datetime,
    due: bool,
    sequence: int | None,
    next_at: datetime | None,
) -> None:
    """A reminder is due once per interval after the request, numbered, at most N times."""
    result = reminder_due(requested, sent, last, now, CONFIG)
    assert (result.due, result.sequence, result.next_at) == (due, sequence, next_at)


def test_a_day_of_syncs_sends_each_reminder_once() -> None:
    """Syncing every 30 minutes for ten days yields exactly reminders 1, 2, 3 at their times."""
    config = ReminderSettings(interval_hours=24, first_after_hours=4, max_reminders=3)
    sent: list[tuple[int, datetime]] = []
    now = REQUESTED
    while now < REQUESTED + timedelta(days=10):
        last = sent[-1][1] if sent else None
        result = reminder_due(REQUESTED, len(sent), last, now, config)
        if result.due:
            assert result.sequence == len(sent) + 1
            sent.append((result.sequence, now))
        now += timedelta(minutes=30)
    assert sent == [
        (1, REQUESTED + 4 * H),
        (2, REQUESTED + 28 * H),
        (3, REQUESTED + 52 * H),
    ]


def test_only_while_evidence_is_missing_and_open() -> None:
    """No reminder once the evidence arrived or the case closed; disabled settings send none."""
    late = REQUESTED + 100 * H
    missing = ev(missing_evidence=("photos",))
    assert evidence_reminder_due(missing, REQUESTED, 0, None, late, CONFIG).sequence == 1
    assert not evidence_reminder_due(ev(), REQUESTED, 0, None, late, CONFIG).due
    closed = ev(missing_evidence=("photos",), closed=True)
    assert not evidence_reminder_due(closed, REQUESTED, 0, None, late, CONFIG).due
    off = ReminderSettings(enabled=False)
    assert not evidence_reminder_due(missing, REQUESTED, 0, None, late, off).due
    assert not reminder_due(REQUESTED, 0, None, late, ReminderSettings(max_reminders=0)).due


def test_event_key_is_per_number() -> None:
    """Each reminder number has its own exactly-once Timeline key."""
    assert reminder_event_key("AS-1", 2) == "AS-1/evidence_reminder/2"
