"""Validity horizons: the earliest instant at which a case's outputs could change while its inputs
stay the same. Pure (the time is passed in).

An evaluation depends on time only through comparisons of `now` with instants derived from the
case (Opened, deadlines, SLA due times, when evidence was asked for, reminders sent) shifted by
offsets from the configuration (reminder intervals, escalation thresholds, due-soon windows, the
hours before a deadline that count as a risk), and through calendar days (Days Left, a policy
version coming into force, a new year's holidays). Rather than restate every rule, the horizon is
the earliest of all such candidates that lies after `now`:

- every instant found in the case's inputs and results, each shifted by every configured offset
  (both ways: "48 h after the ask" and "24 h before the deadline");
- every whole day after a past instant (an escalation says how many days overdue);
- the next midnight in every time zone the rules use (Days Left, day windows, versions in force);
- for a running SLA clock, the earliest wall-clock instant its used business time could reach
  the due-soon threshold (business time never runs faster than the wall clock);
- a paused clock's due time moves with the pause: no reuse at all.

Being early only costs a recomputation; being late would reuse a stale result, so every doubt
resolves to the earlier instant.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel

from policies.facts import SlaClock, SlaState

__all__ = ["HorizonBasis", "moments_in", "offsets_in", "validity_horizon", "zones_in"]

_MAX_DEPTH = 8
_HOURS = timedelta(hours=1)
_DAYS = timedelta(days=1)


@dataclasses.dataclass(frozen=True, slots=True)
class HorizonBasis:
    """What every case of one sync at `now` shares: the configured offsets (both ways, and
    none; sorted), the due-soon share, and the earliest candidate that does not depend on the
    case (the next midnight in every zone the rules use, versions coming into force)."""

    now: datetime
    shifts: tuple[timedelta, ...]
    due_soon_fraction: float
    shared: datetime

    @classmethod
    def of(
        cls,
        now: datetime,
        offsets: Iterable[timedelta],
        zones: Iterable[tzinfo],
        moments: Iterable[datetime],
        due_soon_fraction: float,
    ) -> HorizonBasis:
        found = set(offsets)
        shifts = tuple(sorted({timedelta(0), *found, *(-o for o in found)}))
        shared = min(_next_midnight(now, zone) for zone in (UTC, *zones))
        shared = _earliest_after(now, shared, moments, shifts)
        return cls(now, shifts, due_soon_fraction, shared)


def validity_horizon(
    basis: HorizonBasis,
    moments: Iterable[datetime],
    clocks: Iterable[SlaClock] = (),
    working_left: Iterable[timedelta] = (),
) -> datetime:
    """The earliest instant after `basis.now` at which an output of the case could change.

    `working_left`: working time left to a deadline that rules compare with a threshold ("the
    seller deadline within 8 working hours"); it shrinks no faster than the wall clock, so it
    cannot reach a threshold before now + (left - threshold)."""
    now = basis.now
    earliest = basis.shared
    for left in working_left:
        at = bisect_left(basis.shifts, left) - 1  # the largest threshold below what is left
        if at >= 0 and basis.shifts[at] >= timedelta(0):
            earliest = min(earliest, now + (left - basis.shifts[at]))
    for clock in clocks:
        if clock.due_at is None or clock.state is SlaState.CLOSED:
            continue
        if clock.state is SlaState.PAUSED:
            return now  # its due time slides with the pause: recompute every time
        if clock.state is SlaState.ON_TRACK:
            left = clock.target * (1 - basis.due_soon_fraction) - clock.elapsed
            earliest = min(earliest, now + max(left, timedelta(0)))
    return max(_earliest_after(now, earliest, moments, basis.shifts), now)


def _earliest_after(
    now: datetime, earliest: datetime, moments: Iterable[datetime], shifts: Sequence[timedelta]
) -> datetime:
    """The earliest of `earliest` and every moment + shift that lies after `now`, and of every
    whole number of days after a past moment ("overdue 2 days" becomes "3 days")."""
    for moment in moments:
        since = now - moment
        at = bisect_right(shifts, since)  # the smallest shift putting it after now
        if at < len(shifts):
            earliest = min(earliest, moment + shifts[at])
        if since >= timedelta(0):
            earliest = min(earliest, moment + _DAYS * (since // _DAYS + 1))
    return earliest


def _next_midnight(now: datetime, zone: tzinfo) -> datetime:
    local = now.astimezone(zone)
    tomorrow = local.date() + _DAYS
    return datetime.combine(tomorrow, time(0), tzinfo=zone).astimezone(UTC)


def moments_in(value: object, zone: tzinfo, depth: int = 0) -> Iterator[datetime]:
    """Every instant inside `value` (dataclasses, pydantic models, mappings, sequences);
    a naive date-time is taken in `zone`, a date as its midnight there."""
    if depth > _MAX_DEPTH or value is None:
        return
    if isinstance(value, datetime):
        yield value if value.tzinfo is not None else value.replace(tzinfo=zone)
    elif isinstance(value, date):
        yield datetime.combine(value, time(0), tzinfo=zone)
    elif isinstance(value, (str, bytes, int, float, bool, timedelta, Enum)):
        return
    else:
        for child in _children(value):
            yield from moments_in(child, zone, depth + 1)


def offsets_in(value: object, unit: timedelta | None = None, depth: int = 0) -> Iterator[timedelta]:
    """Every duration inside a configuration: timedeltas, and numbers under a field whose name
    says minutes, hours or days (how the YAML files spell thresholds), also inside a mapping or
    list held by such a field."""
    if depth > _MAX_DEPTH or value is None or isinstance(value, bool):
        return
    if isinstance(value, timedelta):
        yield value
    elif isinstance(value, (int, float)):
        if unit is not None:
            yield unit * value
    elif isinstance(value, (str, bytes, date, Enum)):
        return
    elif isinstance(value, BaseModel) or dataclasses.is_dataclass(value):
        for name, child in _named_children(value):
            yield from offsets_in(child, _unit(name) or unit, depth + 1)
    else:
        for child in _children(value):
            yield from offsets_in(child, unit, depth + 1)


def zones_in(value: object, depth: int = 0) -> Iterator[tzinfo]:
    """Every time zone inside a configuration (zone objects, and fields named *timezone* or
    *tz* holding a zone name)."""
    if depth > _MAX_DEPTH or value is None:
        return
    if isinstance(value, tzinfo):
        yield value
        return
    if isinstance(value, (str, bytes, int, float, bool, date, timedelta, Enum)):
        return
    if isinstance(value, BaseModel) or dataclasses.is_dataclass(value):
        for name, child in _named_children(value):
            if isinstance(child, str) and ("timezone" in name or name.endswith("tz")):
                try:
                    yield ZoneInfo(child)
                except (ZoneInfoNotFoundError, ValueError):
                    continue  # not a zone name: the loaders report it where it matters
            else:
                yield from zones_in(child, depth + 1)
        return
    for child in _children(value):
        yield from zones_in(child, depth + 1)


def _unit(name: str) -> timedelta | None:
    if "minute" in name:
        return timedelta(minutes=1)
    if "hour" in name:
        return _HOURS
    if "day" in name:
        return _DAYS
    return None


def _named_children(value: object) -> Iterator[tuple[str, object]]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield name, getattr(value, name)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield f.name, getattr(value, f.name)


def _children(value: object) -> Iterator[object]:
    if isinstance(value, BaseModel) or (
        dataclasses.is_dataclass(value) and not isinstance(value, type)
    ):
        for _, child in _named_children(value):
            yield child
    elif isinstance(value, Mapping):
        yield from value.values()
    elif isinstance(value, (list, tuple, set, frozenset)):
        yield from value
