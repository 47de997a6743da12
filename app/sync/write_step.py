"""The write step of a sync: layout, then the cells, each batch's previous values staged in
the store first (so a run whose process dies after the write can still be undone).

An atomic backend (the workbook) takes every cell in one write, refused if the file changed
since the read. A positional backend (Google) has no conditional write, so new ids go first,
alone; they are read back to check they landed on the rows meant (a sort may have moved rows
under them), displaced ones are restored, and the sheet is planned again before the service
cells are written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.errors import ConcurrentEditError
from app.probe import WROTE_IDS, Probe
from app.sheets.backend import SheetBackend
from app.store import PlannedWrite, Store
from app.sync.idcheck import check_fills
from app.sync.report import PreparedSync, SyncReport
from sheet_schema import ParseContext

# How many times new ids are written and checked before the sync leaves the rest to the next.
ID_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class WriteStep:
    """Writes one run's prepared sync: the backend to write, the store to stage the previous
    values in, and `replan` to plan again on the sheet as it now is (new ids landed, or a
    person's formula was found where one would be filled)."""

    backend: SheetBackend
    store: Store
    run_id: int
    replan: Callable[[], PreparedSync]
    ctx: ParseContext  # parses the case rows read back after new ids were written
    probe: Probe

    def write(self, prepared: PreparedSync, report: SyncReport) -> PreparedSync:
        """Lay out, stage the previous values, write; return the plan that was written (on a
        positional backend, the one planned again after the new ids landed)."""
        report.layout_changes = prepared.laid_out + self.backend.apply_layout(prepared.layouts)
        if self.backend.find_formulas([(u.tab, u.row, u.col) for u in prepared.id_fills]):
            # A blank-looking id or date that is a person's formula: plan again, so that row
            # is named in Validation instead of filled (rule 1: never write a person's cell).
            prepared = self.replan()
        if self.backend.atomic or not prepared.id_fills:
            self._write_at_once(prepared, report)
            return prepared
        return self._write_ids_first(prepared, report)

    def _write_at_once(self, prepared: PreparedSync, report: SyncReport) -> None:
        """Every cell in one write (all or nothing on an atomic backend)."""
        # (not a copy of 284,000 cells at a first fill when there is no id to put first)
        cells = [*prepared.id_fills, *prepared.updates] if prepared.id_fills else prepared.updates
        if not cells and not report.layout_changes:
            return
        self._stage(prepared, prepared.plan.writes)
        try:
            result = self.backend.write(cells, expect_version=prepared.version)
        except ConcurrentEditError:
            self._discard()  # refused: nothing written; a re-plan stages anew
            raise
        except Exception:
            if self.backend.atomic:
                self._discard()  # all or nothing, and it was nothing
            raise
        report.cells_written += result.cells  # (after the parts a streamed run wrote)

    def _write_ids_first(self, prepared: PreparedSync, report: SyncReport) -> PreparedSync:
        """A positional backend (Google): new ids alone first, read back to check they landed
        on the rows meant (a sort may have moved rows under them), then plan again on the
        sheet as it now is and write the service cells."""
        written = 0
        fill_writes = _id_writes(prepared)
        current = prepared
        reserve: dict[str, int] = {}
        for update in prepared.updates:  # room for the service write that follows
            reserve[update.tab] = max(reserve.get(update.tab, 0), update.row)
        for _ in range(ID_ROUNDS):
            self._stage(current, fill_writes)
            self.backend.write(current.id_fills, reserve_rows=reserve)
            self.probe(WROTE_IDS)
            written += len(current.id_fills)
            report.cells_written = written  # so far: a failure from here on says what was written
            current, restored = self._check_ids_landed(current, report)
            written += restored
            report.cells_written = written
            if not current.id_fills:
                break
            fill_writes += _id_writes(current)
        planned = set(current.plan.writes)  # sets: a first sync plans 100,000s of cells
        current.plan.writes[:0] = [w for w in fill_writes if w not in planned]
        self._stage(current, current.plan.writes)
        fills = set(current.id_fills)
        cells = [u for u in current.updates if u not in fills]
        if cells:
            self.backend.write(cells)
            written += len(cells)
        report.cells_written = written
        return current

    def _check_ids_landed(
        self, written: PreparedSync, report: SyncReport
    ) -> tuple[PreparedSync, int]:
        """Plan again on the sheet as it now is; put back the cells of rows a new id landed on
        after they moved. Returns the new plan and how many cells were restored."""
        again = self.replan()
        restores, displaced = check_fills(
            written.case_rows, again.case_rows, written.id_fills, written.case_headers, self.ctx
        )
        if not restores:
            return again, 0
        self.backend.write(restores)
        report.cells_written += len(restores)  # before planning again, which may fail
        report.notes.append(f"{len(displaced)} new id(s) landed on a moved row; restored")
        return self.replan(), len(restores)

    def _discard(self) -> None:
        """Forget the previous values staged for a write that did not happen, so that the
        run's record holds exactly the cells it wrote (undo of it must not restore another
        run's)."""
        self.store.stage_cell_writes(self.run_id, [])

    def _stage(self, prepared: PreparedSync, writes: list[PlannedWrite]) -> None:
        """Store the previous values before writing the cells (see the module doc); after the
        parts a streamed run wrote, beside theirs."""
        if prepared.streamed:
            self.store.record_cell_writes(self.run_id, writes)
        else:
            self.store.stage_cell_writes(self.run_id, writes)
        prepared.staged = writes
        if writes is prepared.plan.writes:
            # The store holds them now, and the run's record and its undo read them there. The
            # cells themselves are the updates' own objects (`CaseCellUpdate`), so emptying the
            # list lets go of the list only (1 MB at a 10,000-case first fill), before the
            # write, where a sync peaks (`unstaged_writes` still sees it staged).
            writes.clear()


def _id_writes(prepared: PreparedSync) -> list[PlannedWrite]:
    """The plan's writes of new ids and Opened dates (the cells written before the rest)."""
    return [w for w in prepared.plan.writes if w.column in ("case_id", "opened")]
