"""Shared KPI test helpers: the shipped team settings and calendar, and a compute shortcut."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from app.analytics import KpiCase, KpiReport, compute_kpis
from app.store import TimelineEvent
from policies import build_calendars, load_team_settings

TEAM = load_team_settings()
CALENDARS = build_calendars(TEAM, [])
TZ = TEAM.tz


def compute(
    cases: Sequence[KpiCase],
    events: Mapping[str, Sequence[TimelineEvent]] | None = None,
    *,
    start: date = date(2025, 9, 1),
    end: date = date(2025, 11, 29),
    generated_at: datetime | None = None,
) -> KpiReport:
    """`compute_kpis` on the team calendar (8-hour business day) of the shipped settings."""
    return compute_kpis(
        cases,
        events or {},
        CALENDARS.team,
        start=start,
        end=end,
        tz=TZ,
        business_day_hours=8.0,
        closed_statuses=TEAM.closed_statuses,
        generated_at=generated_at,
    )
