"""Plain, immutable records the store accepts and returns.

Callers (sync orchestration, the API, undo) work with these dataclasses only and never see
SQLAlchemy rows, so the persistence layer can change without touching them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.values import CellValue, TimelineEvent

# The progress step of a run reserved before it could start (app/service/coordinator.py).
QUEUED = "queued"

__all__ = [
    "QUEUED",
    "CaseSnapshot",
    "CellValue",
    "CellWrite",
    "PlannedWrite",
    "RunRecord",
    "TimelineEvent",
]


@dataclass(frozen=True)
class RunRecord:
    """One sync (or undo) of one sheet. `finished_at` and `outcome` are None while it runs.

    Datetimes come back timezone-aware in UTC.
    """

    id: int
    sheet_key: str
    trigger: str
    backend: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None
    counts: dict[str, int]
    message: str | None
    undone_by: int | None
    # The run's progress (see RunRow): the step it is at ("queued" before it started), cases
    # done and the total when known.
    progress_step: str | None = None
    progress_done: int | None = None
    progress_total: int | None = None
    error_code: str | None = None  # the error a failed run ended with ("internal_error", ...)
    language: str | None = None  # the team language a sync wrote the sheet in

    @property
    def queued(self) -> bool:
        """Reserved for a press that had to be answered before its sync could start."""
        return self.finished_at is None and self.progress_step == QUEUED


class PlannedWrite(Protocol):
    """What the store keeps of a cell a run writes: a `CellWrite`, or a planned cell that
    carries the same (app/sync/row_cells.py's `CaseCellUpdate`: one object for the cell to
    write and its record, 7 MB fewer at a 10,000-case first fill)."""

    @property
    def tab(self) -> str: ...
    @property
    def case_id(self) -> str: ...
    @property
    def column(self) -> str: ...
    @property
    def header(self) -> str: ...
    @property
    def old_value(self) -> CellValue: ...
    @property
    def new_value(self) -> CellValue: ...
    @property
    def row_hint(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class CellWrite:
    """One cell a run wrote, with the value it replaced, so the run can be undone.

    `column` is the sheet_schema column key, `header` the header text found in the sheet,
    `row_hint` the 1-based row the cell was written at (writes are addressed by case id; the
    row is only a hint because people sort and insert rows).
    """

    tab: str
    case_id: str
    column: str
    header: str
    old_value: CellValue
    new_value: CellValue
    row_hint: int | None


@dataclass(frozen=True, slots=True)
class CaseSnapshot:
    """The last values the service saw for one case, to detect changes between syncs.

    `seq` is set by the store and increases by one on every save; pass back the seq you loaded
    (0 for a case the store has never seen) and the save is refused if it changed meanwhile.
    """

    case_id: str
    values: dict[str, CellValue]
    seq: int = 0


@dataclass(frozen=True, slots=True)
class CaseMarks:
    """Per case, what changes whenever its stored memory does: its snapshot's seq (0: none
    stored) and its Timeline events' (count, greatest id) (events are only ever inserted)."""

    snapshot_seqs: dict[str, int]
    event_marks: dict[str, tuple[int, int]]

    def of(self, case_id: str) -> tuple[int, tuple[int, int]]:
        return self.snapshot_seqs.get(case_id, 0), self.event_marks.get(case_id, (0, 0))

    def key(self, case_id: str) -> int:
        """`of(case_id)` as one integer, equal exactly when `of` is (each mark is a database
        id or count, below 2**64): the incremental cache keeps one per case, 44 bytes where the
        nested tuples took 140."""
        seq, (count, last) = self.of(case_id)
        return seq | count << 64 | last << 128
