"""The SLA State cell in the team's language: the state, the clock and when, in Chinese for a
Chinese team and exactly as before in English (issue 20)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from policies.facts import SlaClock, SlaState
from policies.sla import describe_state

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 10, 10, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai


def clock(name: str, state: SlaState, due: datetime, elapsed_hours: float) -> SlaClock:
    """An open clock of a 40-working-hour target, started on Thursday morning."""
    return SlaClock(
        name=name,
        target=timedelta(hours=40),
        started_at=datetime(2025, 10, 9, 1, 30, tzinfo=UTC),
        due_at=due,
        elapsed=timedelta(hours=elapsed_hours),
        met_at=None,
        state=state,
        breached=due < NOW,
    )


def test_an_overdue_clock_reads_in_chinese_and_in_english() -> None:
    """'Overdue: first response, due 10-09 15:00' is '已超时：首次回复，期限 10-09 15:00'."""
    due = datetime(2025, 10, 9, 7, 0, tzinfo=UTC)  # 15:00 in Shanghai
    clocks = [clock("first_response", SlaState.OVERDUE, due, 5)]
    assert describe_state(clocks, SlaState.OVERDUE, NOW, SHANGHAI, "zh") == (
        "已超时：首次回复，期限 10-09 15:00"
    )
    assert describe_state(clocks, SlaState.OVERDUE, NOW, SHANGHAI) == (
        "Overdue: first response, due 10-09 15:00"
    )


def test_a_paused_clock_says_the_working_time_left_in_chinese() -> None:
    """A paused resolution clock with 7 of 40 working hours used has 33 left; under an hour
    it counts minutes; past its due time it names when it was due."""
    later = datetime(2025, 10, 16, 1, 30, tzinfo=UTC)
    paused = [clock("resolution", SlaState.ON_TRACK, later, 7)]
    assert describe_state(paused, SlaState.PAUSED, NOW, SHANGHAI, "zh") == (
        "已暂停：结案，剩余 33 小时工作时间"
    )
    nearly = [clock("resolution", SlaState.DUE_SOON, later, 39.25)]  # 45 minutes left
    assert describe_state(nearly, SlaState.PAUSED, NOW, SHANGHAI, "zh") == (
        "已暂停：结案，剩余 45 分钟工作时间"
    )
    assert describe_state(nearly, SlaState.PAUSED, NOW, SHANGHAI) == (
        "Paused: resolution, 45 working minutes left"
    )
    past = [clock("resolution", SlaState.OVERDUE, datetime(2025, 10, 9, 7, 0, tzinfo=UTC), 41)]
    assert describe_state(past, SlaState.PAUSED, NOW, SHANGHAI, "zh") == (
        "已暂停：结案，原期限 10-09 15:00"
    )


def test_states_without_a_clock_are_one_word_and_other_years_carry_the_year() -> None:
    """Closed is '已结案', Due soon with no started clock is '即将到期', and a due time in
    another year is written with its year."""
    assert describe_state([], SlaState.CLOSED, NOW, SHANGHAI, "zh") == "已结案"
    assert describe_state([], SlaState.DUE_SOON, NOW, SHANGHAI, "zh") == "即将到期"
    assert describe_state([], SlaState.ON_TRACK, NOW, SHANGHAI, "zh") == "正常"
    next_year = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    seller = [clock("seller_response", SlaState.ON_TRACK, next_year, 1)]
    assert describe_state(seller, SlaState.ON_TRACK, NOW, SHANGHAI, "zh") == (
        "正常：卖家回复，期限 2026-01-05 10:00"
    )
