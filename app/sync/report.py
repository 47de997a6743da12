"""What a sync reports (`SyncReport`, printed by `--json` and the API) and what its planning
step hands to its writing step (`PreparedSync`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.analytics import KpiReport
from app.sheets.backend import CellUpdate, TabLayout, Write
from app.store import PlannedWrite, TimelineEvent
from app.sync.planner import CaseResult, CasesPlan
from app.sync.rows import SheetRow
from policies.sharing import Pool
from sheet_schema import HeaderMap
from sheet_schema.messages import Language


@dataclass(slots=True)
class SyncReport:
    """The outcome of one sync; `as_json` is what `--json` and the API print."""

    run_id: int | None
    backend: str
    sheet_key: str
    cases: int = 0
    new_cases: int = 0
    cells_written: int = 0
    timeline_events: int = 0
    errors: int = 0
    warnings: int = 0
    layout_changes: int = 0
    duration_ms: int = 0
    replans: int = 0
    dry_run: bool = False
    results: list[CaseResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # What the sheet as a whole lacks (a missing evidence column, ...): said once, not per row.
    sheet_notes: list[str] = field(default_factory=list)
    kpis: KpiReport | None = None
    # Incremental evaluation: cases whose planning was reused; on a full recalculation, the
    # cases the cache would have reused but whose recomputation differed (0 when it is right).
    cases_reused: int = 0
    cache_mismatches: list[str] = field(default_factory=list)
    language: Language = "en"  # the team language the sheet was written in

    @property
    def all_notes(self) -> list[str]:
        """What a person should read besides the counts: the sheet's notes, then the run's."""
        return [*self.sheet_notes, *self.notes]

    @property
    def findings(self) -> int:
        return self.errors + self.warnings

    def as_json(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "backend": self.backend,
            "cases": self.cases,
            "new_cases": self.new_cases,
            "cells_written": self.cells_written,
            "timeline_events": self.timeline_events,
            "findings": self.findings,
            "errors": self.errors,
            "warnings": self.warnings,
            "duration_ms": self.duration_ms,
            "notes": self.all_notes,
        }


@dataclass(slots=True)
class PreparedSync:
    """A sync planned on one read of the sheet: the layout and cells to write, the plan's
    cases, events and snapshots to record; the write step writes it (app/sync/write_step.py)."""

    version: str | None  # the read's version: a write is refused if the sheet changed since
    layouts: list[TabLayout]
    id_fills: list[CellUpdate]
    updates: list[Write]
    plan: CasesPlan
    events: list[TimelineEvent]
    case_rows: list[SheetRow]
    case_headers: HeaderMap
    kpis: KpiReport | None = None
    notes: list[str] = field(default_factory=list)  # about the sheet's tabs, for the summary
    # The cell writes already stored ahead of the sheet write (`Store.stage_cell_writes`).
    staged: list[PlannedWrite] | None = None  # the writes last staged in the store (write_step)
    language: Language = "en"  # the team language the sheet is written in
    # A streamed run (app/sync/stream_step.py): the layout changes made before planning, and
    # the parts of its cases already written and recorded (what is left is staged after them).
    laid_out: int = 0
    streamed: int = 0
    # The planning's one object for equal values (policies/sharing.py), which its cached cases
    # share: the cache compaction copies each of them once (app/sync/cache_compaction.py).
    pool: Pool = field(default_factory=dict)
