"""Runs whose process died: closed as interrupted by the sheet's next run, and undoable thanks
to the cell writes staged before the sheet was written (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from app.store import CellWrite, Store
from app.sync.row_cells import CaseCellUpdate

from .conftest import T0

WRITES = [
    CellWrite("Cases", "C-1", "case_id", "Case ID", None, "C-1", 2),
    CellWrite("Cases", "C-1", "sla_state", "SLA State", "On track", "Due soon", 2),
]
LATE = CellWrite("Cases", "C-2", "sla_state", "SLA State", None, "Overdue", 3)


def test_next_run_of_the_sheet_closes_a_dead_run_as_interrupted(store: Store) -> None:
    """A run left unfinished is closed as 'interrupted' when the sheet's next run starts; runs
    of other sheets and finished runs are left alone."""
    done = store.start_run("sheet-1", "manual", T0, "workbook")
    store.finish_run(done, T0, "ok", {"cells_written": 2})
    other = store.start_run("sheet-2", "manual", T0, "workbook")
    dead = store.start_run("sheet-1", "manual", T0 + timedelta(minutes=1), "workbook")
    later = T0 + timedelta(minutes=5)
    repair = store.start_run("sheet-1", "manual", later, "workbook")

    closed = store.get_run(dead)
    assert closed is not None
    assert (closed.outcome, closed.finished_at) == ("interrupted", later)
    assert closed.message is not None and f"run {repair}" in closed.message
    assert [(r.id, r.outcome) for r in store.list_runs("sheet-1")] == [
        (repair, None),
        (dead, "interrupted"),
        (done, "ok"),
    ]
    untouched = store.get_run(other)
    assert untouched is not None and untouched.outcome is None


def test_a_run_closed_as_interrupted_that_was_alive_still_finishes(store: Store) -> None:
    """A run closed as interrupted that was in fact alive (a second process syncing the sheet
    without the service's lock) finishes normally, replacing the verdict."""
    alive = store.start_run("sheet-1", "manual", T0, "workbook")
    store.start_run("sheet-1", "manual", T0, "workbook")
    store.finish_run(alive, T0 + timedelta(seconds=3), "ok", {"cells_written": 1})
    run = store.get_run(alive)
    assert run is not None and (run.outcome, run.counts) == ("ok", {"cells_written": 1})


def test_staged_writes_are_replaced_and_stay_when_the_record_never_comes(
    store: Store, new_run: Callable[..., int]
) -> None:
    """Staging again (a re-plan) replaces what was staged, a run that dies before its record
    keeps the staged writes for undo, and `record_sync` appends the writes it is given."""
    run_id = new_run()
    store.stage_cell_writes(run_id, [LATE])
    store.stage_cell_writes(run_id, WRITES)
    assert store.cell_writes(run_id) == WRITES  # what a killed run leaves for undo

    store.record_sync("sheet-1", run_id, [], [], [LATE])
    assert store.cell_writes(run_id) == [*WRITES, LATE]


def test_a_planned_case_cell_is_staged_as_the_cell_write_it_stands_for(
    store: Store, new_run: Callable[..., int]
) -> None:
    """The planner's case cell (one object for the cell and its record) is staged and read back
    as the `CellWrite` undo restores from: tab, case, column, header, both values, row."""
    run_id = new_run()
    cell = CaseCellUpdate(
        "个案",
        7,
        12,
        "请补充照片",
        None,
        case_id="AS-251127-0042",
        column="next_action",
        header="下一步",
        old_value="=旧公式",
    )
    store.stage_cell_writes(run_id, [cell, LATE])
    assert store.cell_writes(run_id) == [
        CellWrite("个案", "AS-251127-0042", "next_action", "下一步", "=旧公式", "请补充照片", 7),
        LATE,
    ]
