"""Validity horizons: the earliest instant at which a case's outputs could change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from policies import SlaClock, SlaState
from policies.horizon import HorizonBasis, moments_in, offsets_in, validity_horizon

NOW = datetime(2025, 10, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def basis(
    offsets: tuple[timedelta, ...] = (), zones: tuple[ZoneInfo, ...] = (), fraction: float = 0.25
) -> HorizonBasis:
    return HorizonBasis.of(NOW, offsets, zones, (), fraction)


def clock(state: SlaState, elapsed: timedelta, target: timedelta = timedelta(hours=24)) -> SlaClock:
    start = datetime(2025, 10, 9, 1, 0, tzinfo=UTC)
    return SlaClock(
        name="resolution",
        target=target,
        started_at=start,
        due_at=start + timedelta(days=3),
        elapsed=elapsed,
        met_at=None,
        state=state,
    )


def test_next_midnight_in_the_team_zone_moves_days_left() -> None:
    """With nothing else pending, a Shanghai team's cases stay valid until midnight there."""
    assert validity_horizon(basis(zones=(SHANGHAI,)), ()) == datetime(
        2025, 10, 10, 16, 0, tzinfo=UTC
    )  # 2025-10-11 00:00 in Shanghai is 16:00 UTC the day before


def test_the_earliest_midnight_of_every_zone_counts() -> None:
    """A marketplace in Los Angeles: its midnight (07:00 UTC) comes before Shanghai's."""
    assert validity_horizon(basis(zones=(SHANGHAI, LOS_ANGELES)), ()) == datetime(
        2025, 10, 10, 7, 0, tzinfo=UTC
    )  # 02:00 UTC is 19:00 PDT on 10-09; PDT midnight is 07:00 UTC


def test_a_threshold_before_a_deadline_comes_first() -> None:
    """A 3-hour risk window before a deadline at 20:00 UTC ends the validity at 17:00."""
    deadline = datetime(2025, 10, 10, 20, 0, tzinfo=UTC)
    assert validity_horizon(basis(offsets=(timedelta(hours=3),)), [deadline]) == datetime(
        2025, 10, 10, 17, 0, tzinfo=UTC
    )


def test_a_reminder_interval_after_a_past_request() -> None:
    """Evidence asked for at 09:30 UTC the day before, reminder every 20 h: due at 05:30."""
    asked = datetime(2025, 10, 9, 9, 30, tzinfo=UTC)
    assert validity_horizon(basis(offsets=(timedelta(hours=20),)), [asked]) == datetime(
        2025, 10, 10, 5, 30, tzinfo=UTC
    )


def test_every_whole_day_after_a_past_instant() -> None:
    """An escalation counting days overdue since 10-08 05:00 changes again on 10-10 05:00."""
    overdue_since = datetime(2025, 10, 8, 5, 0, tzinfo=UTC)
    assert validity_horizon(basis(), [overdue_since]) == datetime(2025, 10, 10, 5, 0, tzinfo=UTC)


def test_a_running_clock_reaches_due_soon_no_earlier_than_the_wall_clock_allows() -> None:
    """24 h target, due soon at 18 h used, 10 h used: no earlier than 8 h from now (10:00)."""
    running = clock(SlaState.ON_TRACK, timedelta(hours=10))
    assert validity_horizon(basis(), (), [running]) == datetime(2025, 10, 10, 10, 0, tzinfo=UTC)


def test_a_paused_clock_is_never_reused() -> None:
    """A paused clock's due time moves with the pause: the horizon is now."""
    paused = clock(SlaState.PAUSED, timedelta(hours=10))
    assert validity_horizon(basis(zones=(SHANGHAI,)), (), [paused]) == NOW


def test_moments_are_found_inside_nested_values() -> None:
    """Naive date-times are read in the team zone; dates as their midnight there."""
    found = set(
        moments_in(
            {"opened": datetime(2025, 10, 9, 9, 30), "rows": [(date(2025, 10, 31), "备注")]},
            SHANGHAI,
        )
    )
    assert found == {
        datetime(2025, 10, 9, 1, 30, tzinfo=UTC),
        datetime(2025, 10, 30, 16, 0, tzinfo=UTC),
    }


class _Reminders(BaseModel):
    interval_hours: int = 48
    first_after_hours: int | None = None
    max_reminders: int = 3


class _Escalation(BaseModel):
    overdue_days: dict[str, int] = {"L2": 2}
    reminders: _Reminders = _Reminders()
    label: str = "团队主管"


def test_offsets_are_read_from_fields_that_name_their_unit() -> None:
    """Hours and days fields (also inside a mapping) are offsets; a count is not."""
    assert sorted(offsets_in(_Escalation())) == [timedelta(hours=48), timedelta(days=2)]


def test_working_time_left_reaches_a_threshold_no_sooner_than_the_wall_clock_allows() -> None:
    """11 working hours left to a seller deadline, a rule at 8: not before 3 h from now."""
    horizon = validity_horizon(
        basis(offsets=(timedelta(hours=8), timedelta(hours=24))),
        (),
        working_left=[timedelta(hours=11)],
    )
    assert horizon == datetime(2025, 10, 10, 5, 0, tzinfo=UTC)
