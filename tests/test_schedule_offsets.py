"""Each sheet's scheduled jobs at its own stable moment: 1,000 sheets spread over the night
window and over each quarter of an hour, instead of all starting together."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from app.schedule_offsets import (
    ScheduleSettings,
    nightly_time,
    nightly_trigger,
    sweep_offset,
    sweep_trigger,
)
from app.settings import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
SHEETS = [f"1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2up{n:04d}" for n in range(1_000)]
NOON = datetime(2025, 10, 10, 12, 0, tzinfo=SHANGHAI)  # a Friday


def test_a_thousand_nightly_recalculations_are_spread_over_the_night_window() -> None:
    """1,000 sheets: every next nightly run falls in 01:00-05:00 of the next night, no minute
    holds more than 1.5 % of them (all 100 % fell on 02:00 before) and nearly every minute of
    the window is used."""
    settings = ScheduleSettings()
    runs = [nightly_trigger(s, SHANGHAI, settings).get_next_fire_time(None, NOON) for s in SHEETS]
    start = datetime(2025, 10, 11, 1, 0, tzinfo=SHANGHAI)
    assert all(r is not None and start <= r < start + timedelta(hours=4) for r in runs)

    per_minute = Counter((r.hour, r.minute) for r in runs if r is not None)
    assert max(per_minute.values()) <= 15  # 1.5 %; an even spread is 4.2 a minute
    assert len(per_minute) >= 225  # of the window's 240 minutes
    per_quarter_hour = Counter((r.hour, r.minute // 15) for r in runs if r is not None)
    assert len(per_quarter_hour) == 16
    assert max(per_quarter_hour.values()) <= 100  # an even spread is 62.5


def test_a_thousand_sweeps_are_spread_over_each_quarter_of_an_hour() -> None:
    """1,000 sheets' overdue sweeps: each sheet at its own offset into the quarter hour, no
    minute of the 15 holding more than 10 % of the sheets (all fired at :00, :15, ... before)."""
    offsets = [sweep_offset(s) for s in SHEETS]
    assert all(timedelta(0) <= o < timedelta(minutes=15) for o in offsets)
    per_minute = Counter(int(o.total_seconds()) // 60 for o in offsets)
    assert len(per_minute) == 15
    assert max(per_minute.values()) <= 100  # an even spread is 66.7

    # Each sweep still comes every 15 minutes inside working hours, at its offset.
    sheet = SHEETS[0]
    trigger = sweep_trigger(sheet, SHANGHAI, "9-18")
    fire, at = [], datetime(2025, 10, 10, 9, 0, tzinfo=SHANGHAI)
    for _ in range(5):
        nxt = trigger.get_next_fire_time(None, at)
        assert nxt is not None
        fire.append(nxt)
        at = nxt + timedelta(seconds=1)
    first = datetime(2025, 10, 10, 9, 0, tzinfo=SHANGHAI) + sweep_offset(sheet)
    assert fire == [first + q * timedelta(minutes=15) for q in range(5)]


def test_a_sheets_moments_are_pinned_to_its_id() -> None:
    """A sheet's moments depend on its id alone and are pinned here, so that a change to the
    hash, which would move every stored job, cannot pass unnoticed."""
    assert nightly_time("team", ScheduleSettings()) == time(4, 48, 14)
    assert sweep_offset("team") == timedelta(seconds=39)
    assert nightly_time("team", ScheduleSettings(night_start=time(0, 0))) == time(3, 48, 14)


def test_a_night_window_past_midnight_wraps() -> None:
    """A window from 23:00 to 03:00 puts every sheet between 23:00 and 03:00."""
    settings = ScheduleSettings(night_start=time(23, 0), night_end=time(3, 0))
    assert settings.night_seconds == 4 * 3600
    times = [nightly_time(s, settings) for s in SHEETS]
    assert all(t >= time(23, 0) or t < time(3, 0) for t in times)
    assert any(t >= time(23, 0) for t in times) and any(t < time(3, 0) for t in times)


def test_the_night_window_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """AFTERSALES_SCHEDULE__NIGHT_START / __NIGHT_END set the window; an empty one is refused."""
    monkeypatch.setenv("AFTERSALES_SCHEDULE__NIGHT_START", "00:30")
    monkeypatch.setenv("AFTERSALES_SCHEDULE__NIGHT_END", "04:00")
    schedule = Settings(_env_file=None).schedule  # type: ignore[call-arg]
    assert (schedule.night_start, schedule.night_end) == (time(0, 30), time(4, 0))
    with pytest.raises(ValidationError, match="empty"):
        ScheduleSettings(night_start=time(2, 0), night_end=time(2, 0))
