"""Building a KpiCase from a synced row's values and its evaluation."""

from __future__ import annotations

from datetime import date, datetime

from app.analytics import kpi_case
from policies import CaseFacts, evaluate, load_policies

from .conftest import CALENDARS, TEAM, TZ

POLICIES = load_policies()
NOW = datetime(2025, 10, 20, 12, 0, tzinfo=TZ)


def test_kpi_case_takes_reasons_closed_and_due_from_the_evaluation() -> None:
    """Exception reasons, closed and the resolution due time come from the Evaluation."""
    opened = datetime(2025, 10, 15, 10, 0, tzinfo=TZ)
    facts = CaseFacts(
        case_id="AS-1",
        platform="bhiner",
        issue_type="Defect",
        item_condition="Used",
        opened=opened,
        window_start=date(2025, 9, 1),
        status="Resolved",
        video_proof=False,
        resolved_at=datetime(2025, 10, 17, 10, 0, tzinfo=TZ),
        outcome="Partial Refund",
        policy_exception=True,
    )
    ev = evaluate(facts, POLICIES, CALENDARS, NOW, TEAM)
    assert ev.exception_reasons  # out of window and no video
    values = {
        "platform": "bhiner",
        "assignee": "  Li Lei ",
        "opened": opened.replace(tzinfo=None),  # naive: the team's wall clock
        "first_response_at": None,
        "status": "Resolved",
        "outcome": "Partial Refund",
        "csat": 4,
        "policy_exception": True,
    }
    case = kpi_case("AS-1", values, ev, tz=TZ, platform_name=POLICIES.display_name)
    resolution = next(c for c in ev.sla if c.name == "resolution")
    assert case.platform == "Bhiner"
    assert case.assignee == "Li Lei"
    assert case.opened == opened and case.opened.tzinfo is not None
    assert case.exception_reasons == ev.exception_reasons
    assert case.closed is True
    assert resolution.due_at is not None
    assert case.resolution_due == resolution.due_at
    assert (case.csat, case.policy_exception, case.outcome) == (4, True, "Partial Refund")


def test_kpi_case_without_an_evaluation_reads_the_row() -> None:
    """A row that could not be evaluated keeps its sheet values and is closed by its status."""
    values = {"platform": "Somewhere", "status": "closed", "csat": "5", "policy_exception": "Yes"}
    case = kpi_case("AS-2", values, None, tz=TZ, platform_name=POLICIES.display_name)
    assert case.platform == "Somewhere"
    assert case.closed is True
    assert (case.csat, case.policy_exception, case.exception_reasons) == (None, None, ())
    assert case.resolution_due is None and case.opened is None
