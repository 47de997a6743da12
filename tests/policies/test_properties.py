"""Property tests (hypothesis) for deadlines and business-time due dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from policies import build_calendars
from policies.calendars import BusinessCalendar
from policies.models import HOLIDAY_RULES, HolidayRule
from policies.sla import due_time, merge_pauses
from policies.windows import deadline_date

from .conftest import CALENDARS, SHANGHAI, TEAM

CHINA = CALENDARS.china
TEAM_CAL = CALENDARS.team
FAST = settings(max_examples=120, deadline=None)

dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))
window_days = st.integers(min_value=0, max_value=60)
rules = st.sampled_from(HOLIDAY_RULES)
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(SHANGHAI)
)
durations = st.integers(min_value=1, max_value=60 * 80).map(lambda m: timedelta(minutes=m))


@FAST
@given(start=dates, days=window_days, rule=rules)
def test_deadline_never_precedes_window_start(start: date, days: int, rule: HolidayRule) -> None:
    """A return deadline is never before Window Start, and at least N days after it."""
    last, _ = deadline_date(start, days, rule, CHINA)
    assert last >= start + timedelta(days=days)


@FAST
@given(start=dates, shift=st.integers(min_value=0, max_value=40), days=window_days, rule=rules)
def test_later_window_start_never_earlier_deadline(
    start: date, shift: int, days: int, rule: HolidayRule
) -> None:
    """Moving Window Start later never moves the deadline earlier."""
    first, _ = deadline_date(start, days, rule, CHINA)
    later, _ = deadline_date(start + timedelta(days=shift), days, rule, CHINA)
    assert later >= first


@FAST
@given(start=moments, duration=durations)
def test_business_due_dates_fall_in_working_hours(start: datetime, duration: timedelta) -> None:
    """A business-time due date lies inside a working slot and uses exactly the duration."""
    due = TEAM_CAL.add_business_time(start, duration)
    assert due > start
    assert TEAM_CAL.is_working_time(due)
    assert TEAM_CAL.business_time_between(start, due) == duration


pause_spans = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=60 * 24 * 20),
        st.integers(min_value=1, max_value=60 * 24 * 5),
    ),
    max_size=4,
)


@FAST
@given(start=moments, duration=durations, spans=pause_spans, extra=pause_spans)
def test_pausing_never_shortens_due_time(
    start: datetime,
    duration: timedelta,
    spans: list[tuple[int, int]],
    extra: list[tuple[int, int]],
) -> None:
    """Adding pauses never makes an SLA due time earlier."""
    from policies import PauseInterval

    def pauses(items: list[tuple[int, int]]) -> list[PauseInterval]:
        return [
            PauseInterval(start + timedelta(minutes=a), start + timedelta(minutes=a + n))
            for a, n in items
        ]

    now = start + timedelta(days=40)
    fewer = due_time(TEAM_CAL, start, duration, merge_pauses(pauses(spans), now))
    more = due_time(TEAM_CAL, start, duration, merge_pauses(pauses(spans + extra), now))
    plain = due_time(TEAM_CAL, start, duration, ())
    assert plain <= fewer <= more


def _walked_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Working time in [start, end) summed day by day: the plain definition."""
    total, day = timedelta(0), start.astimezone(calendar.tz).date()
    while day <= end.astimezone(calendar.tz).date():
        for lo, hi in calendar.slots_on(day):
            begin, finish = max(lo, start), min(hi, end)
            if finish > begin:
                total += finish.astimezone(UTC) - begin.astimezone(UTC)
        day += timedelta(days=1)
    return total


long_moments = st.datetimes(
    min_value=datetime(2023, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(SHANGHAI)
)


@FAST
@given(
    first=long_moments,
    second=long_moments,
    weeks=st.integers(min_value=0, max_value=120),
    fresh=st.booleans(),
)
def test_long_spans_match_the_day_by_day_sum(
    first: datetime, second: datetime, weeks: int, fresh: bool
) -> None:
    """Spans of up to years (the prefix sums) give the day-by-day total, and adding that
    total back lands on the same instant's working time, whichever date was asked first."""
    calendar = build_calendars(TEAM).team if fresh else TEAM_CAL
    start, end = sorted((first, second + timedelta(weeks=weeks)))
    expected = _walked_between(calendar, start, end)
    assert calendar.business_time_between(start, end) == expected
    due = calendar.add_business_time(start, expected)
    assert calendar.business_time_between(start, due) == expected
    assert due <= end or expected == timedelta(0)
