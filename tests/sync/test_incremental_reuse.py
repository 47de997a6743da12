"""Incremental evaluation on a real workbook: what is reused, what is still planned, and the
full recalculation's audit of the cache."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import cast

import openpyxl
import pytest

from app.runtime import Runtime, open_runtime
from app.settings import Settings
from app.sync.reuse import RESULTS, CachedCase, ResultCache, SheetCache, is_handed_out
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


def test_the_cache_keeps_no_cells_and_a_row_read_again_shows_the_cells_as_read(
    runtime: Runtime,
) -> None:
    """A settled sheet's cached rows hold no cells and, of their values, only those every sync
    reads (Case ID, Opened, Language); the next read hands a reused row out over its cells as
    read: the person's and the service's, as the sheet holds them, and its other values are
    parsed from those cells when asked for."""
    _three_cases(runtime.workbook)
    _settle(runtime)
    cache = RESULTS.get(runtime.engine().sheet_key)
    assert cache is not None and len(cache.entries) == 3
    kept = {e.result.case_id: e.row for e in cache.entries.values()}
    assert all(len(row.raw) == 0 for row in kept.values())
    assert kept["AS-T-0002"].values["case_id"] == "AS-T-0002"
    assert "customer" in kept["AS-T-0002"].values  # a key of the row, its value not held
    with pytest.raises(LookupError, match="keeps only a few values"):
        kept["AS-T-0002"].values["customer"]
    sheet = records(runtime.workbook)
    rows = runtime.engine().prepare(NOW + MINUTE, 0, keep_rows=True).case_rows
    assert [is_handed_out(cache.entries[row.digest], row) for row in rows] == [True] * 3
    assert [row.raw["customer"] for row in rows] == [r["Customer"] for r in sheet]
    assert [row.values["customer"] for row in rows] == [r["Customer"] for r in sheet]
    assert rows[1].raw["customer"] == "王芳" and rows[1].raw["notes"] == "客户说下周寄回"
    assert rows[1].values["notes"] == "客户说下周寄回"
    replies = [r["Suggested Reply"] for r in sheet]
    assert all(replies) and [row.raw["suggested_reply"] for row in rows] == replies


def test_a_case_this_sync_caches_reads_its_values_from_its_cells_once_planned(
    runtime: Runtime,
) -> None:
    """The press after a fill plans every case and caches each (quiet); once its chunk is
    planned, each row lets its parsed values go and reads them from its cells as read, like a
    row handed out from the cache: still the person's values."""
    _three_cases(runtime.workbook)
    runtime.engine().sync(now=NOW)
    rows = runtime.engine().prepare(NOW, 0, keep_rows=True).case_rows
    cache = RESULTS.get(runtime.engine().sheet_key)
    assert cache is not None and len(cache.entries) == 3
    assert [is_handed_out(cache.entries[row.digest], row) for row in rows] == [True] * 3
    assert [len(e.row.raw) for e in cache.entries.values()] == [0, 0, 0]
    sheet = records(runtime.workbook)
    assert [row.values["customer"] for row in rows] == [r["Customer"] for r in sheet]
    assert rows[1].values["customer"] == "王芳" and rows[1].values["notes"] == "客户说下周寄回"
    assert [row.values["case_id"] for row in rows] == ["AS-T-0001", "AS-T-0002", "AS-T-0003"]


def test_a_row_read_as_cached_holds_the_cached_replies_not_a_copy(runtime: Runtime) -> None:
    """A row read as its cached planning found it gives up the read's copies of its replies
    for the planning's own strings: the same texts, as the sheet holds them, held once."""
    _three_cases(runtime.workbook)
    _settle(runtime)
    cache = RESULTS.get(runtime.engine().sheet_key)
    assert cache is not None
    rows = runtime.engine().prepare(NOW + MINUTE, 0, keep_rows=True).case_rows
    sheet = records(runtime.workbook)
    assert [row.raw["suggested_reply"] for row in rows] == [r["Suggested Reply"] for r in sheet]
    for row in rows:
        result = cache.entries[row.digest].result
        assert result.suggested_reply and row.raw["suggested_reply"] is result.suggested_reply
        if result.seller_message is not None:
            assert row.raw["seller_message"] is result.seller_message


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


def _set(path: Path, row: int, header: str, value: object) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Cases"]
    column = next(c.column for c in sheet[1] if c.value == header)
    sheet.cell(row, column).value = value
    book.save(path)


def test_a_case_whose_memory_changed_outside_the_sync_is_planned_again(
    runtime: Runtime,
) -> None:
    """An undo or another replica saves one case's snapshot between two presses: that case's
    row is unchanged, but it is planned again from the cells as they are (the cached row keeps
    only the person's cells, so it is read again): nothing to write; the other two are reused."""
    _three_cases(runtime.workbook)
    _settle(runtime)
    store, key = runtime.store, runtime.engine().sheet_key
    snapshot = store.load_snapshots(key, ["AS-T-0002"])["AS-T-0002"]
    run_id = store.start_run(key, "undo", NOW, "workbook")
    store.save_snapshots(key, run_id, [replace(snapshot, values={**snapshot.values})])
    before = runtime.workbook.read_bytes()
    report = runtime.engine().sync(now=NOW + MINUTE)
    assert (report.cases_reused, report.cells_written) == (2, 0)
    assert [r.case_id for r in report.results] == ["AS-T-0001", "AS-T-0002", "AS-T-0003"]
    assert runtime.workbook.read_bytes() == before


def test_a_sorted_sheet_plans_the_moved_rows_and_keeps_every_value(runtime: Runtime) -> None:
    """Rows 2 and 4 swap (a person sorts by status): both are planned again at their new rows;
    the row that stayed put is reused; every case keeps its own deadline and Computed For."""
    _three_cases(runtime.workbook)
    _settle(runtime)
    book = openpyxl.load_workbook(runtime.workbook)
    sheet = book["Cases"]
    first = [c.value for c in sheet[2]]
    last = [c.value for c in sheet[4]]
    for col, (a, b) in enumerate(zip(first, last, strict=True), start=1):
        sheet.cell(2, col).value, sheet.cell(4, col).value = b, a
    book.save(runtime.workbook)
    report = runtime.engine().sync(now=NOW + MINUTE)
    assert report.cases_reused == 1
    rows = records(runtime.workbook)
    assert [r["Case ID"] for r in rows] == ["AS-T-0003", "AS-T-0002", "AS-T-0001"]
    assert [r["Computed For"] for r in rows] == ["AS-T-0003", "AS-T-0002", "AS-T-0001"]
    assert rows[2]["Days Left"] == 21  # AS-T-0001: window from 2025-10-01, 30 days, on 10-10


def test_an_id_typed_again_on_another_row_stops_the_reuse_of_both(runtime: Runtime) -> None:
    """A person copies row 2's Case ID into row 3: the cached row 2 is not reused, and both rows
    say the id is a duplicate."""
    _three_cases(runtime.workbook)
    _settle(runtime)
    _set(runtime.workbook, 3, "Case ID", "AS-T-0001")
    report = runtime.engine().sync(now=NOW + MINUTE)
    assert report.cases_reused == 1  # AS-T-0003 alone
    rows = records(runtime.workbook)
    assert "AS-T-0001" in rows[0]["Validation"] and "AS-T-0001" in rows[1]["Validation"]


def test_the_kpis_of_a_steady_sync_equal_a_full_recalculation(runtime: Runtime) -> None:
    """The KPIs folded from reused cases' measures are the ones a full recalculation computes."""
    _three_cases(runtime.workbook)
    _set(runtime.workbook, 4, "CSAT", 4)  # one closed case with an answer: figures to compare
    _settle(runtime)
    steady = runtime.engine().sync(now=NOW + MINUTE, dry_run=True)
    assert steady.cases_reused == 3
    full = runtime.engine().sync(now=NOW + MINUTE, dry_run=True, full=True)
    assert full.cases_reused == 0
    assert steady.kpis is not None and full.kpis is not None
    assert steady.kpis.as_json() == full.kpis.as_json()
    everything = next(r for r in steady.kpis.rows if r.group == "all")
    assert (everything.cases, everything.csat_answers, everything.csat_mean) == (3, 1, 4.0)


def _cache_of(cases: int) -> SheetCache:
    entries = {f"{n:016d}".encode(): cast(CachedCase, object()) for n in range(cases)}
    return SheetCache(b"parse", b"context", entries)


def test_the_cache_lets_go_of_the_sheets_synced_least_lately_past_its_case_budget() -> None:
    """A process keeping at most 100 cached cases: three sheets of 40 keep the two synced last
    (a sheet read meanwhile counts as synced lately); a sheet of 150 alone is still kept."""
    cache = ResultCache(max_cases=100)
    cache.put("售后-A", _cache_of(40))
    cache.put("售后-B", _cache_of(40))
    assert cache.get("售后-A") is not None  # A is now the latest looked at
    cache.put("售后-C", _cache_of(40))
    assert [cache.get(k) is not None for k in ("售后-A", "售后-B", "售后-C")] == [
        True,
        False,
        True,
    ]
    cache.put("big", _cache_of(150))
    assert [cache.get(k) is not None for k in ("售后-A", "售后-C", "big")] == [False, False, True]
    cache.limit(1_000)
    cache.put("售后-A", _cache_of(40))
    assert cache.get("big") is not None and cache.get("售后-A") is not None


def test_the_deployment_sets_the_case_budget(tmp_path: Path) -> None:
    """AFTERSALES_INCREMENTAL_CACHE_CASES=2: a three-case sheet's plannings are not kept
    (the one sheet is kept whatever its size, so two sheets are needed to see it)."""
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path}/store.db",  # type: ignore[arg-type]
        workbook=tmp_path / "cases.xlsx",
        incremental_cache_cases=2,
    )
    first = open_runtime(settings)
    other = open_runtime(settings, workbook=tmp_path / "other.xlsx")
    try:
        _three_cases(first.workbook)
        _three_cases(other.workbook)
        _settle(first)
        _settle(other)  # the latest: kept; the first sheet's three cases go past the budget
        assert RESULTS.get(first.engine().sheet_key) is None
        assert RESULTS.get(other.engine().sheet_key) is not None
        report = first.engine().sync(now=NOW + MINUTE)
        assert (report.cases, report.cases_reused, report.cells_written) == (3, 0, 0)
    finally:
        RESULTS.limit(ResultCache().max_cases)
        first.store.close()
        other.store.close()
