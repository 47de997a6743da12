"""record_sync: a sync's cell writes, snapshots and timeline events are saved all or none."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from app.store import CaseSnapshot, CellWrite, StaleSnapshotError, Store, StoreError, TimelineEvent

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
