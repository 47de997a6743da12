"""`compute_kpis`: the team's KPIs over a period, for every grouping. Pure.

Which cases count: those whose Opened date, in the team's time zone, lies in [start, end]
(both included), plus the cases with no Opened at all (they cannot be placed in time, so they
are counted in the totals but never in a week or a time metric). Definitions: docs/kpis.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from app.analytics.model import (
    DEFAULT_CLOSED_STATUSES,
    IN_FAVOUR_OUTCOMES,
    NO_PLATFORM,
    UNASSIGNED,
    GroupKind,
    KpiCase,
    KpiReport,
    KpiRow,
)
from app.analytics.stats import P90, mean, median, percentile, ratio
from app.analytics.timeline import read_story
from app.values import TimelineEvent
from policies import OUTCOMES, BusinessCalendar, Calendars, TeamSettings, normalise

DEFAULT_PERIOD_DAYS = 90
TOP_REASONS = 3


def default_period(now: datetime, tz: tzinfo, days: int = DEFAULT_PERIOD_DAYS) -> tuple[date, date]:
    """The last `days` days up to and including today in `tz`: (today - days + 1, today)."""
    if days < 1:
        raise ValueError(f"a period needs at least one day, got {days}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(tz).date()
    return today - timedelta(days=days - 1), today


def iso_week(day: date) -> str:
    """ISO week label of a date, e.g. "2025-W41" (the ISO year, which differs near New Year)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_between(start: date, end: date) -> list[tuple[str, date]]:
    """Every ISO week overlapping [start, end], oldest first, as (label, its Monday)."""
    monday = start - timedelta(days=start.weekday())
    out: list[tuple[str, date]] = []
    while monday <= end:
        out.append((iso_week(monday), monday))
        monday += timedelta(days=7)
    return out


def _label(text: str | None, blank: str) -> str:
    cleaned = " ".join(text.split()) if text else ""
    return cleaned or blank


def _sort_labels(labels: Iterable[str], blank: str) -> list[str]:
    return sorted(set(labels), key=lambda s: (s == blank, s.casefold(), s))


@dataclass(frozen=True, slots=True)
class Measured:
    """One case with everything the metrics need worked out once (`measure_case`): what a
    period's figures are folded from, so a case whose inputs did not change is not measured
    again (incremental evaluation keeps it with the case's cached planning)."""

    opened_day: date | None  # the Opened date in the team's time zone; None: no Opened
    platform: str
    assignee: str
    week: str | None
    frt_hours: float | None
    closed: bool
    in_favour: bool
    within_sla: bool | None  # None: not measurable
    reopened: bool
    csat: int | None
    exception_reasons: tuple[str, ...] | None  # None: not an approved exception
    resolution_days: float | None
    seller_window_missed: bool | None


def measure_case(
    case: KpiCase,
    events: Sequence[TimelineEvent],
    calendar: BusinessCalendar,
    tz: tzinfo,
    business_day_hours: float,
    closed_statuses: Collection[str],
) -> Measured:
    story = read_story(events, closed_statuses)
    opened = case.opened

    def hours(end: datetime) -> float:
        assert opened is not None
        return calendar.business_time_between(opened, end).total_seconds() / 3600

    responded = case.first_response_at or story.first_left_new
    frt = hours(responded) if opened is not None and responded is not None else None
    closed_at = story.last_closed_at if case.closed else None
    resolution_days = (
        hours(closed_at) / business_day_hours
        if opened is not None and closed_at is not None
        else None
    )
    within_sla = (
        closed_at <= case.resolution_due
        if closed_at is not None and case.resolution_due is not None
        else None
    )
    outcome = normalise(OUTCOMES, case.outcome)
    csat = case.csat if type(case.csat) is int and 1 <= case.csat <= 5 else None
    reasons = tuple(dict.fromkeys(r.strip() for r in case.exception_reasons if r.strip()))
    return Measured(
        opened_day=opened.astimezone(tz).date() if opened is not None else None,
        platform=_label(case.platform, NO_PLATFORM),
        assignee=_label(case.assignee, UNASSIGNED),
        week=iso_week(opened.astimezone(tz).date()) if opened is not None else None,
        frt_hours=frt,
        closed=case.closed,
        in_favour=case.closed and outcome in IN_FAVOUR_OUTCOMES,
        within_sla=within_sla,
        reopened=case.closed and story.reopens > 0,
        csat=csat,
        exception_reasons=reasons if case.policy_exception is True and reasons else None,
        resolution_days=resolution_days,
        seller_window_missed=case.seller_window_missed,
    )


def _row(
    group: GroupKind,
    members: Sequence[Measured],
    top_reasons: int,
    *,
    platform: str | None = None,
    assignee: str | None = None,
    week: tuple[str, date] | None = None,
) -> KpiRow:
    frt = [m.frt_hours for m in members if m.frt_hours is not None]
    closed = [m for m in members if m.closed]
    sla = [m.within_sla for m in closed if m.within_sla is not None]
    csat = [m.csat for m in members if m.csat is not None]
    exceptions = [m.exception_reasons for m in members if m.exception_reasons is not None]
    reasons: Counter[str] = Counter(r for case_reasons in exceptions for r in case_reasons)
    resolution = [m.resolution_days for m in closed if m.resolution_days is not None]
    in_favour = sum(1 for m in closed if m.in_favour)
    reopened = sum(1 for m in closed if m.reopened)
    return KpiRow(
        group=group,
        platform=platform,
        assignee=assignee,
        week=week[0] if week else None,
        week_start=week[1] if week else None,
        cases=len(members),
        frt_measured=len(frt),
        frt_median_hours=median(frt),
        frt_p90_hours=percentile(frt, P90),
        closed=len(closed),
        resolved_in_favour=in_favour,
        resolution_rate=ratio(in_favour, len(closed)),
        sla_measured=len(sla),
        within_sla=sum(sla),
        within_sla_rate=ratio(sum(sla), len(sla)),
        reopened=reopened,
        reopened_pct=ratio(reopened, len(closed)),
        csat_answers=len(csat),
        csat_mean=mean(csat),
        csat_share_4_5=ratio(sum(1 for s in csat if s >= 4), len(csat)),
        exceptions=len(exceptions),
        exception_pct=ratio(len(exceptions), len(members)),
        top_exception_reasons=tuple(
            sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:top_reasons]
        ),
        resolution_measured=len(resolution),
        resolution_median_days=median(resolution),
        seller_windows=sum(1 for m in members if m.seller_window_missed is not None),
        seller_window_missed=sum(1 for m in members if m.seller_window_missed),
    )


def _grouped(
    members: Sequence[Measured], key: Callable[[Measured], tuple[str, ...]]
) -> dict[tuple[str, ...], list[Measured]]:
    out: dict[tuple[str, ...], list[Measured]] = defaultdict(list)
    for m in members:
        out[key(m)].append(m)
    return out


def _check_period(
    start: date,
    end: date,
    business_day_hours: float,
    top_reasons: int,
    generated_at: datetime | None,
) -> None:
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    if business_day_hours <= 0:
        raise ValueError(f"business_day_hours must be positive, got {business_day_hours}")
    if top_reasons < 0:
        raise ValueError(f"top_reasons must not be negative, got {top_reasons}")
    if generated_at is not None and generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")


def compute_kpis(
    cases: Sequence[KpiCase],
    events: Mapping[str, Sequence[TimelineEvent]],
    calendar: BusinessCalendar,
    *,
    start: date,
    end: date,
    tz: tzinfo,
    business_day_hours: float,
    closed_statuses: Collection[str] = DEFAULT_CLOSED_STATUSES,
    generated_at: datetime | None = None,
    top_reasons: int = TOP_REASONS,
) -> KpiReport:
    """KPIs of the cases opened in [start, end] (team time zone `tz`), for every grouping.

    `events` are the Timeline entries by case id (a case without entries may be absent).
    `calendar` is the team's business calendar; `business_day_hours` converts its business hours
    to business days (8.0 for the shipped 09:00-12:00 + 13:30-18:30 day). `closed_statuses` are
    the team's (`TeamSettings.closed_statuses`). `generated_at` is only recorded in the report.
    """
    _check_period(start, end, business_day_hours, top_reasons, generated_at)
    seen: set[str] = set()
    for case in cases:
        if case.case_id in seen:
            raise ValueError(f"case {case.case_id!r} is given twice; pass each case once")
        seen.add(case.case_id)
    # Only the cases the period counts are measured (a case opened long before it may lie
    # outside the calendar's years); the others are counted as outside.
    counted = [
        c for c in cases if c.opened is None or start <= c.opened.astimezone(tz).date() <= end
    ]
    measured = [
        measure_case(
            case,
            events.get(case.case_id, ()),
            calendar,
            tz,
            business_day_hours,
            closed_statuses,
        )
        for case in counted
    ]
    return fold_kpis(
        measured,
        outside=len(cases) - len(counted),
        start=start,
        end=end,
        tz=tz,
        business_day_hours=business_day_hours,
        closed_statuses=closed_statuses,
        generated_at=generated_at,
        top_reasons=top_reasons,
    )


def fold_kpis(
    measured: Sequence[Measured],
    *,
    outside: int = 0,
    start: date,
    end: date,
    tz: tzinfo,
    business_day_hours: float,
    closed_statuses: Collection[str] = DEFAULT_CLOSED_STATUSES,
    generated_at: datetime | None = None,
    top_reasons: int = TOP_REASONS,
) -> KpiReport:
    """The KPIs of [start, end] folded from measured cases (one per case; see `compute_kpis`);
    `outside`: cases left out unmeasured because they lie outside the period."""
    _check_period(start, end, business_day_hours, top_reasons, generated_at)
    counted: list[Measured] = []
    missing_opened = 0
    for m in measured:
        if m.opened_day is None:
            missing_opened += 1
        elif not start <= m.opened_day <= end:
            outside += 1
            continue
        counted.append(m)

    rows: list[KpiRow] = [_row("all", counted, top_reasons)]
    by_platform = _grouped(counted, lambda m: (m.platform,))
    for p in _sort_labels((k[0] for k in by_platform), NO_PLATFORM):
        rows.append(_row("platform", by_platform[(p,)], top_reasons, platform=p))
    by_assignee = _grouped(counted, lambda m: (m.assignee,))
    for a in _sort_labels((k[0] for k in by_assignee), UNASSIGNED):
        rows.append(_row("assignee", by_assignee[(a,)], top_reasons, assignee=a))
    by_pair = _grouped(counted, lambda m: (m.platform, m.assignee))
    for p in _sort_labels((k[0] for k in by_pair), NO_PLATFORM):
        pairs = (k[1] for k in by_pair if k[0] == p)
        for a in _sort_labels(pairs, UNASSIGNED):
            rows.append(
                _row("platform_assignee", by_pair[(p, a)], top_reasons, platform=p, assignee=a)
            )
    by_week = _grouped([m for m in counted if m.week is not None], lambda m: (m.week or "",))
    for label, monday in weeks_between(start, end):
        rows.append(_row("week", by_week.get((label,), []), top_reasons, week=(label, monday)))

    return KpiReport(
        start=start,
        end=end,
        tz=tz,
        business_day_hours=business_day_hours,
        generated_at=generated_at,
        rows=tuple(rows),
        cases_missing_opened=missing_opened,
        cases_outside_period=outside,
        top_reasons=top_reasons,
        closed_statuses=tuple(closed_statuses),
    )


def kpis_for_team(
    cases: Sequence[KpiCase],
    events: Mapping[str, Sequence[TimelineEvent]],
    team: TeamSettings,
    calendars: Calendars,
    *,
    start: date,
    end: date,
    generated_at: datetime | None = None,
) -> KpiReport:
    """`compute_kpis` with the calendar, time zone, business day and closed statuses of a team."""
    return compute_kpis(
        cases,
        events,
        calendars.team,
        start=start,
        end=end,
        tz=team.tz,
        business_day_hours=team.business_day_length().total_seconds() / 3600,
        closed_statuses=team.closed_statuses,
        generated_at=generated_at,
    )
