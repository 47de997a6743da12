"""The fixed data set's KPIs match a second, independent computation for every grouping."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from app.analytics import GROUP_KINDS, GroupKind, KpiRow, default_period
from policies import DayKind

from . import dataset, reference
from .conftest import CALENDARS, TZ, compute

DATA = dataset.build()
REPORT = compute(DATA.cases, DATA.events, start=dataset.START, end=dataset.END)
EXPECTED = reference.expected(DATA.cases, DATA.events, dataset.START, dataset.END)
FIELDS = tuple(next(iter(EXPECTED["all"].values())))


def _same(actual: object, wanted: object) -> bool:
    if isinstance(wanted, float) and isinstance(actual, float):
        return math.isclose(actual, wanted, rel_tol=0, abs_tol=1e-9)
    return actual == wanted


def _compare(row: KpiRow, wanted: dict[str, object]) -> list[str]:
    got = row.as_json()
    return [
        f"{name}: got {got[name]!r}, expected {wanted[name]!r}"
        for name in FIELDS
        if not _same(got[name], wanted[name])
    ]


def test_data_set_has_what_the_issue_asks_for() -> None:
    """The data set has 60+ cases with re-opens, a double re-open, gaps and sparse CSAT."""
    in_period = [c for c in DATA.cases if reference.in_period(c, dataset.START, dataset.END)]
    measured = [reference.measure(c, DATA.events[c.case_id]) for c in in_period]
    assert len(in_period) >= 60
    assert sum(1 for m in measured if m.reopened) >= 3
    assert sum(1 for c in in_period if c.opened is None) == 3
    assert sum(1 for m in measured if m.assignee == "(unassigned)") >= 5
    assert 0 < sum(1 for c in in_period if c.csat is not None) < len(in_period) // 2 + 10
    assert sum(1 for m in measured if m.reasons) >= 5
    assert len({c.platform for c in in_period}) == 4  # three platforms and a blank
    assert len({m.week for m in measured}) >= 10
    reopen_2 = [e for e in DATA.events["REOPEN-2"] if e.kind == "reopened"]
    assert len(reopen_2) == 2


def test_hand_typed_holidays_agree_with_the_team_calendar() -> None:
    """The reference's typed-in days off and make-up days are the team calendar's, Sep-Jan."""
    day = date(2025, 8, 25)
    while day <= date(2026, 1, 31):
        kind = CALENDARS.team.rules.day_kind(day)
        assert (day in reference.DAYS_OFF) == (kind is DayKind.DAY_OFF), day
        assert (day in reference.MAKEUP_DAYS) == (kind is DayKind.WORKING_DAY), day
        day += timedelta(days=1)


def test_timelines_stay_inside_the_hand_typed_calendar() -> None:
    """Every Timeline entry falls before February 2026, where the typed-in days stop."""
    last = max(e.at for events in DATA.events.values() for e in events)
    assert last < datetime(2026, 2, 1, tzinfo=UTC)


def test_the_reference_checks_every_metric() -> None:
    """The reference computes every metric field of a KPI row (all but the group keys)."""
    keys = {"group", "platform", "assignee", "week", "week_start"}
    assert set(FIELDS) == set(REPORT.overall.as_json()) - keys


@pytest.mark.parametrize("kind", GROUP_KINDS)
def test_every_group_matches_the_reference(kind: GroupKind) -> None:
    """Each grouping has exactly the reference's groups, and every metric of each matches."""
    rows = {r.key: r for r in REPORT.group(kind)}
    assert set(rows) == set(EXPECTED[kind])
    problems = {key: _compare(rows[key], wanted) for key, wanted in EXPECTED[kind].items()}
    assert {k: v for k, v in problems.items() if v} == {}


def test_groups_partition_the_counted_cases() -> None:
    """Platform, assignee and pair rows add up to the total; weeks add up to cases with Opened."""
    total = REPORT.overall.cases
    assert total == 70
    kinds: tuple[GroupKind, ...] = ("platform", "assignee", "platform_assignee")
    for kind in kinds:
        assert sum(r.cases for r in REPORT.group(kind)) == total
    assert sum(r.cases for r in REPORT.group("week")) == total - 3
    assert REPORT.cases_missing_opened == 3
    assert REPORT.cases_outside_period == 2


def test_weeks_cover_the_period_in_order() -> None:
    """Week rows are every ISO week touching the period, oldest first, labelled by Monday."""
    weeks = REPORT.group("week")
    assert weeks[0].week == "2025-W36" and weeks[0].week_start == date(2025, 9, 1)
    assert weeks[-1].week == "2025-W48" and weeks[-1].week_start == date(2025, 11, 24)
    starts = [w.week_start for w in weeks if w.week_start is not None]
    assert len(starts) == len(weeks) and starts == sorted(starts)
    assert len(weeks) == 13


def test_the_default_period_is_the_last_90_days() -> None:
    """On 29 November 2025 (Shanghai) the default period is 1 September - 29 November."""
    assert default_period(dataset.NOW, TZ) == (dataset.START, dataset.END)


def test_labels_sort_with_blanks_last() -> None:
    """Platforms and assignees are listed alphabetically, the blank group last."""
    platforms = [r.platform for r in REPORT.group("platform")]
    assert platforms == ["Bhiner", "Superbuy", "Yoybuy", "(no platform)"]
    assignees = [r.assignee for r in REPORT.group("assignee")]
    assert assignees == ["Chen Jie", "Li Lei", "Wang Fang", "(unassigned)"]


def test_top_reasons_are_counted_per_case() -> None:
    """The top reasons of all cases count each approved exception case once per reason."""
    counts: Counter[str] = Counter()
    for case in DATA.cases:
        if case.policy_exception is True and reference.in_period(case, dataset.START, dataset.END):
            counts.update(set(case.exception_reasons))
    top = REPORT.overall.top_exception_reasons
    assert list(top) == sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    assert sum(n for _, n in top) >= REPORT.overall.exceptions


def test_report_is_plain_json() -> None:
    """The report's JSON form survives json.dumps and keeps every grouping."""
    import json

    data = json.loads(json.dumps(REPORT.as_json()))
    assert set(data["groups"]) == set(GROUP_KINDS)
    assert data["start"] == "2025-09-01" and data["timezone"] == "Asia/Shanghai"
