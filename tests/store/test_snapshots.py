"""Case snapshots: upsert by (sheet_key, case_id), seq increments, stale saves are refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from app.store import CaseSnapshot, StaleSnapshotError, Store, StoreError


def test_upsert_and_seq(store: Store, new_run: Callable[..., int]) -> None:
    """The first save stores seq 1; each later save of a case increments it and replaces values."""
    run_id = new_run()
    store.save_snapshots(
        "sheet-1",
        run_id,
        [
            CaseSnapshot("C-1", {"status": "Open", "opened": date(2025, 10, 1)}),
            CaseSnapshot("C-2", {"status": "Open", "refund": 12.5}),
        ],
    )
    loaded = store.load_snapshots("sheet-1")
    assert loaded == {
        "C-1": CaseSnapshot("C-1", {"status": "Open", "opened": date(2025, 10, 1)}, seq=1),
        "C-2": CaseSnapshot("C-2", {"status": "Open", "refund": 12.5}, seq=1),
    }

    again = new_run()
    store.save_snapshots(
        "sheet-1",
        again,
        [
            CaseSnapshot("C-1", {"status": "Closed", "closed": datetime(2025, 10, 4, 8)}, seq=1),
            CaseSnapshot("C-3", {"status": "Open"}),
        ],
    )
    loaded = store.load_snapshots("sheet-1")
    assert loaded["C-1"] == CaseSnapshot(
        "C-1", {"status": "Closed", "closed": datetime(2025, 10, 4, 8)}, seq=2
    )
    assert loaded["C-2"].seq == 1
    assert loaded["C-3"].seq == 1

    store.save_snapshots("sheet-1", new_run(), [loaded["C-1"]])
    assert store.load_snapshots("sheet-1")["C-1"].seq == 3


def test_sheets_are_separate(store: Store, new_run: Callable[..., int]) -> None:
    """The same case id in two sheets is two snapshots."""
    store.save_snapshots("sheet-1", new_run("sheet-1"), [CaseSnapshot("C-1", {"a": 1})])
    store.save_snapshots("sheet-2", new_run("sheet-2"), [CaseSnapshot("C-1", {"a": "two"})])
    assert store.load_snapshots("sheet-1")["C-1"].values == {"a": 1}
    assert store.load_snapshots("sheet-2")["C-1"].values == {"a": "two"}
    assert store.load_snapshots("sheet-3") == {}


def test_stale_seq_is_refused_and_saves_nothing(store: Store, new_run: Callable[..., int]) -> None:
    """Saving with a seq other than the stored one raises StaleSnapshotError; nothing changes."""
    store.save_snapshots("sheet-1", new_run(), [CaseSnapshot("C-1", {"v": 1})])
    loaded = store.load_snapshots("sheet-1")["C-1"]
    store.save_snapshots("sheet-1", new_run(), [CaseSnapshot("C-1", {"v": 2}, seq=loaded.seq)])

    with pytest.raises(StaleSnapshotError, match="C-1") as raised:
        store.save_snapshots(
            "sheet-1",
            new_run(),
            [CaseSnapshot("C-0", {"v": 0}), CaseSnapshot("C-1", {"v": 3}, seq=loaded.seq)],
        )
    assert raised.value.case_ids == ["C-1"]
    with pytest.raises(StaleSnapshotError, match="C-9"):
        store.save_snapshots("sheet-1", new_run(), [CaseSnapshot("C-9", {"v": 1}, seq=4)])
    assert store.load_snapshots("sheet-1") == {"C-1": CaseSnapshot("C-1", {"v": 2}, seq=2)}


def test_invalid_batches_are_refused(store: Store, new_run: Callable[..., int]) -> None:
    """A case twice in one batch, an unknown run or another sheet's run raises StoreError."""
    run_id = new_run()
    with pytest.raises(StoreError, match="twice"):
        store.save_snapshots("sheet-1", run_id, [CaseSnapshot("C-1", {}), CaseSnapshot("C-1", {})])
    with pytest.raises(StoreError, match="does not exist"):
        store.save_snapshots("sheet-1", run_id + 99, [CaseSnapshot("C-1", {})])
    with pytest.raises(StoreError, match="belongs to sheet"):
        store.save_snapshots("sheet-2", run_id, [CaseSnapshot("C-1", {})])
    store.save_snapshots("sheet-1", run_id, [])
    assert store.load_snapshots("sheet-1") == {}


def test_large_batch(store: Store, new_run: Callable[..., int]) -> None:
    """A batch larger than one IN-list chunk is saved and updated completely."""
    cases = [CaseSnapshot(f"C-{i:05d}", {"row": i, "status": "Open"}) for i in range(1234)]
    store.save_snapshots("sheet-1", new_run(), cases)
    loaded = store.load_snapshots("sheet-1")
    assert len(loaded) == 1234

    updated = [CaseSnapshot(s.case_id, {"row": s.values["row"]}, s.seq) for s in loaded.values()]
    store.save_snapshots("sheet-1", new_run(), updated)
    again = store.load_snapshots("sheet-1")
    assert {s.seq for s in again.values()} == {2}
    assert again["C-01000"].values == {"row": 1000}
