"""The mainland-China calendar: official public holidays, make-up working days, extra days.

Official data comes from the `holidays` package. Its China class lists, year by year, the
substituted days off of each State Council notice (`ChinaStaticHolidays.special_public_holidays`)
and derives from them the make-up working days (`weekend_workdays`: weekends that are working
days). A year with no entry there has no official schedule in the package: its holidays are only
estimated from rules, which is why `year_status` reports it as unofficial.

Extra days (rows of the sheet's Holidays tab) win over the official data for their date. A
"day off" row counts as a holiday day: it can start or extend a holiday period.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

import holidays
from holidays.countries.china import ChinaStaticHolidays

from policies.sharing import Answers
from policies.vocab import fold

_MAX_RUN = 60  # no official holiday period is anywhere near this long
_DAY_OFF_WORDS = frozenset({"dayoff", "off", "holiday", "休息", "休息日", "放假", "假日"})
_WORKING_DAY_WORDS = frozenset(
    {"workingday", "workday", "working", "work", "上班", "补班", "工作日", "调休上班"}
)


class DayKind(enum.StrEnum):
    """What a Holidays-tab row says about its date."""

    DAY_OFF = "day_off"
    WORKING_DAY = "working_day"

    @classmethod
    def parse(cls, text: str) -> DayKind | None:
        """Read a Holidays-tab Kind cell: 'Day off' / 'Working day' (also 休息 / 上班 / 补班)."""
        key = fold(text)
        if key in _DAY_OFF_WORDS:
            return cls.DAY_OFF
        if key in _WORKING_DAY_WORDS:
            return cls.WORKING_DAY
        return None


class YearStatus(enum.StrEnum):
    """How much a calendar knows about one year."""

    OFFICIAL = "official"  # the official schedule (with make-up days) is in the data
    TEAM = "team"  # not official in the data, but the Holidays tab has days for it
    UNOFFICIAL = "unofficial"  # only estimated from rules


@dataclass(frozen=True, slots=True)
class ExtraDay:
    """One row of the Holidays tab."""

    date: date
    kind: DayKind
    note: str = ""


def _official_years() -> frozenset[int]:
    table: Any = getattr(ChinaStaticHolidays, "special_public_holidays", {})
    return frozenset(y for y in table if isinstance(y, int) and y >= 2001)


OFFICIAL_YEARS: Final[frozenset[int]] = _official_years()
"""Years for which `holidays` has the State Council's schedule (2001 through 2026 in 0.109)."""


class ChinaCalendar:
    """Days off, working days and holiday periods in mainland China (Asia/Shanghai dates)."""

    def __init__(self, extra_days: Iterable[ExtraDay] = ()) -> None:
        self._extra: dict[date, ExtraDay] = {}
        for day in extra_days:
            self._extra[day.date] = day  # a later row for the same date wins
        self._team_years = frozenset(d.year for d in self._extra)
        self._years: dict[int, Any] = {}
        self._periods: dict[date, tuple[date, date] | None] = {}
        # Whole answers of the callers on this calendar (a return deadline: policies/windows.py),
        # by their own keys: thousands of cases share a window start and length.
        self.answers: Answers = {}

    @property
    def extra_days(self) -> tuple[ExtraDay, ...]:
        return tuple(sorted(self._extra.values(), key=lambda d: d.date))

    def _official(self, year: int) -> Any:
        data = self._years.get(year)
        if data is None:
            data = holidays.country_holidays("CN", years=year, language="en_US")
            self._years[year] = data
        return data

    def official_holiday(self, day: date) -> str | None:
        """Name of the official public holiday or substituted day off on `day`, if any."""
        name: str | None = self._official(day.year).get(day)
        return name

    def is_makeup_workday(self, day: date) -> bool:
        """An official make-up working day: a Saturday or Sunday that is a working day."""
        return day.weekday() >= 5 and day in self._official(day.year).weekend_workdays

    def day_kind(self, day: date) -> DayKind | None:
        """DAY_OFF / WORKING_DAY when the day differs from the plain week, else None.

        Holidays-tab rows first, then official holidays, then official make-up days.
        """
        extra = self._extra.get(day)
        if extra is not None:
            return extra.kind
        if self.official_holiday(day) is not None:
            return DayKind.DAY_OFF
        if self.is_makeup_workday(day):
            return DayKind.WORKING_DAY
        return None

    def is_day_off(self, day: date) -> bool:
        kind = self.day_kind(day)
        if kind is None:
            return day.weekday() >= 5
        return kind is DayKind.DAY_OFF

    def is_working_day(self, day: date) -> bool:
        return not self.is_day_off(day)

    def is_holiday(self, day: date) -> bool:
        """A public holiday or official day off, not a plain weekend.

        A Holidays-tab day off on a weekday counts as a holiday (that is how a team enters next
        year's schedule before the package knows it); on a Saturday or Sunday it only cancels a
        make-up working day. A Holidays-tab working day is never a holiday.
        """
        extra = self._extra.get(day)
        if extra is not None and extra.kind is DayKind.WORKING_DAY:
            return False
        if extra is not None and day.weekday() < 5:
            return True
        return self.official_holiday(day) is not None

    def holiday_period(self, day: date) -> tuple[date, date] | None:
        """The official holiday period containing `day`: (first, last) day, or None.

        A holiday period is a maximal run of consecutive days off (weekend days that are not
        make-up working days, public holidays, substituted days off) that contains at least one
        holiday day. An ordinary weekend is a run without a holiday day, so it is not a period.
        """
        if day in self._periods:
            return self._periods[day]
        result: tuple[date, date] | None = None
        if self.is_day_off(day):
            first = last = day
            one = timedelta(days=1)
            while (day - first).days < _MAX_RUN and self.is_day_off(first - one):
                first -= one
            while (last - day).days < _MAX_RUN and self.is_day_off(last + one):
                last += one
            span = (last - first).days + 1
            if any(self.is_holiday(first + timedelta(days=i)) for i in range(span)):
                result = (first, last)
        self._periods[day] = result
        return result

    def in_holiday_period(self, day: date) -> bool:
        return self.holiday_period(day) is not None

    def year_status(self, year: int) -> YearStatus:
        if year in OFFICIAL_YEARS:
            return YearStatus.OFFICIAL
        if year in self._team_years:
            return YearStatus.TEAM
        return YearStatus.UNOFFICIAL
