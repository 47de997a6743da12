"""The stored memory of the cases a sync plans (snapshots, Timeline events) is loaded a chunk of
rows at a time, only for the cases the store remembers, and the sheet comes out as when it is
planned whole (tests/sync/incremental_machine.py checks that over random edits)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from app.runtime import Runtime
from app.store import Store
from app.sync.engine import SyncEngine
from tests.workbooks import NOW, case, read_tab, records, write_workbook

CASES = [
    case(**{"Case ID": "AS-M-0001", "Customer": "王芳"}),
    case(**{"Case ID": "AS-M-0002", "Status": "In Progress"}),
    case(**{"Case ID": "AS-M-0003", "Status": "Closed", "Outcome": "Refunded", "CSAT": 5}),
    case(**{"Case ID": "AS-M-0004", "Customer": "Ана"}),
    case(**{"Case ID": "AS-M-0005", "Status": "Awaiting Seller"}),
]


class LoadSpy:
    """The store, with each load of case memory it answers written down (ids asked for)."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.snapshots: list[list[str]] = []
        self.timelines: list[list[str]] = []
        load_snapshots, timelines = store.load_snapshots, store.timelines

        def snapshots(key: str, ids: Collection[str] | None = None) -> Any:
            self.snapshots.append(sorted(ids or ()))
            return load_snapshots(key, ids)

        def events(key: str, ids: Collection[str]) -> Any:
            self.timelines.append(sorted(ids))
            return timelines(key, ids)

        monkeypatch.setattr(store, "load_snapshots", snapshots)
        monkeypatch.setattr(store, "timelines", events)


def _engine(runtime: Runtime, chunk: int) -> SyncEngine:
    engine = runtime.engine()
    return SyncEngine(engine.backend, engine.store, replace(engine.config, memory_chunk=chunk))


def test_a_first_fill_asks_the_store_for_no_case_memory(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet the store has never seen: nothing is remembered, so nothing is loaded."""
    write_workbook(runtime.workbook, CASES)
    spy = LoadSpy(runtime.store, monkeypatch)
    report = _engine(runtime, 2).sync(now=NOW)
    assert report.cases == 5
    assert (spy.snapshots, spy.timelines) == ([], [])


def test_a_press_planning_every_case_loads_their_memory_two_rows_at_a_time(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a first fill, the press past the next midnight plans every case again: their
    snapshots and events come in chunks of two rows, and the sheet and KPIs are the ones a
    single chunk gives on a twin."""
    write_workbook(runtime.workbook, CASES)
    _engine(runtime, 2).sync(now=NOW)
    spy = LoadSpy(runtime.store, monkeypatch)
    later = NOW + timedelta(days=1)
    report = _engine(runtime, 2).sync(now=later)
    assert report.cases_reused == 0
    ids = [f"AS-M-000{n}" for n in range(1, 6)]
    assert spy.snapshots == [ids[0:2], ids[2:4], ids[4:5]]
    assert spy.timelines == [ids[0:2], ids[2:4], ids[4:5]]
    twin = runtime.workbook.with_name("twin.xlsx")
    write_workbook(twin, CASES)
    twin_engine = runtime.root.engine(
        runtime.root.workbook_backend(twin), sheet_key=f"workbook:{twin.resolve()}"
    )
    twin_engine.sync(now=NOW)
    twin_engine.sync(now=later)
    assert records(twin) == records(runtime.workbook)
    assert read_tab(twin, "KPIs") == read_tab(runtime.workbook, "KPIs")
