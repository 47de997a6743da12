"""The China calendar (holidays, make-up days, holiday periods) and business-time arithmetic."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from policies import DayKind, ExtraDay, TeamSettings, build_calendars
from policies.calendars import BusinessCalendar
from policies.china import OFFICIAL_YEARS, ChinaCalendar, YearStatus

from .conftest import CALENDARS, d, sh

CHINA = ChinaCalendar()
TEAM_CAL = CALENDARS.team
CHINA_DAYS = CALENDARS.business("china")


@pytest.mark.parametrize(
    ("day", "period"),
    [
        ("2025-01-28", ("2025-01-28", "2025-02-04")),  # Spring Festival 2025
        ("2025-02-02", ("2025-01-28", "2025-02-04")),
        ("2025-04-05", ("2025-04-04", "2025-04-06")),  # Qingming 2025
        ("2025-05-03", ("2025-05-01", "2025-05-05")),  # Labour Day 2025
        ("2025-10-01", ("2025-10-01", "2025-10-08")),  # National Day + Mid-Autumn 2025
        ("2025-10-08", ("2025-10-01", "2025-10-08")),
        ("2026-01-03", ("2026-01-01", "2026-01-03")),  # New Year 2026
        ("2026-02-21", ("2026-02-15", "2026-02-23")),  # Spring Festival 2026
        ("2026-05-04", ("2026-05-01", "2026-05-05")),  # Labour Day 2026
        ("2026-09-27", ("2026-09-25", "2026-09-27")),  # Mid-Autumn 2026
        ("2026-10-04", ("2026-10-01", "2026-10-07")),  # National Day 2026
        ("2025-10-12", None),  # ordinary Sunday after the make-up Saturday
        ("2025-09-27", None),  # ordinary Saturday before the make-up Sunday
        ("2025-09-28", None),  # make-up working Sunday
        ("2025-07-15", None),  # ordinary Tuesday
        ("2026-02-14", None),  # make-up working Saturday
    ],
)
def test_holiday_period(day: str, period: tuple[str, str] | None) -> None:
    """Official holiday periods are the runs of days off around public holidays."""
    expected = (d(period[0]), d(period[1])) if period else None
    assert CHINA.holiday_period(d(day)) == expected


@pytest.mark.parametrize(
    "day",
    [
        "2025-01-26",
        "2025-02-08",
        "2025-04-27",
        "2025-09-28",
        "2025-10-11",
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ],
)
def test_official_makeup_working_days(day: str) -> None:
    """The official make-up working days of 2025 and 2026 are weekends that are working days."""
    assert d(day).weekday() >= 5
    assert CHINA.is_makeup_workday(d(day))
    assert CHINA.is_working_day(d(day))
    assert CHINA.day_kind(d(day)) is DayKind.WORKING_DAY


def test_official_years_come_from_the_holidays_package() -> None:
    """2025 and 2026 are official; 2027 is not (the package only estimates it)."""
    assert {2025, 2026} <= OFFICIAL_YEARS
    assert 2027 not in OFFICIAL_YEARS
    assert CHINA.year_status(2026) is YearStatus.OFFICIAL
    assert CHINA.year_status(2027) is YearStatus.UNOFFICIAL
    team_2027 = ChinaCalendar([ExtraDay(date(2027, 2, 11), DayKind.DAY_OFF)])
    assert team_2027.year_status(2027) is YearStatus.TEAM


def test_extra_days_override_official_data() -> None:
    """A Holidays-tab row wins over the official schedule for its date."""
    china = ChinaCalendar(
        [
            ExtraDay(date(2025, 10, 8), DayKind.WORKING_DAY, "back early"),
            ExtraDay(date(2025, 9, 28), DayKind.DAY_OFF, "no make-up for us"),
        ]
    )
    assert china.is_working_day(date(2025, 10, 8))
    assert china.is_day_off(date(2025, 9, 28))
    assert china.holiday_period(date(2025, 10, 3)) == (date(2025, 10, 1), date(2025, 10, 7))
    # a cancelled make-up Sunday is a day off, but the weekend is no holiday period
    assert china.holiday_period(date(2025, 9, 28)) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Day off", DayKind.DAY_OFF),
        ("休息", DayKind.DAY_OFF),
        ("Working day", DayKind.WORKING_DAY),
        ("补班", DayKind.WORKING_DAY),
        ("maybe", None),
    ],
)
def test_day_kind_parse(text: str, kind: DayKind | None) -> None:
    """Holidays-tab Kind cells are read in English or Chinese."""
    assert DayKind.parse(text) == kind


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        (sh(2025, 10, 20, 9), timedelta(hours=4), sh(2025, 10, 20, 14, 30)),  # over lunch
        (sh(2025, 10, 20, 11), timedelta(hours=2), sh(2025, 10, 20, 14, 30)),
        (sh(2025, 10, 20, 12, 30), timedelta(hours=1), sh(2025, 10, 20, 14, 30)),  # in lunch
        (sh(2025, 10, 20, 7), timedelta(minutes=1), sh(2025, 10, 20, 9, 1)),  # before work
        (sh(2025, 10, 20, 18), timedelta(hours=1), sh(2025, 10, 21, 9, 30)),  # overnight
        (sh(2025, 10, 20, 9), timedelta(hours=3), sh(2025, 10, 20, 12)),  # ends at a slot end
        (sh(2025, 10, 24, 17), timedelta(hours=4), sh(2025, 10, 27, 11, 30)),  # weekend
        (sh(2025, 9, 30, 16), timedelta(hours=4), sh(2025, 10, 9, 10, 30)),  # National Day
        (sh(2025, 9, 26, 17), timedelta(hours=4), sh(2025, 9, 28, 11, 30)),  # make-up Sunday
        (sh(2025, 9, 30, 16), timedelta(hours=40), sh(2025, 10, 14, 16)),  # 5 business days
        (sh(2026, 2, 13, 18), timedelta(hours=2), sh(2026, 2, 14, 10, 30)),  # make-up Saturday
        (sh(2026, 2, 14, 18), timedelta(hours=2), sh(2026, 2, 24, 10, 30)),  # Spring 2026
        (
            datetime.fromisoformat("2025-10-20T01:00:00+00:00"),
            timedelta(hours=1),
            sh(2025, 10, 20, 10),
        ),  # a UTC start is converted to the team zone
    ],
)
def test_add_business_time_team(start: datetime, duration: timedelta, due: datetime) -> None:
    """Team business time skips lunch, nights, weekends and holidays, and works make-up days."""
    assert TEAM_CAL.add_business_time(start, duration) == due
    assert TEAM_CAL.business_time_between(start, due) == duration


@pytest.mark.parametrize(
    ("start", "end", "elapsed"),
    [
        (sh(2025, 10, 20, 9), sh(2025, 10, 20, 18, 30), timedelta(hours=8)),
        (sh(2025, 10, 24, 17), sh(2025, 10, 27, 10), timedelta(hours=2, minutes=30)),
        (sh(2025, 10, 20, 12, 15), sh(2025, 10, 20, 13, 15), timedelta(0)),
        (sh(2025, 10, 20, 10), sh(2025, 10, 20, 9), timedelta(0)),
        (sh(2025, 9, 29, 9), sh(2025, 10, 10, 9), timedelta(hours=24)),  # Oct 1-8 off
    ],
)
def test_business_time_between(start: datetime, end: datetime, elapsed: timedelta) -> None:
    """Elapsed business time counts only working slots between two instants."""
    assert TEAM_CAL.business_time_between(start, end) == elapsed


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        (sh(2025, 10, 24, 15), timedelta(days=2), sh(2025, 10, 28, 15)),
        (sh(2025, 9, 30, 16), timedelta(days=2), sh(2025, 10, 10, 16)),
        (sh(2025, 9, 26, 15), timedelta(days=1), sh(2025, 9, 28, 15)),  # make-up Sunday counts
        (sh(2026, 2, 13, 12), timedelta(days=2), sh(2026, 2, 24, 12)),  # Feb 14 works, 15-23 off
    ],
)
def test_china_business_days(start: datetime, duration: timedelta, due: datetime) -> None:
    """China business days are whole mainland working days in Asia/Shanghai."""
    assert CHINA_DAYS.add_business_time(start, duration) == due


def test_other_country_calendar_with_dst() -> None:
    """A US team calendar skips US holidays and stays exact across a DST change."""
    team = TeamSettings.model_validate(
        {
            "timezone": "America/New_York",
            "holidays_country": "US",
            "working_hours": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
        }
    )
    cal = build_calendars(team).team
    ny = ZoneInfo("America/New_York")
    start = datetime(2025, 3, 7, 16, tzinfo=ny)  # Friday before DST starts
    due = cal.add_business_time(start, timedelta(hours=2))
    assert due == datetime(2025, 3, 10, 10, tzinfo=ny)
    assert cal.business_time_between(start, due) == timedelta(hours=2)
    july = cal.add_business_time(datetime(2025, 7, 3, 16, tzinfo=ny), timedelta(hours=2))
    assert july == datetime(2025, 7, 7, 10, tzinfo=ny)  # Independence Day (Fri) is off


def test_calendar_without_working_hours_is_rejected() -> None:
    """A business calendar with no working time at all cannot be built."""
    with pytest.raises(ValueError, match="working hours"):
        BusinessCalendar(ZoneInfo("UTC"), {}, CHINA)


def test_naive_datetimes_are_rejected() -> None:
    """Business-time helpers refuse naive datetimes instead of guessing a zone."""
    with pytest.raises(ValueError, match="timezone-aware"):
        TEAM_CAL.add_business_time(datetime(2025, 10, 20, 9), timedelta(hours=1))
