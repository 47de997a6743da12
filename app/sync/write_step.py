"""The write step of a sync: layout, then the cells, each batch's previous values staged in
the store first (so a run whose process dies after the write can still be undone).

An atomic backend (the workbook) takes every cell in one write, refused if the file changed
since the read. A positional backend (Google) has no conditional write, so new ids go first,
alone; they are read back to check they landed on the rows meant (a sort may have moved rows
under them), displaced ones are restored, and the sheet is planned again before the service
cells are written.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from app.errors import ConcurrentEditError
from app.probe import WROTE_IDS
from app.store import CellWrite
from app.sync.idcheck import check_fills
from app.sync.report import SyncReport, _Prepared
from sheet_schema import ParseContext

if TYPE_CHECKING:
    from app.sync.engine import SyncEngine

# How many times new ids are written and checked before the sync leaves the rest to the next.
ID_ROUNDS = 3


def write_plan(
    engine: SyncEngine, prepared: _Prepared, report: SyncReport, now: datetime, run_id: int
) -> _Prepared:
    """Lay out, stage the previous values, write; return the plan that was written (on a
    positional backend, the one planned again after the new ids landed)."""
    report.layout_changes = engine.backend.apply_layout(prepared.layouts)
    find_formulas = getattr(engine.backend, "find_formulas", None)
    if find_formulas is not None and find_formulas(
        [(u.tab, u.row, u.col) for u in prepared.id_fills]
    ):
        # A blank-looking id or date that is a person's formula: plan again, so that row is
        # named in Validation instead of filled (rule 1: never write a person's cell).
        prepared = engine._prepare(now, run_id)
    if engine.backend.atomic or not prepared.id_fills:
        cells = [*prepared.id_fills, *prepared.updates]
        if cells or report.layout_changes:
            _stage(engine, run_id, prepared, prepared.plan.writes)
            try:
                result = engine.backend.write(cells, expect_version=prepared.version)
            except ConcurrentEditError:
                _discard(engine, run_id)  # refused: nothing written; a re-plan stages anew
                raise
            except Exception:
                if engine.backend.atomic:
                    _discard(engine, run_id)  # all or nothing, and it was nothing
                raise
            report.cells_written = result.cells
        return prepared
    # A positional backend (Google): new ids alone first, read back to check they landed
    # on the rows meant (a sort may have moved rows under them), then plan again on the
    # sheet as it now is and write the service cells.
    written = 0
    fill_writes = [w for w in prepared.plan.writes if w.column in ("case_id", "opened")]
    current = prepared
    reserve: dict[str, int] = {}
    for update in prepared.updates:  # room for the service write that follows
        reserve[update.tab] = max(reserve.get(update.tab, 0), update.row)
    for _ in range(ID_ROUNDS):
        _stage(engine, run_id, current, fill_writes)
        engine.backend.write(current.id_fills, reserve_rows=reserve)
        engine.probe(WROTE_IDS)
        written += len(current.id_fills)
        report.cells_written = written  # so far: a failure from here on says what was written
        again = engine._prepare(now, run_id)
        restores, displaced = check_fills(
            current.case_rows,
            again.case_rows,
            current.id_fills,
            current.case_headers,
            ParseContext(tz=engine.tz),
        )
        if restores:
            engine.backend.write(restores)
            written += len(restores)
            report.cells_written = written
            report.notes.append(f"{len(displaced)} new id(s) landed on a moved row; restored")
            again = engine._prepare(now, run_id)
        current = again
        if not current.id_fills:
            break
        fill_writes += [w for w in current.plan.writes if w.column in ("case_id", "opened")]
    planned = set(current.plan.writes)  # sets: a first sync plans 100,000s of cells
    current.plan.writes[:0] = [w for w in fill_writes if w not in planned]
    _stage(engine, run_id, current, current.plan.writes)
    fills = set(current.id_fills)
    cells = [u for u in current.updates if u not in fills]
    if cells:
        engine.backend.write(cells)
        written += len(cells)
    report.cells_written = written
    return current


def _discard(engine: SyncEngine, run_id: int) -> None:
    """Forget the previous values staged for a write that did not happen, so that the run's
    record holds exactly the cells it wrote (undo of it must not restore another run's)."""
    engine.store.stage_cell_writes(run_id, [])


def _stage(engine: SyncEngine, run_id: int, prepared: _Prepared, writes: list[CellWrite]) -> None:
    """Store the previous values before writing the cells (see the module doc)."""
    engine.store.stage_cell_writes(run_id, writes)
    prepared.staged = writes
