"""Team SLA clocks: due times, elapsed business time, pauses and states.

A clock starts at an event (Opened, the seller request), is met at another (first response,
platform response, resolution) and runs only in working time of its business calendar. While the
case is paused (Awaiting Customer) the clock stands still: paused time is not counted as elapsed
and pushes the due time later by exactly the working time it covered. Pauses are facts about the
case (`CaseFacts.pauses`), not derived from settings, so changing the targets or working hours
never loses paused time: everything is recomputed from the same facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from typing import NamedTuple

from policies.calendars import BusinessCalendar, Calendars
from policies.facts import PauseInterval, SlaClock, SlaState
from policies.sharing import remembered
from policies.team import CLOCK_NAMES, TeamSettings
from sheet_schema.messages import load_catalogue, text

Interval = tuple[datetime, datetime]

_SEVERITY = {SlaState.ON_TRACK: 0, SlaState.DUE_SOON: 1, SlaState.OVERDUE: 2}


def merge_pauses(pauses: Iterable[PauseInterval], now: datetime) -> tuple[Interval, ...]:
    """Pauses as sorted, non-overlapping (start, end) intervals; a running pause ends at `now`.

    Only the past counts: every pause is cut off at `now`, so a pause after `now` is ignored.
    """
    spans: list[Interval] = []
    for pause in pauses:
        end = min(pause.end, now) if pause.end is not None else now
        if end > pause.start:
            spans.append((pause.start, end))
    spans.sort()
    merged: list[Interval] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def due_time(
    calendar: BusinessCalendar, start: datetime, target: timedelta, pauses: Sequence[Interval]
) -> datetime:
    """When `target` business time has been used since `start`, not counting pauses.

    `pauses` must be merged (see `merge_pauses`). Adding a pause never makes the result earlier.
    """
    moment = start
    remaining = target
    for pause_start, pause_end in pauses:
        if pause_end <= moment:
            continue
        if pause_start <= moment:
            moment = pause_end
            continue
        candidate = calendar.add_business_time(moment, remaining)
        if candidate <= pause_start:
            return candidate
        remaining -= calendar.business_time_between(moment, pause_start)
        moment = pause_end
    return calendar.add_business_time(moment, remaining)


def paused_time(
    calendar: BusinessCalendar, start: datetime, end: datetime, pauses: Sequence[Interval]
) -> timedelta:
    """Working time inside merged pauses, within [start, end)."""
    total = timedelta(0)
    for pause_start, pause_end in pauses:
        lo, hi = max(start, pause_start), min(end, pause_end)
        if hi > lo:
            total += calendar.business_time_between(lo, hi)
    return total


@dataclass(slots=True, unsafe_hash=True)  # a value, not frozen: three per case evaluated
class ClockInput:
    """The events one clock is measured between."""

    name: str
    started_at: datetime | None
    met_at: datetime | None


@dataclass(frozen=True, slots=True)
class SlaResult:
    clocks: tuple[SlaClock, ...]
    state: SlaState
    paused_now: bool
    closed: bool


def measure_clock(
    clock: ClockInput,
    calendar: BusinessCalendar,
    target: timedelta,
    pauses: Sequence[Interval],
    now: datetime,
    *,
    closed: bool,
    paused_now: bool,
    due_soon_fraction: float,
) -> SlaClock:
    """One SLA clock at `now`. Cases opened at the same moment measure the same clock (at
    10,000 cases, 723 of 30,000 differ): it is measured once per calendar (one per sync) and
    the one frozen clock is shared. The question holds the instants' zones too, so a clock keeps
    the zone of the instants it was measured from (equal instants in two zones compare equal)."""
    asked = _Asked(
        clock,
        _zone(clock.started_at),
        _zone(clock.met_at),
        target,
        tuple(pauses),
        now,
        closed,
        paused_now,
        due_soon_fraction,
    )
    return remembered(calendar.answers, asked, SlaClock, lambda: _measure(asked, calendar))


class _Asked(NamedTuple):
    """What one clock's measure depends on, besides its calendar."""

    clock: ClockInput
    start_zone: tzinfo | None
    met_zone: tzinfo | None
    target: timedelta
    pauses: tuple[Interval, ...]
    now: datetime
    closed: bool
    paused_now: bool
    due_soon_fraction: float


def _zone(moment: datetime | None) -> tzinfo | None:
    return moment.tzinfo if moment is not None else None


def _measure(asked: _Asked, calendar: BusinessCalendar) -> SlaClock:
    clock, _, _, target, pauses, now, closed, paused_now, due_soon_fraction = asked
    if clock.started_at is None:
        return SlaClock(
            name=clock.name,
            target=target,
            started_at=None,
            due_at=None,
            elapsed=timedelta(0),
            met_at=None,
            state=SlaState.CLOSED if closed else SlaState.ON_TRACK,
            calendar=calendar.name,
        )
    start = clock.started_at
    due = due_time(calendar, start, target, pauses)
    end = max(start, clock.met_at if clock.met_at is not None else now)
    in_pauses = paused_time(calendar, start, end, pauses)
    elapsed = calendar.business_time_between(start, end) - in_pauses
    if clock.met_at is not None or closed:
        state = SlaState.CLOSED
        breached = clock.met_at is not None and clock.met_at > due
    elif paused_now:
        state = SlaState.PAUSED
        breached = now > due
    elif now > due:
        state = SlaState.OVERDUE
        breached = True
    else:
        state = (
            SlaState.DUE_SOON
            if target - elapsed <= target * due_soon_fraction
            else SlaState.ON_TRACK
        )
        breached = False
    return SlaClock(
        name=clock.name,
        target=target,
        started_at=start,
        due_at=due,
        elapsed=elapsed,
        met_at=clock.met_at,
        state=state,
        calendar=calendar.name,
        paused=in_pauses,
        breached=breached,
    )


def overall_state(clocks: Iterable[SlaClock], *, closed: bool, paused_now: bool) -> SlaState:
    """Closed, else Paused, else the worst open clock (Overdue > Due soon > On track)."""
    if closed:
        return SlaState.CLOSED
    if paused_now:
        return SlaState.PAUSED
    worst = SlaState.ON_TRACK
    for clock in clocks:
        if clock.is_open and _SEVERITY.get(clock.state, 0) > _SEVERITY[worst]:
            worst = clock.state
    return worst


def compute_sla(
    *,
    opened: datetime | None,
    first_response_at: datetime | None,
    seller_requested_at: datetime | None,
    platform_response_at: datetime | None,
    resolved_at: datetime | None,
    status: str | None,
    pauses: Iterable[PauseInterval],
    now: datetime,
    team: TeamSettings,
    calendars: Calendars,
) -> SlaResult:
    """All three team SLA clocks of a case, and the case's SLA state.

    first_response: Opened -> First Response At. seller_response: the seller request -> the
    platform's response (not started, due None, while there is no request). resolution: Opened ->
    resolved_at, or stopped when the status is a closed status.
    """
    closed = team.is_closed(status)
    merged = merge_pauses(pauses, now)
    paused_now = not closed and (
        team.is_paused(status) or any(p.end is None and p.start <= now for p in pauses)
    )
    events = {
        "first_response": ClockInput("first_response", opened, first_response_at),
        "seller_response": ClockInput("seller_response", seller_requested_at, platform_response_at),
        "resolution": ClockInput("resolution", opened, resolved_at),
    }
    clocks = []
    for name in CLOCK_NAMES:
        calendar = calendars.business(team.sla.calendar_for(name))
        duration = team.sla.get(name).target
        target = calendar.to_timedelta(duration.days, duration.time)
        clocks.append(
            measure_clock(
                events[name],
                calendar,
                target,
                merged,
                now,
                closed=closed,
                paused_now=paused_now,
                due_soon_fraction=team.due_soon_fraction,
            )
        )
    return SlaResult(
        clocks=tuple(clocks),
        state=overall_state(clocks, closed=closed, paused_now=paused_now),
        paused_now=paused_now,
        closed=closed,
    )


CLOCK_LABELS = {
    "first_response": "first response",
    "seller_response": "seller response",
    "resolution": "resolution",
}


def state_clock(clocks: Iterable[SlaClock], state: SlaState) -> SlaClock | None:
    """The open clock the case's SLA state is read from: the one in that state (for Paused,
    any open clock) that falls due first."""
    candidates = [
        c
        for c in clocks
        if c.is_open and c.due_at is not None and (state is SlaState.PAUSED or c.state is state)
    ]
    return min(candidates, key=lambda c: c.due_at or datetime.max, default=None)


@lru_cache(maxsize=256)  # asked for every case, of a few states
def state_label(state: SlaState, language: str = "en") -> str:
    """The state's word in the team's language: 'Overdue', '已超时'."""
    return text(f"sla.{state.name.casefold()}", language)


@lru_cache(maxsize=256)  # asked for every case, of a few clocks
def clock_label(name: str, language: str = "en") -> str:
    """A clock's name in the team's language: 'first response', '首次回复'."""
    key = f"sla.clock_{name}"
    return text(key, language) if key in load_catalogue().texts else name.replace("_", " ")


def describe_state(
    clocks: Iterable[SlaClock],
    state: SlaState,
    now: datetime,
    tz: tzinfo,
    language: str = "en",
) -> str:
    """SLA State as a person reads it, in the team's language: the state, which clock, and when.

    'Overdue: resolution, due 12-04 18:30', 'On track: first response, due 12-03 14:00';
    a paused clock has no due time yet (it moves with the pause), so it says how much working
    time is left, which stays put while the case waits: 'Paused: resolution, 33 working hours
    left'. 'Closed', or the bare state when no clock has started. In Chinese:
    '已超时：结案，期限 12-04 18:30'.
    """
    clock = state_clock(clocks, state)
    word = state_label(state, language)
    if state is SlaState.CLOSED or clock is None or clock.due_at is None:
        return word
    label = clock_label(clock.name, language)
    if state is SlaState.PAUSED:
        if clock.breached or clock.remaining <= timedelta(0):
            due = _when(clock.due_at, now, tz)
            return text("sla.state_was_due", language, state=word, clock=label, due=due)
        left = _working_time(clock.remaining, language)
        return text("sla.state_left", language, state=word, clock=label, left=left)
    due = _when(clock.due_at, now, tz)
    return text("sla.state_due", language, state=word, clock=label, due=due)


@lru_cache(maxsize=4096)  # cases opened together fall due together
def _when(moment: datetime, now: datetime, tz: tzinfo) -> str:
    """'12-04 18:30' in the team's zone; with the year when it is not this year's."""
    local = moment.astimezone(tz)
    same_year = local.year == now.astimezone(tz).year
    return local.strftime("%m-%d %H:%M" if same_year else "%Y-%m-%d %H:%M")


def _working_time(left: timedelta, language: str) -> str:
    """Whole working hours, rounded up (under an hour: minutes)."""
    minutes = -(-int(left.total_seconds()) // 60)
    if minutes < 60:
        key = "sla.working_minute" if minutes == 1 else "sla.working_minutes"
        return text(key, language, n=minutes)
    hours = -(-minutes // 60)
    return text("sla.working_hour" if hours == 1 else "sla.working_hours", language, n=hours)
