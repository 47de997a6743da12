"""When each sheet's scheduled jobs fire: spread over time, so that many sheets never all start
at the same moment.

With one fixed time (02:00) a thousand sheets would all be due at once and their syncs would
only queue for Google's quota. Instead each sheet's nightly recalculation gets its own second of
the night window (01:00-05:00 in the sheet's time zone by default), and its overdue sweep its
own offset inside each 15 minutes. Offsets come from a hash of the sheet id alone, so they are
stable: adding or removing sheets never moves another sheet's jobs, and every replica (and
every restart) computes the same ones.
"""

from __future__ import annotations

import hashlib
from datetime import time, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, model_validator

SWEEP_EVERY_MINUTES = 15
DAY_SECONDS = 24 * 3600


class ScheduleSettings(BaseModel):
    """`AFTERSALES_SCHEDULE__*`: the night window nightly recalculations are spread over, in
    each sheet's own time zone; it may run past midnight (e.g. 23:00 to 03:00)."""

    night_start: time = time(1, 0)
    night_end: time = time(5, 0)

    @model_validator(mode="after")
    def _not_empty(self) -> ScheduleSettings:
        if self.night_start == self.night_end:
            raise ValueError("the night window is empty: night_start equals night_end")
        return self

    @property
    def night_seconds(self) -> int:
        return (_seconds(self.night_end) - _seconds(self.night_start)) % DAY_SECONDS


def offset(sheet_id: str, purpose: str, span: int) -> int:
    """A stable offset in [0, span) for one sheet and one purpose (independent per purpose)."""
    digest = hashlib.blake2b(f"{purpose}:{sheet_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % span


def nightly_time(sheet_id: str, settings: ScheduleSettings) -> time:
    """The time of day (sheet's zone) of the sheet's nightly recalculation."""
    second = _seconds(settings.night_start) + offset(sheet_id, "nightly", settings.night_seconds)
    return _time(second % DAY_SECONDS)


def nightly_trigger(sheet_id: str, tz: tzinfo, settings: ScheduleSettings) -> CronTrigger:
    at = nightly_time(sheet_id, settings)
    return CronTrigger(hour=at.hour, minute=at.minute, second=at.second, timezone=tz)


def sweep_offset(sheet_id: str) -> timedelta:
    """How far into each quarter of an hour the sheet's overdue sweep runs."""
    return timedelta(seconds=offset(sheet_id, "sweep", SWEEP_EVERY_MINUTES * 60))


def sweep_trigger(sheet_id: str, tz: tzinfo, hours: str) -> CronTrigger:
    """Every 15 minutes (at the sheet's offset) in `hours` (e.g. '9-18'), every day: the job
    itself skips times the team's calendar says are off, so China's make-up working Saturdays
    are swept and a Golden Week Monday is not."""
    into = int(sweep_offset(sheet_id).total_seconds())
    minute, second = divmod(into, 60)
    return CronTrigger(
        hour=hours,
        minute=f"{minute}-59/{SWEEP_EVERY_MINUTES}",
        second=second,
        timezone=tz,
    )


def _seconds(at: time) -> int:
    return at.hour * 3600 + at.minute * 60 + at.second


def _time(seconds: int) -> time:
    hours, rest = divmod(seconds, 3600)
    return time(hours, rest // 60, rest % 60)
