"""Business calendars: working slots in a time zone, minus holidays, plus make-up days.

Business time is exact: slots are whole minutes, durations are `timedelta`s and every sum is taken
on aware datetimes, so ``business_time_between(a, add_business_time(a, d)) == d`` always holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import holidays

from policies.china import ChinaCalendar, DayKind, ExtraDay, YearStatus
from policies.team import TeamSettings

Slot = tuple[int, int]  # minutes after local midnight, end exclusive, end <= 1440
WHOLE_DAY: tuple[Slot, ...] = ((0, 24 * 60),)
_MAX_DAYS = 3660  # give up after ten years without enough working time


class DayRules(Protocol):
    """What a calendar needs to know about dates beyond the weekly pattern."""

    def day_kind(self, day: date) -> DayKind | None: ...

    def year_status(self, year: int) -> YearStatus: ...


class CountryDays:
    """Public holidays of a country from `holidays` (and its make-up days, if it has any),
    with Holidays-tab rows winning for their date. Used for team countries other than CN."""

    def __init__(self, country: str, extra_days: Iterable[ExtraDay] = ()) -> None:
        self.country = country
        self._extra = {d.date: d for d in extra_days}
        self._years: dict[int, Any] = {}

    def _official(self, year: int) -> Any:
        if year not in self._years:
            self._years[year] = holidays.country_holidays(self.country, years=year)
        return self._years[year]

    def day_kind(self, day: date) -> DayKind | None:
        extra = self._extra.get(day)
        if extra is not None:
            return extra.kind
        data = self._official(day.year)
        if day in data:
            return DayKind.DAY_OFF
        if day in getattr(data, "weekend_workdays", ()):
            return DayKind.WORKING_DAY
        return None

    def year_status(self, year: int) -> YearStatus:
        return YearStatus.OFFICIAL  # nothing better is known for other countries


class BusinessCalendar:
    """Working time in one time zone: weekly slots, holidays removed, make-up days added.

    On a day the rules mark DAY_OFF there is no working time. On a day they mark WORKING_DAY whose
    weekday normally has no slots, `makeup_slots` are worked.
    """

    def __init__(
        self,
        tz: ZoneInfo,
        weekly: Mapping[int, Sequence[Slot]],
        rules: DayRules,
        *,
        makeup_slots: Sequence[Slot] | None = None,
        business_day: timedelta | None = None,
        name: str = "team",
    ) -> None:
        self.tz = tz
        self.name = name
        self.rules = rules
        self._weekly = {i: tuple(sorted(weekly.get(i, ()))) for i in range(7)}
        if not any(self._weekly.values()):
            raise ValueError("a business calendar needs working hours on at least one weekday")
        default_makeup = next(s for s in self._weekly.values() if s)
        self._makeup = tuple(makeup_slots) if makeup_slots else default_makeup
        longest = max(sum(e - s for s, e in slots) for slots in self._weekly.values())
        self.business_day = business_day if business_day is not None else timedelta(minutes=longest)

    # -- days -------------------------------------------------------------------------------

    def slot_minutes(self, day: date) -> tuple[Slot, ...]:
        kind = self.rules.day_kind(day)
        if kind is DayKind.DAY_OFF:
            return ()
        weekly = self._weekly[day.weekday()]
        if kind is DayKind.WORKING_DAY and not weekly:
            return self._makeup
        return weekly

    def is_working_day(self, day: date) -> bool:
        return bool(self.slot_minutes(day))

    def slots_on(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working slots of a local date as aware datetimes in the calendar's zone."""
        midnight = datetime.combine(day, time(0), tzinfo=self.tz)
        return tuple(
            (_wall(midnight, start), _wall(midnight, end)) for start, end in self.slot_minutes(day)
        )

    def year_status(self, year: int) -> YearStatus:
        return self.rules.year_status(year)

    # -- instants ---------------------------------------------------------------------------

    def is_working_time(self, moment: datetime) -> bool:
        """True when `moment` lies inside a working slot (slot ends included)."""
        local = moment.astimezone(self.tz)
        return any(s <= local <= e for s, e in self.slots_on(local.date()))

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The first instant at which `duration` of working time has passed since `start`.

        For a positive duration the result always lies inside a working slot (possibly at its
        end). A zero duration gives the first working instant at or after `start`.
        """
        if duration < timedelta(0):
            raise ValueError("duration must not be negative")
        _require_aware(start)
        moment = start.astimezone(self.tz)
        remaining = duration
        day = moment.date()
        for _ in range(_MAX_DAYS):
            for slot_start, slot_end in self.slots_on(day):
                if slot_end <= moment and not (remaining == timedelta(0) and slot_end == moment):
                    continue
                begin = max(slot_start, moment)
                available = _between(begin, slot_end)
                if remaining <= available:
                    return (begin.astimezone(UTC) + remaining).astimezone(self.tz)
                remaining -= available
            day += timedelta(days=1)
        raise ValueError(f"no working time found within {_MAX_DAYS} days of {start.isoformat()}")

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time inside [start, end); zero when end is not after start."""
        _require_aware(start)
        _require_aware(end)
        if end <= start:
            return timedelta(0)
        first = start.astimezone(self.tz)
        last = end.astimezone(self.tz)
        total = timedelta(0)
        day = first.date()
        while day <= last.date():
            for slot_start, slot_end in self.slots_on(day):
                lo = max(slot_start, first)
                hi = min(slot_end, last)
                if hi > lo:
                    total += _between(lo, hi)
            day += timedelta(days=1)
        return total

    def to_timedelta(self, days: float, time_part: timedelta) -> timedelta:
        return self.business_day * days + time_part


def _wall(midnight: datetime, minutes: int) -> datetime:
    """Local wall-clock time `minutes` after midnight (24:00 is the next midnight)."""
    naive = midnight.replace(tzinfo=None) + timedelta(minutes=minutes)
    return naive.replace(tzinfo=midnight.tzinfo)


def _between(a: datetime, b: datetime) -> timedelta:
    """Real elapsed time from a to b (correct across DST changes)."""
    return b.astimezone(UTC) - a.astimezone(UTC)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime {moment.isoformat()} must be timezone-aware")


@dataclass(frozen=True)
class Calendars:
    """The calendars one evaluation needs.

    `china` answers date questions (holiday periods, make-up days); `team` is the team's working
    time; `china_business` is whole mainland-China working days (00:00-24:00 Asia/Shanghai), the
    default calendar of the seller/platform response clock.
    """

    china: ChinaCalendar
    team: BusinessCalendar
    china_business: BusinessCalendar | None = None

    def business(self, name: str) -> BusinessCalendar:
        """The business calendar an SLA clock runs on: "team" or "china"."""
        if name == "team":
            return self.team
        if name == "china":
            return self.china_business or china_business_calendar(self.china)
        raise ValueError(f"unknown calendar {name!r}; expected 'team' or 'china'")


def china_business_calendar(china: ChinaCalendar) -> BusinessCalendar:
    """Whole mainland-China working days: Mon-Fri 00:00-24:00 Asia/Shanghai, official holidays
    off, make-up days on. One business day is 24 hours of such time."""
    weekly = {i: (WHOLE_DAY if i < 5 else ()) for i in range(7)}
    return BusinessCalendar(
        ZoneInfo("Asia/Shanghai"),
        weekly,
        china,
        makeup_slots=WHOLE_DAY,
        business_day=timedelta(hours=24),
        name="china",
    )


def team_business_calendar(team: TeamSettings, china: ChinaCalendar) -> BusinessCalendar:
    """The team's working time; for CN the holidays and make-up days come from `china`."""
    extra = china.extra_days
    rules: DayRules = (
        china if team.holidays_country == "CN" else CountryDays(team.holidays_country, extra)
    )
    return BusinessCalendar(
        team.tz,
        team.weekly_slots(),
        rules,
        makeup_slots=team.makeup_slots(),
        business_day=team.business_day_length(),
        name="team",
    )


def build_calendars(team: TeamSettings, extra_days: Sequence[ExtraDay] = ()) -> Calendars:
    """All calendars for a team, with the Holidays tab's rows applied to each."""
    china = ChinaCalendar(extra_days)
    return Calendars(
        china=china,
        team=team_business_calendar(team, china),
        china_business=china_business_calendar(china),
    )
