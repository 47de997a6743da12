"""The return window of one case: which length applies, from which start, to which deadline.

Day windows end at the end of a day (`policies.windows.return_deadline`); hour windows end at an
instant (`policies.windows.hour_deadline`), shown as a date alone when that instant is a midnight.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from policies import findings as F
from policies.calendars import Calendars
from policies.facts import CaseFacts, Finding
from policies.models import Policy
from policies.windows import (
    counted_years,
    end_of_day,
    ends_a_day,
    hour_deadline,
    return_deadline,
)


def aware(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """Naive datetimes are read as the team's local time."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=tz)


@dataclass
class WindowResult:
    deadline_at: datetime | None = None
    deadline_date: date | None = None
    days_left: int | None = None
    in_window_at_opened: bool | None = None
    has_window: bool = True
    deadline_timed: bool = False  # an hour window ending at a time of day, not a day's end
    years: tuple[int, ...] = ()
    findings: list[Finding] = field(default_factory=list)


def local_day(start: date, tz: ZoneInfo) -> date:
    """The platform-zone date of a Window Start (a date, or a date-time read in the team's zone)."""
    return start.astimezone(tz).date() if isinstance(start, datetime) else start


def window_result(
    case: CaseFacts,
    policy: Policy,
    issue_type: str | None,
    item_condition: str | None,
    opened: datetime | None,
    now: datetime,
    calendars: Calendars,
    team_tz: ZoneInfo,
) -> WindowResult:
    result = WindowResult()
    tz = policy.tz
    today = now.astimezone(tz).date()
    opened_day = opened.astimezone(tz).date() if opened is not None else None
    decided, length = policy.window.measure(issue_type, item_condition)
    if decided and length is None:
        result.has_window = False  # e.g. Lost Parcel: no return window, only the team SLAs
        return result
    start = (
        aware(case.window_start, team_tz)
        if isinstance(case.window_start, datetime)
        else (case.window_start)
    )
    if start is None:
        result.findings.append(F.WINDOW_START_MISSING.make())
    else:
        start_day = local_day(start, tz)
        if start_day > today:
            result.findings.append(F.WINDOW_START_FUTURE.make(window_start=start_day.isoformat()))
        if opened_day is not None and start_day > opened_day:
            result.findings.append(
                F.WINDOW_START_AFTER_OPENED.make(
                    window_start=start_day.isoformat(), opened=opened_day.isoformat()
                )
            )
    if not decided:
        # a missing or unknown Issue Type is already reported; this names the policy's gap
        if issue_type is not None:
            result.findings.append(
                F.WINDOW_UNDETERMINED.make(ref=policy.title, issue_type=issue_type)
            )
        return result
    if start is None or length is None:
        return result
    if length.unit == "hours":
        _hour_window(result, policy, start, length.amount, opened, now)
        return result
    rule = policy.window.holiday_rule
    start_day = local_day(start, tz)
    deadline = return_deadline(start_day, length.amount, rule, calendars.china, tz)
    result.deadline_at = deadline.at
    result.deadline_date = deadline.date
    result.days_left = (deadline.date - today).days
    if rule == "skip_official_holiday_periods":
        result.years = counted_years(start_day, deadline.date)
    if opened_day is not None:
        result.in_window_at_opened = opened_day <= deadline.date
    return result


def _hour_window(
    result: WindowResult,
    policy: Policy,
    start: date,
    hours: int,
    opened: datetime | None,
    now: datetime,
) -> None:
    """An hour window: it ends at an instant, shown as a date alone when that is a midnight."""
    tz = policy.tz
    deadline = hour_deadline(start, hours, tz)
    if deadline.date_only_start:
        result.findings.append(
            F.WINDOW_START_DATE_ONLY.make(
                hours=hours, counted_from=deadline.counted_from.strftime("%Y-%m-%d %H:%M")
            )
        )
    if ends_a_day(deadline.at, tz):
        day = deadline.at.astimezone(tz).date() - timedelta(days=1)
        result.deadline_at = end_of_day(day, tz)
    else:
        day = deadline.at.astimezone(tz).date()
        result.deadline_at = deadline.at
        result.deadline_timed = True
    result.deadline_date = day
    # whole days before the deadline instant (-1 once it has passed, even on the same day)
    result.days_left = (result.deadline_at - now) // timedelta(days=1)
    if opened is not None:
        result.in_window_at_opened = opened <= result.deadline_at
