"""KPI edge cases, each with figures worked out by hand on the 09:00-12:00 / 13:30-18:30 week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.analytics import NO_PLATFORM, UNASSIGNED, KpiCase, KpiReport, compute_kpis
from app.store import CellValue, TimelineEvent

from . import dataset
from .conftest import CALENDARS, TZ, compute
from .dataset import local, timeline

SPECIAL = dataset.build()


def _one(case: KpiCase, steps: list[tuple[str, datetime]] | None = None) -> KpiReport:
    events = {case.case_id: timeline(case.case_id, steps)} if steps else {}
    return compute([case], events)


def _only(case_id: str) -> KpiCase:
    return next(c for c in SPECIAL.cases if c.case_id == case_id)


def _alone(case_id: str) -> KpiReport:
    """The report of a single case of the data set, with its Timeline."""
    return compute([_only(case_id)], {case_id: SPECIAL.events[case_id]})


# -- hand-computed figures --------------------------------------------------------------------


def test_reopened_twice_counts_once_and_resolves_at_the_last_close() -> None:
    """REOPEN-2 (opened Mon 20 Oct 10:00, closed for the last time Mon 27 Oct 11:00) is one
    re-opened case with 41 business hours = 5.125 business days, past its due time."""
    row = _alone("REOPEN-2").overall
    assert (row.closed, row.reopened, row.reopened_pct) == (1, 1, 1.0)
    # 20 Oct: 10-12 and 13:30-18:30 = 7 h; 21-24 Oct: 4 x 8 h; 27 Oct: 09-11 = 2 h.
    assert row.resolution_median_days == 41 / 8 == 5.125
    assert (row.sla_measured, row.within_sla, row.within_sla_rate) == (1, 0, 0.0)
    assert row.frt_median_hours == 1.0  # New -> In Progress at 11:00
    assert (row.resolved_in_favour, row.resolution_rate) == (1, 1.0)
    assert row.top_exception_reasons == (("missing evidence: video_proof", 1),)


def test_legacy_reopen_from_a_plain_status_change_and_a_makeup_sunday() -> None:
    """LEGACY leaves Resolved by a plain status change (a re-open) and resolves again on Mon
    29 Sep: 4.5 + 32 + 40 + 8 (make-up Sun 28 Sep) + 6.5 = 91 h = 11.375 business days."""
    row = _alone("LEGACY").overall
    assert row.reopened == 1
    assert row.resolution_median_days == 91 / 8
    assert row.frt_median_hours == 5.5  # 14:00-18:30 on 15 Sep, 09:00-10:00 on 16 Sep
    assert row.within_sla_rate == 1.0


def test_first_response_over_national_day() -> None:
    """Opened Tue 30 Sep 18:00, answered Thu 9 Oct 09:30: 0.5 h + 1-8 Oct off + 0.5 h = 1 h."""
    case = KpiCase(
        "ND",
        "Yoybuy",
        "Li Lei",
        local(2025, 9, 30, 18, 0),
        first_response_at=local(2025, 10, 9, 9, 30),
    )
    row = _one(case).overall
    assert (row.frt_measured, row.frt_median_hours, row.frt_p90_hours) == (1, 1.0, 1.0)


def test_first_response_into_a_makeup_saturday() -> None:
    """Opened Fri 10 Oct 17:00, the case leaves New on Sat 11 Oct (worked) at 10:00: 2.5 h."""
    opened = local(2025, 10, 10, 17, 0)
    case = KpiCase("MK", "Bhiner", "Chen Jie", opened)
    steps = [("New", opened), ("In Progress", local(2025, 10, 11, 10, 0))]
    assert _one(case, steps).overall.frt_median_hours == 2.5


def test_first_response_at_wins_over_the_timeline() -> None:
    """A typed First Response At is used even when the Timeline shows a later move from New."""
    opened = local(2025, 11, 3, 9, 0)
    case = KpiCase("FR", "Bhiner", "Chen Jie", opened, first_response_at=local(2025, 11, 3, 9, 30))
    steps = [("New", opened), ("In Progress", local(2025, 11, 4, 9, 0))]
    assert _one(case, steps).overall.frt_median_hours == 0.5


def test_a_response_typed_before_opened_counts_as_zero() -> None:
    """EARLY-REPLY's First Response At is an hour before Opened: 0 business hours."""
    assert _alone("EARLY-REPLY").overall.frt_median_hours == 0.0


def test_a_case_first_seen_closed_has_no_resolution_time() -> None:
    """IMPORTED was already Closed when first seen: closed, but no resolution time or SLA."""
    row = _alone("IMPORTED").overall
    assert (row.closed, row.resolution_measured, row.resolution_median_days) == (1, 0, None)
    assert (row.sla_measured, row.within_sla_rate) == (0, None)
    assert row.reopened == 0


def test_reopened_and_still_open_is_not_yet_counted() -> None:
    """A case re-opened and still open is not a closed case, so it is in neither count."""
    opened = local(2025, 10, 20, 9, 0)
    case = KpiCase("RO", "Bhiner", "Li Lei", opened, status="In Progress")
    steps = [
        ("New", opened),
        ("Resolved", local(2025, 10, 20, 10, 0)),
        ("In Progress", local(2025, 10, 21, 10, 0)),
    ]
    row = _one(case, steps).overall
    assert (row.closed, row.reopened, row.reopened_pct) == (0, 0, None)


# -- the edge cases the issue names -----------------------------------------------------------


def test_no_closed_cases_gives_undefined_rates() -> None:
    """With only open cases, every over-closed-cases figure is None, not 0."""
    cases = [
        KpiCase("A", "Yoybuy", "Li Lei", local(2025, 10, 20, 9, 0), csat=4),
        KpiCase("B", "Yoybuy", None, local(2025, 10, 21, 9, 0)),
    ]
    row = compute(cases).overall
    assert (row.cases, row.closed, row.resolved_in_favour, row.reopened) == (2, 0, 0, 0)
    assert row.resolution_rate is None
    assert row.within_sla_rate is None
    assert row.reopened_pct is None
    assert row.resolution_median_days is None
    assert row.exception_pct == 0.0
    assert row.csat_mean == 4.0


def test_no_csat_answers() -> None:
    """Without answers CSAT mean and share are None and the answer count is 0."""
    row = compute([KpiCase("A", "Yoybuy", "Li Lei", local(2025, 10, 20, 9, 0))]).overall
    assert (row.csat_answers, row.csat_mean, row.csat_share_4_5) == (0, None, None)


def test_csat_ignores_values_outside_one_to_five() -> None:
    """Only whole scores 1-5 are answers; a 0, a 7 or a True are not."""
    opened = local(2025, 10, 20, 9, 0)
    cases = [
        KpiCase("A", csat=5, opened=opened),
        KpiCase("B", csat=3, opened=opened),
        KpiCase("C", csat=0, opened=opened),
        KpiCase("D", csat=7, opened=opened),
        KpiCase("E", csat=True, opened=opened),
    ]
    row = compute(cases).overall
    assert (row.csat_answers, row.csat_mean, row.csat_share_4_5) == (2, 4.0, 0.5)


def test_missing_opened_counts_in_totals_but_not_in_weeks_or_times() -> None:
    """A case without Opened is in all/platform/assignee rows, in no week, and has no times."""
    seen = local(2025, 10, 9, 9, 0)
    case = KpiCase("X", "Superbuy", "Li Lei", None, status="Resolved", closed=True, csat=5)
    steps = [
        ("New", seen),
        ("In Progress", seen + timedelta(hours=1)),
        ("Resolved", seen + timedelta(days=1)),
    ]
    report = _one(case, steps)
    row = report.overall
    assert (row.cases, row.closed, row.csat_answers) == (1, 1, 1)
    assert (row.frt_measured, row.resolution_measured) == (0, 0)
    superbuy = report.row("platform", platform="Superbuy")
    assert superbuy is not None and superbuy.cases == 1
    assert sum(w.cases for w in report.group("week")) == 0
    assert report.cases_missing_opened == 1


def test_missing_assignee_and_platform_are_grouped_under_labels() -> None:
    """Blank Assignee is "(unassigned)", blank Platform "(no platform)"; spacing is tidied."""
    opened = local(2025, 10, 20, 9, 0)
    cases = [
        KpiCase("A", None, None, opened),
        KpiCase("B", "Bhiner", "   ", opened),
        KpiCase("C", " Bhiner ", "Li  Lei", opened),
        KpiCase("D", "Bhiner", "Li Lei", opened),
    ]
    report = compute(cases)
    assert [(r.assignee, r.cases) for r in report.group("assignee")] == [
        ("Li Lei", 2),
        (UNASSIGNED, 2),
    ]
    assert [(r.platform, r.cases) for r in report.group("platform")] == [
        ("Bhiner", 3),
        (NO_PLATFORM, 1),
    ]
    pairs = [(r.platform, r.assignee, r.cases) for r in report.group("platform_assignee")]
    assert pairs == [
        ("Bhiner", "Li Lei", 2),
        ("Bhiner", UNASSIGNED, 1),
        (NO_PLATFORM, UNASSIGNED, 1),
    ]


def test_time_zones_across_midnight_pick_the_shanghai_week() -> None:
    """Sunday 23:30 UTC is Monday in Shanghai (W42); Saturday 23:59 Shanghai stays in W41."""
    sunday_utc = _only("TZ-SUN").opened
    assert sunday_utc is not None and sunday_utc.weekday() == 6
    alone_sun = _alone("TZ-SUN")
    assert [w.week for w in alone_sun.group("week") if w.cases] == ["2025-W42"]
    alone_sat = _alone("TZ-SAT")
    assert [w.week for w in alone_sat.group("week") if w.cases] == ["2025-W41"]
    # TZ-SUN: 07:30 Monday -> 09:45 is 0.75 h; resolved Tue 16:00 = 8 + 5.5 h = 1.6875 days.
    row = alone_sun.overall
    assert (row.frt_median_hours, row.resolution_median_days) == (0.75, 13.5 / 8)
    # TZ-SAT: Saturday 23:59 is after the make-up day's hours: first response Mon 11:00 = 2 h.
    assert alone_sat.overall.frt_median_hours == 2.0


def test_time_zones_across_midnight_decide_the_period() -> None:
    """00:30 on 1 Sep in Shanghai is in the period, 23:30 on 31 Aug and 00:10 on 30 Nov are not."""
    ids = {"TZ-START", "TZ-BEFORE", "TZ-AFTER"}
    cases = [c for c in SPECIAL.cases if c.case_id in ids]
    report = compute(cases, SPECIAL.events)
    assert report.overall.cases == 1
    assert report.cases_outside_period == 2
    assert report.group("week")[0].cases == 1 and report.group("week")[0].week == "2025-W36"
    # 00:30 Mon 1 Sep -> 10:00 is 1 h; closed Fri 5 Sep 17:00 = 32 + 6.5 h = 4.8125 days.
    assert report.overall.frt_median_hours == 1.0
    assert report.overall.resolution_median_days == 38.5 / 8
    # The same instants, grouped in UTC instead, move TZ-START into August.
    in_utc = compute_kpis(
        cases,
        SPECIAL.events,
        CALENDARS.team,
        start=date(2025, 9, 1),
        end=date(2025, 11, 29),
        tz=UTC,
        business_day_hours=8.0,
    )
    assert in_utc.overall.cases == 1
    assert in_utc.cases_outside_period == 2
    last_week = in_utc.row("week", week="2025-W48")
    assert last_week is not None and last_week.cases == 1


def test_no_cases_at_all() -> None:
    """An empty period still has an "all" row and its week rows, with counts 0 and no rates."""
    report = compute([], start=date(2025, 10, 1), end=date(2025, 10, 14))
    assert report.overall.cases == 0 and report.overall.exception_pct is None
    assert [w.week for w in report.group("week")] == ["2025-W40", "2025-W41", "2025-W42"]
    assert report.group("platform") == () and report.group("assignee") == ()


def test_exceptions_need_both_a_reason_and_approval() -> None:
    """Only cases with exception reasons and Policy Exception = Yes count as exceptions."""
    opened = local(2025, 10, 20, 9, 0)
    why = ("opened after return window",)
    cases = [
        KpiCase("A", opened=opened, policy_exception=True, exception_reasons=why),
        KpiCase("B", opened=opened, policy_exception=False, exception_reasons=why),
        KpiCase("C", opened=opened, policy_exception=None, exception_reasons=why),
        KpiCase("D", opened=opened, policy_exception=True),
    ]
    row = compute(cases).overall
    assert (row.exceptions, row.exception_pct) == (1, 0.25)
    assert row.top_exception_reasons == (("opened after return window", 1),)


def test_top_reasons_ties_break_alphabetically_and_stop_at_three() -> None:
    """Reasons are ordered by count, then alphabetically, and only the top three are kept."""
    opened = local(2025, 10, 20, 9, 0)
    reasons = [("d", "c"), ("c", "b"), ("a",), ("b", "a", "b"), ("e",)]
    cases = [
        KpiCase(f"C{i}", opened=opened, policy_exception=True, exception_reasons=r)
        for i, r in enumerate(reasons)
    ]
    row = compute(cases).overall
    assert row.top_exception_reasons == (("a", 2), ("b", 2), ("c", 2))


def test_outcomes_in_the_customers_favour() -> None:
    """Refunds, store credit, exchange and reship count in favour; Rejected, Withdrawn, blank
    do not; outcomes are matched ignoring case and spacing; open cases never count."""
    opened = local(2025, 10, 20, 9, 0)
    outcomes = ["full refund", "Partial Refund", "StoreCredit", "Exchange", "Reship"]
    cases = [
        KpiCase(f"F{i}", opened=opened, outcome=o, closed=True) for i, o in enumerate(outcomes)
    ]
    cases += [
        KpiCase("R", opened=opened, outcome="Rejected", closed=True),
        KpiCase("W", opened=opened, outcome="Withdrawn", closed=True),
        KpiCase("N", opened=opened, outcome=None, closed=True),
        KpiCase("O", opened=opened, outcome="Full Refund", closed=False),
    ]
    row = compute(cases).overall
    assert (row.closed, row.resolved_in_favour, row.resolution_rate) == (8, 5, 5 / 8)


def test_within_sla_counts_a_close_exactly_at_the_due_time() -> None:
    """A close at the due instant is within the SLA; one minute later is not."""
    opened = local(2025, 10, 20, 9, 0)
    close = local(2025, 10, 22, 9, 0)
    steps = [("New", opened), ("Resolved", close)]
    on_time = KpiCase("A", opened=opened, closed=True, resolution_due=close)
    late = KpiCase("B", opened=opened, closed=True, resolution_due=close - timedelta(minutes=1))
    events = {"A": timeline("A", steps), "B": timeline("B", steps)}
    row = compute([on_time, late], events).overall
    assert (row.sla_measured, row.within_sla, row.within_sla_rate) == (2, 1, 0.5)
    assert row.resolution_median_days == 2.0


def test_unknown_and_unrelated_timeline_entries_are_ignored() -> None:
    """Evidence and platform-response entries, and entries of other cases, change nothing."""
    opened = local(2025, 10, 20, 9, 0)
    case = KpiCase("A", opened=opened, closed=True)
    steps = [("New", opened), ("In Progress", opened + timedelta(hours=1))]
    steps.append(("Closed", opened + timedelta(hours=3)))
    base = compute([case], {"A": timeline("A", steps)}).overall
    noisy_events = timeline("A", steps, extras=True)
    data: dict[str, CellValue] = {"to": "Resolved", "from": "New"}
    other = TimelineEvent("Z/1", "Z", "status_changed", opened, "", data)
    noisy = compute([case], {"A": noisy_events, "Z": [other]}).overall
    assert noisy == base
    assert base.frt_median_hours == 1.0 and base.resolution_median_days == 3 / 8


# -- input checks -----------------------------------------------------------------------------


def test_inputs_are_checked() -> None:
    """Naive datetimes, a period ending before it starts and duplicate ids are refused."""
    with pytest.raises(ValueError, match="timezone-aware"):
        KpiCase("A", opened=datetime(2025, 10, 1, 9, 0))
    with pytest.raises(ValueError, match="before it starts"):
        compute([], start=date(2025, 10, 2), end=date(2025, 10, 1))
    twice = [KpiCase("A"), KpiCase("A")]
    with pytest.raises(ValueError, match="given twice"):
        compute(twice)
    with pytest.raises(ValueError, match="business_day_hours"):
        compute_kpis(
            [],
            {},
            CALENDARS.team,
            start=date(2025, 10, 1),
            end=date(2025, 10, 1),
            tz=TZ,
            business_day_hours=0,
        )
