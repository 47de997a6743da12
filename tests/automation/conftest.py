"""Shared helpers: the shipped policies, realistic cases per platform, hand-made evaluations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from policies import (
    CaseFacts,
    Evaluation,
    SlaClock,
    SlaState,
    build_calendars,
    evaluate,
    load_policies,
    load_team_settings,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
POLICIES = load_policies()
TEAM = load_team_settings()
CALENDARS = build_calendars(TEAM, [])


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware Asia/Shanghai datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


NOW = sh(2025, 10, 10, 10, 0)  # a Friday, working hours


def facts(**fields: Any) -> CaseFacts:
    """A case (default: an open Superbuy defect, opened yesterday, answered an hour later)."""
    fields.setdefault("case_id", "AS-251009-0001")
    fields.setdefault("platform", "Superbuy")
    fields.setdefault("issue_type", "Defect")
    fields.setdefault("item_condition", "New")
    fields.setdefault("opened", sh(2025, 10, 9, 10))
    fields.setdefault("window_start", date(2025, 10, 5))
    fields.setdefault("status", "In Progress")
    if fields["status"] not in (None, "New"):  # someone answered an hour after opening
        fields.setdefault("first_response_at", fields["opened"] + timedelta(hours=1))
    return CaseFacts(**fields)


def run(case: CaseFacts, now: datetime = NOW) -> Evaluation:
    """Evaluate a case with the shipped policies and team settings."""
    return evaluate(case, POLICIES, CALENDARS, now, TEAM)


def clock(
    name: str, state: SlaState, due_at: datetime | None = None, *, started: bool = True
) -> SlaClock:
    """A hand-made SLA clock."""
    return SlaClock(
        name=name,
        target=timedelta(hours=4),
        started_at=sh(2025, 10, 1, 9) if started else None,
        due_at=due_at,
        elapsed=timedelta(hours=1),
        met_at=None,
        state=state,
    )


BASE_EV = Evaluation(
    case_id="AS-251009-0001",
    platform="superbuy",
    policy_ref="superbuy@2025.1",
    return_deadline=sh(2025, 11, 4, 23, 59),
    return_deadline_date=date(2025, 11, 4),
    days_left=25,
    in_window_at_opened=True,
    exception_needed=False,
    exception_reasons=(),
    missing_evidence=(),
    refund_kinds=("full_refund_after_inspection",),
    sla=(),
    sla_state=SlaState.ON_TRACK,
    closed=False,
)


def ev(**changes: Any) -> Evaluation:
    """A hand-made evaluation: an open case on track with 25 days left, unless changed."""
    return replace(BASE_EV, **changes)


# One realistic open case per platform, with the row values a sheet would hold.
PLATFORM_CASES: dict[str, tuple[CaseFacts, dict[str, object]]] = {
    "superbuy": (
        facts(platform="Superbuy", issue_type="Not as Described", item_condition="Unused"),
        {"customer": "Emma Wilson", "order_no": "SB20251001-778", "assignee": "Chen"},
    ),
    "bhiner": (
        facts(
            case_id="AS-251009-0002",
            platform="Bhiner",
            issue_type="Defect",
            item_condition="Used",
            evidence=("photos",),
        ),
        {"customer": "王芳", "order_no": "BH-88213", "assignee": "Li", "currency": "CNY"},
    ),
    "yoybuy": (
        facts(
            case_id="AS-251009-0003",
            platform="Yoybuy",
            issue_type="Wrong Size",
            item_condition="New",
            window_start=date(2025, 10, 8),
        ),
        {"customer": "Lucas Martin", "order_no": 4411920, "refund_amount": 35, "currency": "USD"},
    ),
}
