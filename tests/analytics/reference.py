"""A second, deliberately simple KPI computation to check `compute_kpis` against.

Shares nothing with app.analytics but the input records: Shanghai is taken as a fixed UTC+8
(no zoneinfo), the working week is written out (Mon-Fri 09:00-12:00 and 13:30-18:30) with the
2025/2026 official days typed in by hand, statuses are walked as a plain list, and the
median / percentile are written from their textbook definitions with plain loops.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.analytics import KpiCase
from app.store import TimelineEvent

UTC8 = timedelta(hours=8)
DAYS_OFF = {
    date(2025, 10, 1),
    date(2025, 10, 2),
    date(2025, 10, 3),
    date(2025, 10, 6),
    date(2025, 10, 7),
    date(2025, 10, 8),
    date(2026, 1, 1),
    date(2026, 1, 2),
}
MAKEUP_DAYS = {date(2025, 9, 28), date(2025, 10, 11), date(2026, 1, 4)}
SLOTS = ((9, 0, 12, 0), (13, 30, 18, 30))
CLOSED = ("resolved", "closed")
FAVOUR = ("Full Refund", "Partial Refund", "Store Credit", "Exchange", "Reship")


def wall(moment: datetime) -> datetime:
    """Naive Shanghai wall-clock time."""
    return moment.astimezone(UTC).replace(tzinfo=None) + UTC8


def working(day: date) -> bool:
    if day in DAYS_OFF:
        return False
    return day.weekday() < 5 or day in MAKEUP_DAYS


def business_minutes(start: datetime, end: datetime) -> float:
    a, b = wall(start), wall(end)
    total = 0.0
    day = a.date()
    while day <= b.date():
        if working(day):
            for h1, m1, h2, m2 in SLOTS:
                s = datetime(day.year, day.month, day.day, h1, m1)
                e = datetime(day.year, day.month, day.day, h2, m2)
                lo = s if s > a else a
                hi = e if e < b else b
                if hi > lo:
                    total += (hi - lo).total_seconds() / 60
        day += timedelta(days=1)
    return total


def middle(values: list[float]) -> float | None:
    xs = sorted(values)
    n = len(xs)
    if n == 0:
        return None
    if n % 2 == 1:
        return xs[n // 2]
    return (xs[n // 2 - 1] + xs[n // 2]) / 2


def p90(values: list[float]) -> float | None:
    """Linear interpolation between closest ranks: position 0.9 * (n - 1), in tenths."""
    xs = sorted(values)
    n = len(xs)
    if n == 0:
        return None
    tenths = 9 * (n - 1)
    lo, rest = tenths // 10, tenths % 10
    if rest == 0:
        return xs[lo]
    return xs[lo] + (xs[lo + 1] - xs[lo]) * rest / 10


def label(text: str | None, blank: str) -> str:
    words = (text or "").split()
    return " ".join(words) if words else blank


@dataclass(frozen=True)
class Measured:
    platform: str
    assignee: str
    week: str | None
    frt: float | None
    closed: bool
    favour: bool
    within: bool | None
    reopened: bool
    csat: int | None
    reasons: list[str]
    resolution: float | None
    seller_missed: bool | None = None


def measure(case: KpiCase, events: list[TimelineEvent]) -> Measured:
    """Everything about one case, the simple way."""
    ordered = sorted(events, key=lambda e: e.at)
    statuses: list[tuple[datetime, str, str]] = []  # (at, kind, status)
    for e in ordered:
        if e.kind == "created":
            statuses.append((e.at, e.kind, str(e.data["status"])))
        elif e.kind in ("status_changed", "reopened"):
            statuses.append((e.at, e.kind, str(e.data["to"])))
    left_new = None
    for i in range(1, len(statuses)):
        if statuses[i - 1][2] == "New" and statuses[i][2] != "New":
            left_new = statuses[i][0]
            break
    reopens = 0
    last_close = None
    for i in range(1, len(statuses)):
        was = statuses[i - 1][2].lower() in CLOSED
        now = statuses[i][2].lower() in CLOSED
        if statuses[i][1] == "reopened" or (was and not now):
            reopens += 1
        if now and not was:
            last_close = statuses[i][0]

    frt = None
    response = case.first_response_at or left_new
    if case.opened is not None and response is not None:
        frt = business_minutes(case.opened, response) / 60
    resolution = None
    within = None
    if case.closed and last_close is not None:
        if case.opened is not None:
            resolution = business_minutes(case.opened, last_close) / 60 / 8
        if case.resolution_due is not None:
            within = last_close <= case.resolution_due
    week = None
    if case.opened is not None:
        y, w, _ = wall(case.opened).date().isocalendar()
        week = f"{y}-W{w:02d}"
    reasons: list[str] = []
    if case.policy_exception is True:
        for r in case.exception_reasons:
            if r not in reasons:
                reasons.append(r)
    csat = case.csat if case.csat in (1, 2, 3, 4, 5) and not isinstance(case.csat, bool) else None
    return Measured(
        platform=label(case.platform, "(no platform)"),
        assignee=label(case.assignee, "(unassigned)"),
        week=week,
        frt=frt,
        closed=case.closed,
        favour=case.closed and case.outcome in FAVOUR,
        within=within,
        reopened=case.closed and reopens > 0,
        csat=csat,
        reasons=reasons,
        resolution=resolution,
        seller_missed=case.seller_window_missed,
    )


def in_period(case: KpiCase, start: date, end: date) -> bool:
    return case.opened is None or start <= wall(case.opened).date() <= end


def metrics(members: list[Measured]) -> dict[str, object]:
    """The metrics of one group, with plain loops."""
    frt: list[float] = []
    closed = favour = reopened = within = sla = exceptions = 0
    csat: list[int] = []
    resolution: list[float] = []
    counts: dict[str, int] = {}
    seller_windows = seller_missed = 0
    for m in members:
        if m.seller_missed is not None:
            seller_windows += 1
            if m.seller_missed:
                seller_missed += 1
        if m.frt is not None:
            frt.append(m.frt)
        if m.csat is not None:
            csat.append(m.csat)
        if m.reasons:
            exceptions += 1
            for r in m.reasons:
                counts[r] = counts.get(r, 0) + 1
        if m.closed:
            closed += 1
            if m.favour:
                favour += 1
            if m.reopened:
                reopened += 1
            if m.within is not None:
                sla += 1
                if m.within:
                    within += 1
            if m.resolution is not None:
                resolution.append(m.resolution)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    n = len(members)
    high = len([s for s in csat if s >= 4])
    return {
        "cases": n,
        "frt_measured": len(frt),
        "frt_median_hours": middle(frt),
        "frt_p90_hours": p90(frt),
        "closed": closed,
        "resolved_in_favour": favour,
        "resolution_rate": favour / closed if closed else None,
        "sla_measured": sla,
        "within_sla": within,
        "within_sla_rate": within / sla if sla else None,
        "reopened": reopened,
        "reopened_pct": reopened / closed if closed else None,
        "csat_answers": len(csat),
        "csat_mean": sum(csat) / len(csat) if csat else None,
        "csat_share_4_5": high / len(csat) if csat else None,
        "exceptions": exceptions,
        "exception_pct": exceptions / n if n else None,
        "top_exception_reasons": [[r, c] for r, c in top],
        "resolution_measured": len(resolution),
        "resolution_median_days": middle(resolution),
        "seller_windows": seller_windows,
        "seller_window_missed": seller_missed,
    }


def expected(
    cases: list[KpiCase], events: dict[str, list[TimelineEvent]], start: date, end: date
) -> dict[str, dict[tuple[str, ...], dict[str, object]]]:
    """Expected metrics by grouping kind and group key."""
    measured = [measure(c, events.get(c.case_id, [])) for c in cases if in_period(c, start, end)]
    groups: dict[str, dict[tuple[str, ...], list[Measured]]] = {
        "all": {(): measured},
        "platform": {},
        "assignee": {},
        "platform_assignee": {},
        "week": {},
    }
    day = start
    while day <= end:
        y, w, _ = day.isocalendar()
        groups["week"].setdefault((f"{y}-W{w:02d}",), [])
        day += timedelta(days=1)
    for m in measured:
        groups["platform"].setdefault((m.platform,), []).append(m)
        groups["assignee"].setdefault((m.assignee,), []).append(m)
        groups["platform_assignee"].setdefault((m.platform, m.assignee), []).append(m)
        if m.week is not None:
            groups["week"][(m.week,)].append(m)
    return {
        kind: {key: metrics(members) for key, members in by_key.items()}
        for kind, by_key in groups.items()
    }
