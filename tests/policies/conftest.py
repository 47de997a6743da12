"""Shared fixtures: the shipped policies and team settings, and a case builder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from policies import (
    Calendars,
    CaseFacts,
    Evaluation,
    PolicySet,
    TeamSettings,
    build_calendars,
    evaluate,
    load_policies,
    load_team_settings,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Built once per test session: property tests must not use function-scoped fixtures.
POLICIES = load_policies()
TEAM = load_team_settings()
CALENDARS = build_calendars(TEAM, [])


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware Asia/Shanghai datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def d(text: str) -> date:
    """A date from ISO text."""
    return date.fromisoformat(text)


@pytest.fixture(scope="session")
def policies() -> PolicySet:
    return POLICIES


@pytest.fixture(scope="session")
def team() -> TeamSettings:
    return TEAM


@pytest.fixture(scope="session")
def calendars() -> Calendars:
    return CALENDARS


Evaluate = Callable[..., Evaluation]


@pytest.fixture
def run() -> Evaluate:
    """Evaluate a case built from keyword arguments (defaults: a fresh Yoybuy defect)."""

    def _run(
        *,
        now: datetime,
        policies: PolicySet = POLICIES,
        calendars: Calendars = CALENDARS,
        team: TeamSettings = TEAM,
        **fields: Any,
    ) -> Evaluation:
        fields.setdefault("case_id", "AS-1")
        fields.setdefault("status", "In Progress")
        return evaluate(CaseFacts(**fields), policies, calendars, now, team)

    return _run
