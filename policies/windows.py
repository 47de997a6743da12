"""Return windows: from Window Start and a number of days to a deadline.

Counting always starts the day after Window Start. Under ``calendar_days`` every day counts, so
the deadline date is simply Window Start + N days. Under ``skip_official_holiday_periods`` a day
inside an official Chinese holiday period does not count (ordinary weekends do). Either way the
deadline is the *end* of the last counted day in the policy's time zone, represented as
23:59:59.999999 local time on the deadline date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from policies.china import ChinaCalendar
from policies.models import HolidayRule
from policies.sharing import remembered

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed return deadline and the days that were skipped on the way."""

    date: dt.date
    at: datetime  # end of `date` in the policy time zone
    skipped: tuple[dt.date, ...]  # days inside holiday periods that did not count


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last representable instant of a local date: 23:59:59.999999."""
    return datetime.combine(day, time.max, tzinfo=tz)


def deadline_date(
    window_start: date, days: int, rule: HolidayRule, china: ChinaCalendar
) -> tuple[date, tuple[date, ...]]:
    """(deadline date, skipped days) for `days` counted days after `window_start`."""
    if days < 0:
        raise ValueError("a return window cannot be negative")
    if rule == "calendar_days":
        return window_start + timedelta(days=days), ()
    skipped: list[date] = []
    day = window_start
    counted = 0
    while counted < days:
        day += _ONE_DAY
        if china.in_holiday_period(day):
            skipped.append(day)
            continue
        counted += 1
    return day, tuple(skipped)


def return_deadline(
    window_start: date, days: int, rule: HolidayRule, china: ChinaCalendar, tz: ZoneInfo
) -> Deadline:
    """The return deadline of a window of `days` days that started on `window_start`."""
    asked = ("return_deadline", window_start, days, rule, tz)
    return remembered(
        china.answers, asked, Deadline, lambda: _deadline(window_start, days, rule, china, tz)
    )


def _deadline(
    window_start: date, days: int, rule: HolidayRule, china: ChinaCalendar, tz: ZoneInfo
) -> Deadline:
    last, skipped = deadline_date(window_start, days, rule, china)
    return Deadline(date=last, at=end_of_day(last, tz), skipped=skipped)


def counted_years(window_start: date, deadline: date) -> tuple[int, ...]:
    """Years whose holiday data a skip-holiday count from window_start to deadline relied on."""
    first = (window_start + _ONE_DAY).year if deadline > window_start else window_start.year
    return tuple(range(first, deadline.year + 1))


@dataclass(frozen=True, slots=True)
class HourDeadline:
    """The end of an hour window, and the full hour it was counted from."""

    counted_from: datetime  # the first full hour at or after the window started
    at: datetime  # counted_from + hours, in the policy time zone
    date_only_start: bool  # Window Start held a date: counted from 00:00 of that date


def window_opens(start: date | datetime, tz: ZoneInfo) -> tuple[datetime, bool]:
    """(the instant an hour window starts counting, whether only a date was known).

    A date-time start counts from the next full hour (14:20 -> 15:00; 15:00 stays 15:00). A date
    alone counts from 00:00 of that date: the earliest instant the item can have arrived, so the
    window never promises more time than there is.
    """
    if not isinstance(start, datetime):
        return datetime.combine(start, time(), tzinfo=tz), True
    local = (start if start.tzinfo is not None else start.replace(tzinfo=tz)).astimezone(tz)
    hour = local.replace(minute=0, second=0, microsecond=0)
    return (hour if hour == local else hour + timedelta(hours=1)), False


def hour_deadline(start: date | datetime, hours: int, tz: ZoneInfo) -> HourDeadline:
    """The deadline of a window of `hours` hours (every hour counts, holidays included).

    Hours are elapsed time: across a daylight-saving change the wall clock moves with it.
    """
    if hours < 0:
        raise ValueError("a return window cannot be negative")
    opens, date_only = window_opens(start, tz)
    ends = (opens.astimezone(dt.UTC) + timedelta(hours=hours)).astimezone(tz)
    return HourDeadline(counted_from=opens, at=ends, date_only_start=date_only)


def ends_a_day(moment: datetime, tz: ZoneInfo) -> bool:
    """Whether an instant is a midnight in `tz`: the end of the day before, shown as a date."""
    local = moment.astimezone(tz)
    return local.time() == time()
