"""A large sync on a positional backend (Google), written a part at a time as it is planned.

Why: planned whole, a 50,000-case first fill held every cell, Timeline event, snapshot and
notice until the write (about 230 MB above the read, 4.7 KB a case), and that was the sync's
peak. Streamed, each part's cells are written, and its events and snapshots recorded, as soon
as `cells` of them are planned; what the sync holds at once is one part, the results and the
rows as read.

Each part keeps the engine's order and rules (app/sync/engine.py): its cells are checked by
the write guard and their previous values staged in the store before they are written; its
notices are enqueued, then its snapshots and events recorded in one transaction. A process
that dies between parts leaves every earlier part written and recorded (the run can be undone)
and the rest to the next sync, which plans it as it would have.

Only a plan with no new ids or Opened dates streams: those are written first, alone, and read
back before any other cell (app/sync/write_step.py). The workbook never streams: its one write
is all or nothing. The Timeline's new rows are in time order within each part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.notify.outbox import Outbox
from app.notify.settings import NotifySettings
from app.sheets.backend import SheetBackend
from app.store import Store
from app.sync.case_plan import fills_wanted
from app.sync.guard import WriteGuard
from app.sync.plan_types import CasesPlan, ChunkPlanned, PlannedChunk
from app.sync.read_step import SheetRead
from app.sync.report import SyncReport
from app.sync.rows import SheetRow
from app.sync.tab_cells import TimelineAppend
from app.sync.workflow_tabs import enqueue_notices

__all__ = ["STREAM_CELLS", "StreamedWrite", "may_stream"]

# Planned cells that make a part (about 3,500 cases of a first fill, some 20 MB held): large
# enough that the parts' writes cost about the calls one write would (each call sends 2 MB;
# a 50,000-case first fill makes 36 write calls in parts, 35 in one write).
STREAM_CELLS = 100_000


def may_stream(backend: SheetBackend, case_rows: Sequence[SheetRow], from_rows: int) -> bool:
    """Whether a run may write its cases as it plans them: not on an atomic backend (the
    workbook: one write, all or nothing), not a Cases tab of fewer than `from_rows` rows, and
    not a plan that may fill new ids or Opened dates (written first, alone)."""
    return not backend.atomic and len(case_rows) >= from_rows and not fills_wanted(case_rows)


@dataclass(slots=True)
class StreamedWrite:
    """Writes and records a sync's planned cases a part at a time (`chunk_planned`, told each
    chunk once `measure`, the KPIs, has measured it); the engine writes and records what the
    last part leaves as it does for any sync."""

    backend: SheetBackend
    store: Store
    outbox: Outbox
    notify: NotifySettings
    sheet: SheetRead
    sheet_key: str
    run_id: int
    now: datetime
    report: SyncReport  # told the cells written and events recorded as each part goes
    timeline: TimelineAppend
    guard: WriteGuard
    measure: ChunkPlanned
    cells: int = STREAM_CELLS
    parts: int = 0  # parts written so far (a plan that streamed stages the rest after them)

    def chunk_planned(self, chunk: PlannedChunk) -> None:
        """Write the plan's cells once a part's worth is planned (between chunks of rows)."""
        self.measure(chunk)
        if len(chunk.plan.updates) >= self.cells:
            self.write_part(chunk.plan)

    def write_part(self, plan: CasesPlan) -> None:
        """Write, stage and record what the plan holds so far, then take it out of the plan."""
        cells = [*plan.updates, *self.timeline.rows(plan.events)]
        self.guard.check(cells)
        self.store.record_cell_writes(self.run_id, plan.writes)  # before the sheet write
        self.parts += 1
        result = self.backend.write(cells)
        self.report.cells_written += result.cells
        del cells
        enqueue_notices(self.outbox, plan.notices, self.notify, self.sheet_key, self.now)
        inserted = self.store.record_sync(
            self.sheet_key, self.run_id, plan.snapshots, plan.events, []
        )
        self.report.timeline_events += len(inserted)
        for written in (plan.updates, plan.writes, plan.events, plan.snapshots, plan.notices):
            written.clear()
