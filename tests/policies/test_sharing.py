"""One object for equal values (policies/sharing.py): what is shared and what never is."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from policies.facts import SellerWindow
from policies.sharing import Pool, shared

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_equal_values_become_one_object_and_zones_stay_apart() -> None:
    """Equal dates, texts and tuples come back as the first one seen; an instant equal to one
    in another zone, or a seller window whose deadline is, stays its own (it shows another
    wall time); None, booleans and 1 beside 1.0 are never mixed up."""
    pool: Pool = {}
    day = date(2026, 2, 17)
    assert shared(pool, day) is day
    again = date.fromisoformat("2026-02-17")
    assert again is not day and shared(pool, again) is day
    reasons = ("late", "no video")
    assert shared(pool, tuple(["late", "no video"])) is shared(pool, reasons)

    at_nine = datetime(2026, 2, 17, 9, tzinfo=SHANGHAI)
    in_utc = at_nine.astimezone(UTC)
    assert shared(pool, at_nine) is at_nine
    assert shared(pool, in_utc) is in_utc
    assert shared(pool, datetime(2026, 2, 17, 1, tzinfo=UTC)) is in_utc

    window = SellerWindow("taobao", at_nine, False, timedelta(hours=3), False, False)
    window_utc = SellerWindow("taobao", in_utc, False, timedelta(hours=3), False, False)
    assert window == window_utc
    assert shared(pool, window) is window
    assert shared(pool, window_utc) is window_utc

    assert shared(pool, 1) == 1 and type(shared(pool, 1.0)) is float
    assert shared(pool, None) is None and shared(pool, True) is True
