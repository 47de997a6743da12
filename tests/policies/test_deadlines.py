"""Return deadlines per platform, holiday rule and holiday period, including the worked examples."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from policies import (
    DayKind,
    ExtraDay,
    PolicyOverride,
    Severity,
    apply_override,
    build_calendars,
)
from policies.china import ChinaCalendar
from policies.windows import deadline_date, return_deadline

from .conftest import POLICIES, SHANGHAI, TEAM, Evaluate, d, sh

# (platform, issue type, window start, expected deadline date)
WORKED_EXAMPLES = [
    ("Yoybuy", "Defect", "2025-09-28", "2025-10-16"),
    ("Yoybuy", "Defect", "2025-01-25", "2025-02-12"),
    ("Superbuy", "Defect", "2025-09-28", "2025-10-28"),
    ("Superbuy", "Changed Mind", "2025-09-28", "2025-10-05"),
    ("Bhiner", "Defect", "2025-01-20", "2025-02-03"),
]

TABLE = [
    # Yoybuy: 10 days, days inside official holiday periods do not count.
    ("Yoybuy", "Defect", "2024-12-30", "2025-01-10"),  # New Year 2025: a one-day period
    ("Yoybuy", "Wrong Size", "2025-01-20", "2025-02-07"),  # 2025 Spring Festival, Jan 26 make-up
    ("Yoybuy", "Defect", "2025-02-04", "2025-02-14"),  # start on the last day of the period
    ("Yoybuy", "Changed Mind", "2025-03-30", "2025-04-12"),  # Qingming Apr 4-6
    ("Yoybuy", "Defect", "2025-04-25", "2025-05-10"),  # Labour Day May 1-5, Apr 27 make-up
    ("Yoybuy", "Missing Item", "2025-05-28", "2025-06-10"),  # Dragon Boat May 31-Jun 2
    ("Yoybuy", "Wrong Item", "2025-07-01", "2025-07-11"),  # no holiday: plain count
    ("Yoybuy", "Defect", "2025-09-25", "2025-10-13"),  # National Day: Sep 27 Sat still counts
    ("Yoybuy", "Defect", "2025-10-01", "2025-10-18"),  # start inside the National Day period
    ("Yoybuy", "Defect", "2025-12-29", "2026-01-11"),  # New Year 2026, Jan 4 make-up
    ("Yoybuy", "Defect", "2026-02-10", "2026-03-01"),  # 2026 Spring Festival Feb 15-23
    ("Yoybuy", "Not as Described", "2026-02-16", "2026-03-05"),  # start inside it
    ("Yoybuy", "Defect", "2026-04-01", "2026-04-14"),  # Qingming 2026 Apr 4-6 (Sat-Mon)
    ("Yoybuy", "Defect", "2026-04-28", "2026-05-13"),  # 2026 Labour Day May 1-5, May 9 make-up
    ("Yoybuy", "Defect", "2026-09-24", "2026-10-14"),  # Mid-Autumn Sep 25-27 + National Day
    # Superbuy: 30 days for seller fault, 7 for buyer reasons, calendar days.
    ("Superbuy", "Defect", "2025-01-20", "2025-02-19"),  # Spring Festival does not matter
    ("Superbuy", "Wrong Item", "2025-01-25", "2025-02-24"),
    ("Superbuy", "Wrong Size", "2025-01-25", "2025-02-01"),
    ("Superbuy", "Changed Mind", "2025-04-28", "2025-05-05"),
    ("Superbuy", "Not as Described", "2025-09-20", "2025-10-20"),
    ("Superbuy", "Missing Item", "2026-02-10", "2026-03-12"),
    ("Superbuy", "Changed Mind", "2026-02-14", "2026-02-21"),
    ("Superbuy", "Damaged in Transit", "2026-04-28", "2026-05-28"),
    ("Superbuy", "Not as Described", "2026-09-24", "2026-10-24"),
    # Bhiner: 14 calendar days for every issue type.
    ("Bhiner", "Wrong Size", "2025-09-28", "2025-10-12"),
    ("Bhiner", "Defect", "2025-04-25", "2025-05-09"),
    ("Bhiner", "Changed Mind", "2025-12-25", "2026-01-08"),
    ("Bhiner", "Missing Item", "2026-02-10", "2026-02-24"),
    ("Bhiner", "Not as Described", "2026-02-14", "2026-02-28"),
    ("Bhiner", "Defect", "2026-04-28", "2026-05-12"),
    ("Bhiner", "Wrong Item", "2026-09-24", "2026-10-08"),
]


@pytest.mark.parametrize(("platform", "issue", "start", "expected"), WORKED_EXAMPLES + TABLE)
def test_return_deadline_table(
    run: Evaluate, platform: str, issue: str, start: str, expected: str
) -> None:
    """Each platform's deadline for a Window Start and Issue Type matches the worked figure."""
    opened = datetime.combine(d(start) + timedelta(days=1), time(10), tzinfo=SHANGHAI)
    result = run(
        platform=platform, issue_type=issue, window_start=d(start), opened=opened, now=opened
    )
    assert result.return_deadline_date == d(expected)
    assert result.return_deadline == datetime.combine(d(expected), time.max, tzinfo=SHANGHAI)
    assert not [f for f in result.findings if f.code.startswith("calendar.")]


def test_deadline_instant_is_end_of_last_counted_day(run: Evaluate) -> None:
    """The deadline instant is 23:59:59.999999 Asia/Shanghai on the deadline date."""
    result = run(
        platform="yoybuy",
        issue_type="Defect",
        window_start=d("2025-09-28"),
        opened=sh(2025, 9, 29, 10),
        now=sh(2025, 9, 29, 10),
    )
    assert result.return_deadline is not None
    assert result.return_deadline.isoformat() == "2025-10-16T23:59:59.999999+08:00"


@pytest.mark.parametrize("platform", ["Yoybuy", "Superbuy", "Bhiner"])
def test_lost_parcel_has_no_window(run: Evaluate, platform: str) -> None:
    """Lost Parcel has no return window on any platform and raises no policy finding."""
    result = run(
        platform=platform,
        issue_type="Lost Parcel",
        window_start=None,
        opened=sh(2025, 9, 29, 10),
        now=sh(2025, 9, 30, 10),
    )
    assert result.return_deadline is None
    assert result.days_left is None
    assert result.in_window_at_opened is None
    assert not result.exception_needed
    assert result.missing_evidence == ()
    assert result.findings == ()


@pytest.mark.parametrize(
    ("override", "start", "expected"),
    [
        # Bhiner switched to the Chinese-holiday rule: 14 counted days around National Day.
        (
            {"platform": "Bhiner", "holiday_rule": "skip_official_holiday_periods"},
            "2025-09-28",
            "2025-10-20",
        ),
        # Yoybuy switched to plain calendar days.
        ({"platform": "Yoybuy", "holiday_rule": "calendar_days"}, "2025-09-28", "2025-10-08"),
        # Superbuy with a longer seller-fault window.
        ({"platform": "Superbuy", "seller_fault_days": 45}, "2025-09-28", "2025-11-12"),
        # The example in docs/policies.md section 5.
        (
            {"platform": "Superbuy", "seller_fault_days": 45, "effective_from": "2025-11-01"},
            "2025-11-01",
            "2025-12-16",
        ),
        # One window for all issue types.
        ({"platform": "Superbuy", "window_days": 15}, "2025-09-28", "2025-10-13"),
    ],
)
def test_override_changes_deadline(
    run: Evaluate, override: dict[str, object], start: str, expected: str
) -> None:
    """A Policies-tab override becomes the version in force and changes the deadline."""
    row = {"version": "team-1", "effective_from": "2025-06-01", "source": "lead", **override}
    policies = apply_override(POLICIES, PolicyOverride.from_row(row))
    opened = datetime.combine(d(start) + timedelta(days=1), time(10), tzinfo=SHANGHAI)
    result = run(
        policies=policies,
        platform=str(override["platform"]),
        issue_type="Defect",
        window_start=d(start),
        opened=opened,
        now=opened,
    )
    assert result.return_deadline_date == d(expected)
    assert result.policy_ref is not None and result.policy_ref.endswith("@team-1")


def test_holidays_tab_working_day_splits_a_period() -> None:
    """A Holidays-tab working day inside a holiday period makes that day count again."""
    china = ChinaCalendar([ExtraDay(date(2025, 10, 8), DayKind.WORKING_DAY, "office open")])
    last, _ = deadline_date(d("2025-09-28"), 10, "skip_official_holiday_periods", china)
    assert last == d("2025-10-15")


def test_holidays_tab_day_off_creates_a_period() -> None:
    """A Holidays-tab day off on a Friday joins the weekend into a holiday period."""
    china = ChinaCalendar([ExtraDay(date(2025, 7, 4), DayKind.DAY_OFF, "company holiday")])
    last, skipped = deadline_date(d("2025-07-01"), 10, "skip_official_holiday_periods", china)
    assert last == d("2025-07-14")
    assert skipped == (d("2025-07-04"), d("2025-07-05"), d("2025-07-06"))


def test_2027_date_gives_unofficial_year_warning(run: Evaluate) -> None:
    """A Yoybuy window in 2027 is computed from estimated holidays and warns about it."""
    result = run(
        platform="Yoybuy",
        issue_type="Defect",
        window_start=d("2027-02-01"),
        opened=sh(2027, 2, 2, 10),
        now=sh(2027, 2, 2, 11),
    )
    assert result.return_deadline_date == d("2027-02-17")  # estimated Feb 5-10 period skipped
    warnings = [f for f in result.findings if f.code == "calendar.year_unofficial"]
    assert len(warnings) == 1
    assert warnings[0].severity is Severity.WARNING
    assert "2027" in warnings[0].message and "2027" in warnings[0].message_zh
    assert result.days_left == 15


def test_2027_holidays_tab_days_are_trusted(run: Evaluate) -> None:
    """With Holidays-tab rows for 2027 the team's days are used and only mentioned as info."""
    extra = [ExtraDay(date(2027, 2, day), DayKind.DAY_OFF, "Spring Festival") for day in (11, 12)]
    calendars = build_calendars(TEAM, extra)
    result = run(
        calendars=calendars,
        platform="Yoybuy",
        issue_type="Defect",
        window_start=d("2027-02-01"),
        opened=sh(2027, 2, 2, 10),
        now=sh(2027, 2, 2, 11),
    )
    assert result.return_deadline_date == d("2027-02-21")  # Feb 5-14 skipped
    codes = {f.code: f.severity for f in result.findings}
    assert codes.get("calendar.year_team_supplied") is Severity.INFO
    assert "calendar.year_unofficial" not in codes


def test_calendar_day_platform_in_2027_still_warns_through_sla(run: Evaluate) -> None:
    """A Superbuy case opened in 2027 warns because its SLA clocks use 2027 working days."""
    result = run(
        platform="Superbuy",
        issue_type="Defect",
        window_start=d("2027-01-10"),
        opened=sh(2027, 1, 11, 10),
        now=sh(2027, 1, 11, 11),
        original_packaging=True,
    )
    assert result.return_deadline_date == d("2027-02-09")
    assert [f.code for f in result.findings] == ["calendar.year_unofficial"]


@pytest.mark.parametrize(
    ("now", "days_left"),
    [
        (sh(2025, 10, 10, 12), 6),
        (datetime.fromisoformat("2025-10-15T17:00:00+00:00"), 0),  # Oct 16 01:00 in Shanghai
        (sh(2025, 10, 16, 23, 59), 0),
        (sh(2025, 10, 17, 0, 0), -1),
        (sh(2025, 10, 26, 9), -10),
    ],
)
def test_days_left(run: Evaluate, now: datetime, days_left: int) -> None:
    """Days Left counts whole days from today's Shanghai date, negative once passed."""
    result = run(
        platform="Yoybuy",
        issue_type="Defect",
        window_start=d("2025-09-28"),
        opened=sh(2025, 9, 29, 10),
        now=now,
    )
    assert result.days_left == days_left


def test_return_deadline_helper_reports_skipped_days() -> None:
    """return_deadline lists the days a holiday period removed from the count."""
    deadline = return_deadline(
        d("2025-09-28"), 10, "skip_official_holiday_periods", ChinaCalendar(), SHANGHAI
    )
    assert deadline.skipped == tuple(d(f"2025-10-0{i}") for i in range(1, 9))
