"""Team SLA clocks: due times, elapsed time, pauses, states and the case's SLA state."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from policies import PauseInterval, SlaClock, SlaState, TeamSettings, build_calendars

from .conftest import Evaluate, d, sh

OPENED = sh(2025, 10, 20, 10)  # a Monday


def clock(result_sla: tuple[SlaClock, ...], name: str) -> SlaClock:
    return next(c for c in result_sla if c.name == name)


def base(**fields: object) -> dict[str, object]:
    case: dict[str, object] = {
        "platform": "Yoybuy",
        "issue_type": "Defect",
        "window_start": d("2025-10-18"),
        "opened": OPENED,
    }
    case.update(fields)
    return case


@pytest.mark.parametrize(
    ("now", "state", "elapsed"),
    [
        (sh(2025, 10, 20, 11), SlaState.ON_TRACK, timedelta(hours=1)),
        (sh(2025, 10, 20, 14, 29), SlaState.ON_TRACK, timedelta(hours=2, minutes=59)),
        (sh(2025, 10, 20, 14, 45), SlaState.DUE_SOON, timedelta(hours=3, minutes=15)),
        (sh(2025, 10, 20, 15, 30), SlaState.DUE_SOON, timedelta(hours=4)),
        (sh(2025, 10, 20, 15, 31), SlaState.OVERDUE, timedelta(hours=4, minutes=1)),
    ],
)
def test_first_response_states(
    run: Evaluate, now: datetime, state: SlaState, elapsed: timedelta
) -> None:
    """First response is due 4 business hours after Opened; due soon in its last 25%."""
    result = run(now=now, **base())
    first = clock(result.sla, "first_response")
    assert first.due_at == sh(2025, 10, 20, 15, 30)
    assert first.elapsed == elapsed
    assert first.state is state
    assert result.sla_state is state


def test_met_first_response_closes_that_clock(run: Evaluate) -> None:
    """A first response stops its clock; the case state then comes from the other clocks."""
    result = run(now=sh(2025, 10, 20, 16), **base(first_response_at=sh(2025, 10, 20, 11, 30)))
    first = clock(result.sla, "first_response")
    assert first.state is SlaState.CLOSED
    assert first.met_at == sh(2025, 10, 20, 11, 30)
    assert first.elapsed == timedelta(hours=1, minutes=30)
    assert not first.breached
    assert result.sla_state is SlaState.ON_TRACK


def test_late_first_response_is_marked_breached(run: Evaluate) -> None:
    """A first response after the due time is recorded as a breach."""
    result = run(now=sh(2025, 10, 21, 16), **base(first_response_at=sh(2025, 10, 21, 9, 30)))
    assert clock(result.sla, "first_response").breached


def test_resolution_due_five_business_days(run: Evaluate) -> None:
    """Resolution is due 5 business days (5 x 8 working hours) after Opened."""
    result = run(now=sh(2025, 10, 20, 11), **base())
    resolution = clock(result.sla, "resolution")
    assert resolution.due_at == sh(2025, 10, 27, 10)
    assert resolution.target == timedelta(hours=40)


def test_closed_pause_pushes_due_time(run: Evaluate) -> None:
    """A finished pause is not counted and moves the due time later by the time it covered."""
    pause = PauseInterval(sh(2025, 10, 20, 10, 30), sh(2025, 10, 20, 16))
    result = run(now=sh(2025, 10, 20, 16, 30), **base(pauses=(pause,)))
    first = clock(result.sla, "first_response")
    assert first.due_at == sh(2025, 10, 21, 10)
    assert first.elapsed == timedelta(hours=1)
    assert first.paused == timedelta(hours=4)
    assert first.state is SlaState.ON_TRACK


def test_open_pause_is_paused_state(run: Evaluate) -> None:
    """While Awaiting Customer the clocks show Paused and the due time assumes it ends now."""
    pause = PauseInterval(sh(2025, 10, 20, 10, 30))
    result = run(now=sh(2025, 10, 20, 12), **base(status="Awaiting Customer", pauses=(pause,)))
    first = clock(result.sla, "first_response")
    assert result.sla_state is SlaState.PAUSED
    assert first.state is SlaState.PAUSED
    assert first.due_at == sh(2025, 10, 20, 17)
    assert first.elapsed == timedelta(minutes=30)


def test_paused_status_without_pause_record_is_paused(run: Evaluate) -> None:
    """A paused status alone makes the SLA state Paused."""
    result = run(now=sh(2025, 10, 20, 12), **base(status="awaiting customer"))
    assert result.sla_state is SlaState.PAUSED


@pytest.mark.parametrize("status", ["Resolved", "Closed", " closed "])
def test_closed_status_closes_everything(run: Evaluate, status: str) -> None:
    """A closed status makes the case and every clock Closed."""
    result = run(now=sh(2025, 11, 20, 12), **base(status=status))
    assert result.closed
    assert result.sla_state is SlaState.CLOSED
    assert {c.state for c in result.sla} == {SlaState.CLOSED}


def test_seller_response_not_started_without_request(run: Evaluate) -> None:
    """Without a seller request the seller clock has not started and does not count."""
    result = run(now=sh(2025, 10, 20, 11), **base())
    seller = clock(result.sla, "seller_response")
    assert not seller.started
    assert seller.due_at is None
    assert seller.state is SlaState.ON_TRACK
    assert seller.calendar == "china"


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (sh(2025, 10, 27, 9), SlaState.ON_TRACK),
        (sh(2025, 10, 28, 9), SlaState.DUE_SOON),
        (sh(2025, 10, 28, 15, 1), SlaState.OVERDUE),
    ],
)
def test_seller_response_in_china_business_days(
    run: Evaluate, now: datetime, state: SlaState
) -> None:
    """The seller clock runs 2 whole China business days from the request."""
    result = run(
        now=now,
        **base(first_response_at=sh(2025, 10, 20, 11), seller_requested_at=sh(2025, 10, 24, 15)),
    )
    seller = clock(result.sla, "seller_response")
    assert seller.due_at == sh(2025, 10, 28, 15)
    assert seller.state is state


def test_platform_response_meets_seller_clock(run: Evaluate) -> None:
    """The platform's response stops the seller clock."""
    result = run(
        now=sh(2025, 10, 29, 9),
        **base(seller_requested_at=sh(2025, 10, 24, 15), platform_response_at=sh(2025, 10, 27, 9)),
    )
    seller = clock(result.sla, "seller_response")
    assert seller.state is SlaState.CLOSED
    assert seller.elapsed == timedelta(hours=18)


def test_worst_open_clock_wins(run: Evaluate) -> None:
    """The case's SLA state is the worst of its open clocks."""
    result = run(now=sh(2025, 10, 21, 9, 30), **base())
    assert clock(result.sla, "first_response").state is SlaState.OVERDUE
    assert clock(result.sla, "resolution").state is SlaState.ON_TRACK
    assert result.sla_state is SlaState.OVERDUE


def test_paused_time_is_kept_when_settings_change(run: Evaluate) -> None:
    """Changing SLA targets recomputes due times but keeps every paused interval."""
    pause = PauseInterval(sh(2025, 10, 21, 9), sh(2025, 10, 22, 18, 30))
    now = sh(2025, 10, 23, 10)
    default = run(now=now, **base(pauses=(pause,)))
    team = TeamSettings.model_validate({"sla": {"resolution": "7d"}})
    longer = run(now=now, team=team, calendars=build_calendars(team), **base(pauses=(pause,)))
    before, after = clock(default.sla, "resolution"), clock(longer.sla, "resolution")
    assert before.paused == after.paused == timedelta(hours=16)
    assert before.elapsed == after.elapsed
    assert after.due_at is not None and before.due_at is not None
    assert longer.sla[2].target - default.sla[2].target == timedelta(hours=16)
    assert after.due_at == sh(2025, 10, 31, 10)  # 56h + 16h paused = 9 working days


def test_team_calendar_choice_for_a_clock(run: Evaluate) -> None:
    """An SLA target can name the calendar it runs on."""
    team = TeamSettings.model_validate(
        {"sla": {"first_response": {"target": "1d", "calendar": "china"}}}
    )
    result = run(now=OPENED, team=team, calendars=build_calendars(team), **base())
    first = clock(result.sla, "first_response")
    assert first.calendar == "china"
    assert first.due_at == sh(2025, 10, 21, 10)


def test_cases_opened_at_one_moment_share_their_clocks_and_keep_their_zone(run: Evaluate) -> None:
    """Cases opened at the same moment get one set of clock objects (measured once per sync),
    equal to a case's clocks measured alone; the same instant typed in another zone is measured
    apart and keeps that zone."""
    from datetime import UTC

    calendars = build_calendars(TeamSettings(), [])
    now = sh(2025, 10, 21, 9)
    first = run(now=now, calendars=calendars, **base(case_id="AS-1"))
    second = run(now=now, calendars=calendars, **base(case_id="AS-2", evidence=("photos",)))
    alone = run(now=now, calendars=build_calendars(TeamSettings(), []), **base(case_id="AS-3"))
    assert second.sla is first.sla
    assert first.sla == alone.sla
    assert clock(first.sla, "first_response").due_at == sh(2025, 10, 20, 15, 30)

    in_utc = OPENED.astimezone(UTC)  # the same instant, written in UTC
    third = run(now=now, calendars=calendars, **base(case_id="AS-4", opened=in_utc))
    assert third.sla == first.sla  # equal instants...
    assert third.sla is not first.sla  # ...but not the same objects:
    started = clock(third.sla, "first_response").started_at
    assert started is not None and started.tzinfo is UTC
    assert clock(first.sla, "first_response").started_at.tzinfo is OPENED.tzinfo  # type: ignore[union-attr]
