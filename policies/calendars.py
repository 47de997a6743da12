"""Business calendars: working slots in a time zone, minus holidays, plus make-up days.

Business time is exact: slots are whole minutes, durations are `timedelta`s and every sum is taken
on aware datetimes, so ``business_time_between(a, add_business_time(a, d)) == d`` always holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import holidays

from policies.china import ChinaCalendar, DayKind, ExtraDay, YearStatus
from policies.sharing import Answers, Pool
from policies.team import TeamSettings

Slot = tuple[int, int]  # minutes after local midnight, end exclusive, end <= 1440
WHOLE_DAY: tuple[Slot, ...] = ((0, 24 * 60),)
_MAX_DAYS = 3660  # give up after ten years without enough working time
_BACKFILL_DAYS = 400  # the prefix table starts this long before the first day asked about


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
        # Caches: a calendar's rules do not change after it is built (one per sync).
        self._slots: dict[date, tuple[tuple[datetime, datetime], ...]] = {}
        self._origin: date | None = None
        self._cumulative: list[timedelta] = [timedelta(0)]  # [i]: days [origin, origin + i)
        # Answers by instant: cases opened at the same moment (a sheet's dates typed without a
        # time are all midnight) ask the same questions, and every clock measures up to `now`.
        # Keyed on UTC datetimes, which compare as instants (two wall times of one zone compare
        # as wall times, whatever their fold).
        self._added: dict[tuple[datetime, timedelta], datetime] = {}
        self._spent: dict[tuple[datetime, datetime], timedelta] = {}
        # Whole answers of the callers (an SLA clock: policies/sla.py), by their own keys.
        self.answers: Answers = {}

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
        slots = self._slots.get(day)
        if slots is None:
            midnight = datetime.combine(day, time(0), tzinfo=self.tz)
            slots = tuple(
                (_wall(midnight, start), _wall(midnight, end))
                for start, end in self.slot_minutes(day)
            )
            self._slots[day] = slots
        return slots

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
        key = (start.astimezone(UTC), duration)
        found = self._added.get(key)
        if found is None:
            found = self._added[key] = self._add(start, duration)
        return found

    def _add(self, start: datetime, duration: timedelta) -> datetime:
        moment = start.astimezone(self.tz)
        found = self._spend(moment.date(), moment, duration)
        if isinstance(found, datetime):
            return found
        # Whole days follow: jump to the day on which the rest runs out, then walk its slots.
        day = moment.date() + timedelta(days=1)
        remaining = found
        first = self._index(day)
        if remaining == timedelta(0):  # the first working instant: the next day with slots
            last = self._find(first, lambda total: total > self._cumulative[first])
        else:
            target = self._cumulative[first] + remaining
            last = self._find(first, lambda total: total >= target)
        if last is None:
            raise ValueError(
                f"no working time found within {_MAX_DAYS} days of {start.isoformat()}"
            )
        # Days first..last-1 hold less than `remaining`; the day at index last-1 finishes it.
        remaining -= self._cumulative[last - 1] - self._cumulative[first]
        target_day = self._day_at(last - 1)
        midnight = datetime.combine(target_day, time(0), tzinfo=self.tz)
        end = self._spend(target_day, midnight, remaining)
        assert isinstance(end, datetime), "the prefix sums promised working time on this day"
        return end

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time inside [start, end); zero when end is not after start."""
        _require_aware(start)
        _require_aware(end)
        if end <= start:
            return timedelta(0)
        key = (start.astimezone(UTC), end.astimezone(UTC))
        found = self._spent.get(key)
        if found is None:
            found = self._spent[key] = self._between(start, end)
        return found

    def _between(self, start: datetime, end: datetime) -> timedelta:
        first = start.astimezone(self.tz)
        last = end.astimezone(self.tz)
        if first.date() == last.date():
            return self._clipped(first.date(), first, last)
        whole = self._cumulative_between(first.date() + timedelta(days=1), last.date())
        return (
            self._clipped(first.date(), first, last)
            + whole
            + self._clipped(last.date(), first, last)
        )

    # -- the walk and the prefix sums behind it ---------------------------------------------
    # A clock of a case opened a year ago spans hundreds of days; summing them one by one for
    # every case of every sync made old sheets slow. Working time per day is summed once per
    # calendar into `_cumulative` (from `_origin`), so a span of whole days costs two lookups
    # and finding the day a duration runs out costs a binary search.

    def _spend(self, day: date, moment: datetime, remaining: timedelta) -> datetime | timedelta:
        """Spend `remaining` in the slots of `day` from `moment`: the instant it runs out, or
        what is left when the day ends first."""
        for slot_start, slot_end in self.slots_on(day):
            if slot_end <= moment and not (remaining == timedelta(0) and slot_end == moment):
                continue
            begin = max(slot_start, moment)
            available = _between(begin, slot_end)
            if remaining <= available:
                return (begin.astimezone(UTC) + remaining).astimezone(self.tz)
            remaining -= available
        return remaining

    def _clipped(self, day: date, lo: datetime, hi: datetime) -> timedelta:
        """Working time of `day` inside [lo, hi)."""
        total = timedelta(0)
        for slot_start, slot_end in self.slots_on(day):
            begin = max(slot_start, lo)
            finish = min(slot_end, hi)
            if finish > begin:
                total += _between(begin, finish)
        return total

    def _day_total(self, day: date) -> timedelta:
        return sum((_between(s, e) for s, e in self.slots_on(day)), timedelta(0))

    def _index(self, day: date) -> int:
        """The position of `day` in `_cumulative`, the table extended back to cover it."""
        if self._origin is None or day < self._origin:
            end = self._day_at(len(self._cumulative) - 1) if self._origin else day
            self._origin = day - timedelta(days=_BACKFILL_DAYS)
            self._cumulative = [timedelta(0)]
            self._extend_to((max(end, day) - self._origin).days)
        index = (day - self._origin).days
        self._extend_to(index)
        return index

    def _day_at(self, index: int) -> date:
        assert self._origin is not None
        return self._origin + timedelta(days=index)

    def _extend_to(self, index: int) -> None:
        """Make `_cumulative[index]` exist (working time of the days before that index)."""
        cumulative = self._cumulative
        while len(cumulative) <= index:
            cumulative.append(cumulative[-1] + self._day_total(self._day_at(len(cumulative) - 1)))

    def _cumulative_between(self, first: date, end: date) -> timedelta:
        """Working time of the whole days [first, end)."""
        if end <= first:
            return timedelta(0)
        lo = self._index(first)
        hi = lo + (end - first).days
        self._extend_to(hi)
        return self._cumulative[hi] - self._cumulative[lo]

    def _find(self, first: int, reached: Callable[[timedelta], bool]) -> int | None:
        """The smallest index after `first` whose cumulative total satisfies `reached` (a
        monotone test), extending the table up to `_MAX_DAYS` days; None when none does."""
        limit = first + _MAX_DAYS
        step = 32
        while True:
            top = min(first + step, limit)
            self._extend_to(top)
            if reached(self._cumulative[top]):
                lo, hi = first + 1, top
                while lo < hi:  # bisect on a monotone predicate
                    mid = (lo + hi) // 2
                    if reached(self._cumulative[mid]):
                        hi = mid
                    else:
                        lo = mid + 1
                return lo
            if top == limit:
                return None
            step *= 4

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
    # The sync's equal values, one object each (policies/sharing.py): what its evaluations,
    # case results and KPI measures conclude (one set of calendars per sync).
    pool: Pool = field(default_factory=dict, compare=False, repr=False)

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
