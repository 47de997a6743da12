"""record_sync: a sync's cell writes, snapshots and timeline events are saved all or none."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.store import CaseSnapshot, CellWrite, StaleSnapshotError, Store, StoreError, TimelineEvent
from app.store.records import CellValue

from .conftest import T0

WRITES = [
    CellWrite("Cases", "C-1", "return_deadline", "Return Deadline", None, date(2025, 10, 17), 2),
    CellWrite("Cases", "C-1", "sla_state", "SLA State", "On track", "Due soon", 2),
]
SNAPSHOTS = [CaseSnapshot("C-1", {"status": "Open", "platform": "Superbuy"})]
EVENT = TimelineEvent("C-1:created", "C-1", "created", T0, "Case created", {"platform": "Superbuy"})


def test_saves_everything(store: Store, new_run: Callable[..., int]) -> None:
    """A successful record_sync stores writes, snapshots and events and returns the new events."""
    run_id = new_run()
    assert store.record_sync("sheet-1", run_id, SNAPSHOTS, [EVENT], WRITES) == [EVENT]
    assert store.cell_writes(run_id) == WRITES
    assert store.load_snapshots("sheet-1") == {"C-1": CaseSnapshot("C-1", SNAPSHOTS[0].values, 1)}
    assert store.timeline("sheet-1") == [EVENT]

    again = new_run()
    loaded = store.load_snapshots("sheet-1")["C-1"]
    assert store.record_sync("sheet-1", again, [loaded], [EVENT], []) == []
    assert store.load_snapshots("sheet-1")["C-1"].seq == 2


def test_events_stored_before_keep_the_rest_of_the_record(
    store: Store, new_run: Callable[..., int]
) -> None:
    """When some of a sync's events were stored by an earlier run, only the others are reported
    new, and the run's cell writes and snapshots are kept with them (the events' first, quick
    insert is undone alone, not the record)."""
    first = new_run()
    assert store.record_sync("sheet-1", first, [], [EVENT], []) == [EVENT]
    later = TimelineEvent("C-1:status", "C-1", "status_changed", T0, "New -> Waiting")
    second = new_run()
    assert store.record_sync("sheet-1", second, SNAPSHOTS, [EVENT, later], WRITES) == [later]
    assert store.cell_writes(second) == WRITES
    assert store.load_snapshots("sheet-1") == {"C-1": CaseSnapshot("C-1", SNAPSHOTS[0].values, 1)}
    assert store.timeline("sheet-1") == [EVENT, later]


def test_failing_event_insert_rolls_back_everything(
    store: Store, new_run: Callable[..., int]
) -> None:
    """When the events insert violates a constraint (NULL case id), no write or snapshot stays."""
    run_id = new_run()
    good = TimelineEvent("C-2:created", "C-2", "created", T0, "Case created")
    broken = TimelineEvent("C-3:created", None, "created", T0, "no case id")  # type: ignore[arg-type]

    with pytest.raises(StoreError, match=rf"recording sync run {run_id}.*case_id"):
        store.record_sync("sheet-1", run_id, SNAPSHOTS, [good, broken], WRITES)

    assert store.cell_writes(run_id) == []
    assert store.load_snapshots("sheet-1") == {}
    assert store.timeline("sheet-1") == []
    # The store is still usable afterwards.
    assert store.record_sync("sheet-1", run_id, SNAPSHOTS, [good], WRITES) == [good]


def test_stale_snapshot_rolls_back_writes(store: Store, new_run: Callable[..., int]) -> None:
    """A stale snapshot aborts the whole sync record: the cell writes before it are not kept."""
    first = new_run()
    store.record_sync("sheet-1", first, SNAPSHOTS, [], [])
    second = new_run()
    with pytest.raises(StaleSnapshotError):
        store.record_sync("sheet-1", second, SNAPSHOTS, [EVENT], WRITES)  # seq 0, stored 1
    assert store.cell_writes(second) == []
    assert store.timeline("sheet-1") == []
    assert store.load_snapshots("sheet-1")["C-1"].seq == 1


def test_event_details_python_calls_equal_come_back_each_as_given(
    store: Store, new_run: Callable[..., int]
) -> None:
    """Events of one sync whose details hold values Python calls equal (1, True, 1.0 and "1";
    one instant in two zones; the same keys in another order) each come back with its own
    value, type, zone and key order, however many events share a detail."""
    run_id = new_run()
    shanghai = datetime(2025, 10, 3, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    details: list[dict[str, CellValue]] = [
        {"n": 1},
        {"n": True},
        {"n": 1.0},
        {"n": "1"},
        {"n": 1, "m": None},
        {"m": None, "n": 1},
        {"at": shanghai},
        {"at": shanghai.astimezone(UTC)},
        {"n": 1},  # as the first: the same detail twice
        {"n": -0.0},
        {"n": 0.0},
    ]
    events = [
        TimelineEvent(f"C-1:{i:02d}", "C-1", "noted", T0, "A note", detail)
        for i, detail in enumerate(details)
    ]

    assert store.record_sync("sheet-1", run_id, [], events, []) == events

    def shown(detail: dict[str, CellValue]) -> list[tuple[str, str, str]]:
        return [(key, type(value).__name__, repr(value)) for key, value in detail.items()]

    stored = sorted(store.timeline("sheet-1"), key=lambda e: e.event_key)
    assert [shown(e.data) for e in stored] == [shown(detail) for detail in details]
