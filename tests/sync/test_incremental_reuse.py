"""Incremental evaluation on a real workbook: what is reused, what is still planned, and the
full recalculation's audit of the cache."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import openpyxl

from app.runtime import Runtime, open_runtime
from app.settings import Settings
from app.sync.reuse import RESULTS
from tests.workbooks import NOW, case, records, write_workbook

MINUTE = timedelta(minutes=1)


def _three_cases(path: Path) -> None:
    write_workbook(
        path,
        [
            case(**{"Case ID": "AS-T-0001"}),
            case(**{"Case ID": "AS-T-0002", "Customer": "王芳", "Notes": "客户说下周寄回"}),
            case(**{"Case ID": "AS-T-0003", "Status": "Closed", "Outcome": "Refunded"}),
        ],
    )


def _settle(runtime: Runtime) -> None:
    """A first fill, then the sync that finds every cell as written (quiet, so cached)."""
    runtime.engine().sync(now=NOW)
    runtime.engine().sync(now=NOW)


def test_a_steady_sync_reuses_every_case_and_writes_nothing(runtime: Runtime) -> None:
    """A minute after a quiet sync, nothing changed: all three cases reused, no cell written."""
    _three_cases(runtime.workbook)
    _settle(runtime)
    before = runtime.workbook.read_bytes()
    report = runtime.engine().sync(now=NOW + MINUTE)
    assert (report.cases, report.cases_reused, report.cells_written) == (3, 3, 0)
    assert runtime.workbook.read_bytes() == before
    assert [r.case_id for r in report.results] == ["AS-T-0001", "AS-T-0002", "AS-T-0003"]


def test_a_cleared_service_cell_is_repaired_and_only_its_case_planned(runtime: Runtime) -> None:
    """A person clears Days Left on row 3: that case is planned again and gets 21 back."""
    _three_cases(runtime.workbook)
    _settle(runtime)
    book = openpyxl.load_workbook(runtime.workbook)
    sheet = book["Cases"]
    column = next(c.column for c in sheet[1] if c.value == "Days Left")
    sheet.cell(3, column).value = None
    book.save(runtime.workbook)
    report = runtime.engine().sync(now=NOW + MINUTE)
    assert report.cases_reused == 2
    # 2025-10-01 + 30 days = 2025-10-31; from 2025-10-10 that is 21 days
    assert records(runtime.workbook)[1]["Days Left"] == 21


def test_an_edited_status_is_planned_again(runtime: Runtime) -> None:
    """Status 'In Progress' → 'Waiting Customer' on one row: that row is not reused."""
    _three_cases(runtime.workbook)
    _settle(runtime)
    book = openpyxl.load_workbook(runtime.workbook)
    sheet = book["Cases"]
    column = next(c.column for c in sheet[1] if c.value == "Status")
    sheet.cell(2, column).value = "Waiting Customer"
    book.save(runtime.workbook)
    report = runtime.engine().sync(now=NOW + MINUTE)
    assert report.cases_reused == 2
    assert report.cells_written > 0


def test_past_the_horizon_nothing_is_reused(runtime: Runtime) -> None:
    """The next Shanghai midnight (16:00 UTC) moves Days Left: every case is planned again."""
    _three_cases(runtime.workbook)
    _settle(runtime)
    report = runtime.engine().sync(now=NOW.replace(hour=16, minute=1))
    assert report.cases_reused == 0
    assert records(runtime.workbook)[0]["Days Left"] == 20  # 10-11 to 10-31


def test_the_full_recalculation_plans_everything_and_finds_the_cache_right(
    runtime: Runtime,
) -> None:
    """A full recalculation reuses nothing, and each case it would have reused agrees."""
    _three_cases(runtime.workbook)
    _settle(runtime)
    report = runtime.engine().sync(now=NOW + MINUTE, full=True)
    assert (report.cases_reused, report.cache_mismatches) == (0, [])


def test_a_wrong_cache_entry_is_caught_by_the_full_recalculation(runtime: Runtime) -> None:
    """A cached result tampered with (another Next Action) is named by the recalculation."""
    _three_cases(runtime.workbook)
    _settle(runtime)
    key = runtime.engine().sheet_key
    cache = RESULTS.get(key)
    assert cache is not None
    entries = dict(cache.entries)
    digest, entry = next((d, e) for d, e in entries.items() if e.result.case_id == "AS-T-0002")
    entries[digest] = replace(entry, result=replace(entry.result, next_action="催卖家"))
    RESULTS.put(key, replace(cache, entries=entries))
    report = runtime.engine().sync(now=NOW + MINUTE, full=True)
    assert report.cache_mismatches == ["AS-T-0002"]


def test_switched_off_every_case_is_planned(tmp_path: Path) -> None:
    """AFTERSALES_INCREMENTAL=false: a steady sync plans all three cases."""
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path}/store.db",  # type: ignore[arg-type]
        workbook=tmp_path / "cases.xlsx",
        incremental=False,
    )
    rt = open_runtime(settings)
    try:
        _three_cases(rt.workbook)
        _settle(rt)
        report = rt.engine().sync(now=NOW + MINUTE)
        assert (report.cases, report.cases_reused) == (3, 0)
    finally:
        rt.store.close()


def test_a_sync_at_an_earlier_instant_reuses_nothing(runtime: Runtime) -> None:
    """Settled at 10:00 Shanghai; a sync at 09:00 (`--now` in the past) plans every case."""
    _three_cases(runtime.workbook)
    _settle(runtime)
    report = runtime.engine().sync(now=NOW - timedelta(hours=1))
    assert report.cases_reused == 0
