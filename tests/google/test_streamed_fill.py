"""A large Google sync written in parts as it is planned (app/sync/stream_step.py): the sheet,
the Timeline, the KPIs and the store come out as one write leaves them, every part is staged so
the run can be undone, and a sync that stops between parts loses nothing.

The parts are made small here (a few cases each) so that a sheet of two dozen rows is written
in several; the bench's 50,000-case first fill is where they are 100,000 cells."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from app.errors import BackendUnavailableError
from app.sync.engine import SyncEngine
from tests.google.conftest import USER_KEYS, GoogleSheet, typed_row
from tests.workbooks import NOW

CUSTOMERS = ["王芳", "李雷 (VIP)", "Ana Souza", "=not a formula", "陈静", "Marco R."]
NOTES = ["", "客户说盒子压坏了", "see https://imgur.com/a/x9", "", "催了两次", "wrong colour?"]


def team_rows(count: int) -> list[dict[str, Any]]:
    """Cases as a team keeps them: ids and Opened typed, Chinese names, notes and links."""
    rows = []
    for n in range(1, count + 1):
        rows.append(
            typed_row(
                n,
                customer=CUSTOMERS[n % len(CUSTOMERS)],
                notes=NOTES[n % len(NOTES)],
                status=("New", "In Progress", "Awaiting Seller", "Closed")[n % 4],
                outcome="Refunded" if n % 4 == 0 else "",
            )
        )
    return rows


def engine(sheet: GoogleSheet, part_cells: int | None) -> SyncEngine:
    """The sheet's engine, writing in parts of `part_cells` planned cells (None: in one)."""
    base = sheet.runtime.engine()
    if part_cells is None:
        config = replace(base.config, stream_rows=10**9)
    else:
        # (a part is written between chunks of rows: three rows a chunk here)
        config = replace(base.config, stream_rows=1, stream_cells=part_cells, memory_chunk=3)
    return SyncEngine(base.backend, base.store, config)


def tab(sheet: GoogleSheet, title: str) -> list[list[Any]]:
    return sheet.emulator.values(sheet.spreadsheet_id, f"'{title}'")


def value_writes(sheet: GoogleSheet) -> int:
    """Requests that wrote cells (a values write, or a grid growth with its cells)."""
    return sum(
        1
        for r in sheet.emulator.requests()
        if r.kind == "values.batchUpdate"
        or (r.kind == "spreadsheets.batchUpdate" and b"updateCells" in r.raw_body)
    )


def without_run(rows: list[list[Any]]) -> list[tuple[Any, ...]]:
    """Timeline rows without their Run column (each store numbers its own runs), in order."""
    header = rows[0]
    run = header.index("Run")
    return [tuple(v for i, v in enumerate(row) if i != run) for row in rows[1:]]


def test_a_fill_written_in_parts_leaves_what_one_write_leaves(google_sheet: GoogleSheet) -> None:
    """24 cases written a few at a time: the Cases tab is cell for cell the one-write twin's,
    the Timeline holds the same rows, the KPIs agree, and the store remembers every case."""
    rows = team_rows(24)
    twin = google_sheet.twin()
    twin.type_rows(rows)
    twin.emulator.clear_requests()
    whole = engine(twin, None).sync(now=NOW)
    whole_writes = value_writes(twin)

    google_sheet.type_rows(rows)
    google_sheet.emulator.clear_requests()
    parts = engine(google_sheet, 60).sync(now=NOW)

    # 24 cases of some 20 cells each, parts of 60: at least three more writes than the twin's
    assert value_writes(google_sheet) >= whole_writes + 3
    assert parts.cells_written == whole.cells_written > 24 * 10
    assert parts.timeline_events == whole.timeline_events >= 24
    assert (parts.cases, parts.errors, parts.warnings) == (24, whole.errors, whole.warnings)
    assert tab(google_sheet, "Cases") == tab(twin, "Cases")
    # Within each part the rows are in time order; across parts, in the parts' order.
    assert sorted(without_run(tab(google_sheet, "Timeline"))) == sorted(
        without_run(tab(twin, "Timeline"))
    )
    assert tab(google_sheet, "KPIs") == tab(twin, "KPIs")
    store, twin_store = google_sheet.runtime.store, twin.runtime.store
    keys = sorted(e.event_key for e in store.timelines(google_sheet.runtime.sheet_key, ids(rows)))
    twin_keys = sorted(e.event_key for e in twin_store.timelines(twin.runtime.sheet_key, ids(rows)))
    assert keys == twin_keys and len(keys) == parts.timeline_events
    assert len(store.load_snapshots(google_sheet.runtime.sheet_key)) == 24
    # Every part's cells were staged: the run's cell log is the one-write run's.
    logged = store.cell_writes(parts.run_id or 0)
    twin_logged = twin_store.cell_writes(whole.run_id or 0)
    assert [(w.case_id, w.column, w.old_value, w.new_value) for w in logged] == [
        (w.case_id, w.column, w.old_value, w.new_value) for w in twin_logged
    ]
    # The next press plans every case again and finds nothing to write, as after one write.
    google_sheet.emulator.clear_requests()
    again = engine(google_sheet, 60).sync(now=NOW + timedelta(minutes=5))
    assert again.cells_written == 0
    assert value_writes(google_sheet) == 0


def typed_cells(sheet: GoogleSheet) -> list[list[Any]]:
    """Each row's cells of the columns people type in."""
    return [[record[key] for key in USER_KEYS] for record in sheet.records()]


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [row["case_id"] for row in rows]


def test_undoing_a_fill_written_in_parts_puts_every_cell_back(google_sheet: GoogleSheet) -> None:
    """Undo of a run written in parts: the Cases tab is again exactly what the team typed."""
    google_sheet.type_rows(team_rows(12))
    typed = tab(google_sheet, "Cases")
    typed_records = google_sheet.records()
    report = engine(google_sheet, 50).sync(now=NOW)
    assert report.run_id is not None and report.cells_written > 12 * 10
    assert tab(google_sheet, "Cases") != typed
    undone = google_sheet.runtime.undo(report.run_id, NOW + timedelta(minutes=1))
    assert undone.skipped == []
    assert undone.restored == len(google_sheet.runtime.store.cell_writes(report.run_id))
    assert google_sheet.records() == typed_records  # typed cells as typed, the rest blank


def test_a_fill_stopped_between_parts_keeps_what_it_wrote_and_the_next_press_finishes(
    google_sheet: GoogleSheet,
) -> None:
    """Google failing from the third write on: the run fails saying how many cells it wrote,
    the parts written are recorded (their events once), no typed cell changed, and the next
    press leaves the sheet as a sync that never failed."""
    rows = team_rows(18)
    twin = google_sheet.twin()
    twin.type_rows(rows)
    engine(twin, None).sync(now=NOW)

    google_sheet.type_rows(rows)
    typed = typed_cells(google_sheet)
    google_sheet.emulator.clear_requests()
    google_sheet.emulator.inject_fault("503", kinds="values.batchUpdate", at=range(3, 100))
    google_sheet.runtime._backend = google_sheet.backend(budget=0.3, attempts=2)
    with pytest.raises(BackendUnavailableError) as failed:
        engine(google_sheet, 60).sync(now=NOW)
    google_sheet.emulator.clear_faults()
    google_sheet.fresh_runtime()
    assert "wrote" in str(failed.value) and "cells, then failed" in str(failed.value)
    runs = google_sheet.runtime.store.list_runs(google_sheet.runtime.sheet_key)
    assert runs[0].outcome == "failed" and runs[0].counts["cells_written"] > 0
    assert typed_cells(google_sheet) == typed
    recorded = google_sheet.runtime.store.timelines(google_sheet.runtime.sheet_key, ids(rows))
    assert len(recorded) > 0

    again = engine(google_sheet, 60).sync(now=NOW)
    assert tab(google_sheet, "Cases") == tab(twin, "Cases")
    assert sorted(without_run(tab(google_sheet, "Timeline"))) == sorted(
        without_run(tab(twin, "Timeline"))
    )
    after = google_sheet.runtime.store.timelines(google_sheet.runtime.sheet_key, ids(rows))
    assert len(after) == len(recorded) + again.timeline_events
    assert len({e.event_key for e in after}) == len(after)  # each event recorded once


def test_a_sheet_with_a_blank_case_id_is_not_written_in_parts(google_sheet: GoogleSheet) -> None:
    """New ids go first, alone, and are read back before any other cell: a row with a blank
    Case ID keeps the sync to the writes a one-write engine makes, and its new id lands on its
    row."""
    rows = team_rows(10)
    rows[6] = {**rows[6], "case_id": "", "customer": "新客户 张伟"}
    twin = google_sheet.twin()
    twin.type_rows(rows)
    twin.emulator.clear_requests()
    engine(twin, None).sync(now=NOW)
    whole = [r.kind for r in twin.emulator.requests()]

    google_sheet.type_rows(rows)
    google_sheet.emulator.clear_requests()
    engine(google_sheet, 30).sync(now=NOW)
    assert [r.kind for r in google_sheet.emulator.requests()] == whole
    with_id = [r for r in google_sheet.emulator.requests() if b"AS-251010-0001" in r.raw_body]
    assert b"bhiner@" not in with_id[0].raw_body  # no service cell goes with the new id
    assert b"bhiner@" in with_id[1].raw_body  # the service cells, after it was read back
    records = google_sheet.records()
    assert records[6]["customer"] == "新客户 张伟"
    assert records[6]["case_id"] == "AS-251010-0001"
    assert records[6]["computed_for"] == "AS-251010-0001"
    assert tab(google_sheet, "Cases") == tab(twin, "Cases")
