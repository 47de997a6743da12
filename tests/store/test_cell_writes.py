"""Cell writes: the previous value of every written cell round-trips exactly, for undo."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.store import CellValue, CellWrite, Store, StoreError
from app.store.codec import same_value

EVERY_KIND: list[CellValue] = [
    None,
    "",
    "plain text",
    '=HYPERLINK("x")',
    "中文 · 客户",
    "nul\x00inside",
    "2025-10-03",
    0,
    -7,
    2**63 + 1,
    True,
    False,
    0.1 + 0.2,
    -0.0,
    1e300,
    math.inf,
    date(2025, 10, 3),
    datetime(2025, 10, 3, 9, 30),
    datetime(2025, 10, 3, 9, 30, 15, 250000, tzinfo=UTC),
    datetime(2025, 10, 3, 17, 30, tzinfo=timezone(timedelta(hours=8))),
    datetime(2025, 10, 3, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
]


def test_every_value_kind_round_trips(store: Store, new_run: Callable[..., int]) -> None:
    """Old and new values of every CellValue kind come back with identical type and value."""
    run_id = new_run()
    writes = [
        CellWrite("Cases", f"C-{i}", "next_action", "Next Action", value, EVERY_KIND[-1 - i], i + 2)
        for i, value in enumerate(EVERY_KIND)
    ]
    store.record_cell_writes(run_id, writes)

    back = store.cell_writes(run_id)
    assert len(back) == len(writes)
    for stored, given in zip(back, writes, strict=True):
        assert (stored.tab, stored.case_id, stored.column, stored.header, stored.row_hint) == (
            given.tab,
            given.case_id,
            given.column,
            given.header,
            given.row_hint,
        )
        assert same_value(stored.old_value, given.old_value), (stored.old_value, given.old_value)
        assert same_value(stored.new_value, given.new_value), (stored.new_value, given.new_value)


def test_nan_round_trips(store: Store, new_run: Callable[..., int]) -> None:
    """NaN (which JSON cannot hold as a number) is stored and comes back as NaN."""
    run_id = new_run()
    store.record_cell_writes(
        run_id, [CellWrite("KPIs", "C-1", "csat", "CSAT", math.nan, 1.0, None)]
    )
    (write,) = store.cell_writes(run_id)
    assert isinstance(write.old_value, float)
    assert math.isnan(write.old_value)


def test_writes_keep_order_and_stay_per_run(store: Store, new_run: Callable[..., int]) -> None:
    """Writes come back in recording order, across calls, and only for their own run."""
    first, second = new_run(), new_run()
    batch_a = [CellWrite("Cases", "C-1", "sla_state", "SLA State", None, "On track", 2)]
    batch_b = [
        CellWrite("Cases", "C-2", "sla_state", "SLA State", "Due soon", "Overdue", 3),
        CellWrite("Cases", "C-1", "days_left", "Days Left", 3, 2, 2),
    ]
    store.record_cell_writes(first, batch_a)
    store.record_cell_writes(first, batch_b)
    store.record_cell_writes(second, [CellWrite("Cases", "C-9", "x", "X", 1, 2, None)])
    store.record_cell_writes(second, [])

    assert store.cell_writes(first) == batch_a + batch_b
    assert [w.case_id for w in store.cell_writes(second)] == ["C-9"]
    assert store.cell_writes(second + 100) == []


def test_writes_for_unknown_run_are_refused(store: Store) -> None:
    """Recording writes for a run that does not exist raises StoreError."""
    with pytest.raises(StoreError, match="run 12345 does not exist"):
        store.record_cell_writes(12345, [CellWrite("Cases", "C-1", "x", "X", None, 1, 2)])


def test_unsupported_value_is_refused(store: Store, new_run: Callable[..., int]) -> None:
    """A value outside CellValue raises StoreError and stores nothing of the batch."""
    run_id = new_run()
    bad: object = {"not": "a cell"}
    writes = [
        CellWrite("Cases", "C-1", "x", "X", None, 1, 2),
        CellWrite("Cases", "C-2", "x", "X", None, bad, 3),  # type: ignore[arg-type]
    ]
    with pytest.raises(StoreError, match="dict"):
        store.record_cell_writes(run_id, writes)
    assert store.cell_writes(run_id) == []
