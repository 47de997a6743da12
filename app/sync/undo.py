"""Undo a run: put back the previous value of every cell it wrote, where nobody changed it since.

Cells are found by Case ID again (rows may have moved since the run). A cell whose value is no
longer the one the run wrote was changed by a person or a later run, and is left alone and
reported. The undo is itself a recorded run, so it can be undone too. The Timeline is an
append-only log and is not rewound.

Write-ahead, as a sync: the cells the undo is about to restore are staged in the store (as its
own run's cell writes) before the sheet is written, and the undone run is marked undone in the
same transaction that finishes the undo. So a process killed at any step leaves an undo run
that is unfinished (closed as "interrupted" by the next run) with its cells staged; the next
undo of the same run does not start another, it finishes that one: cells it already restored
are kept in its record (never restored twice), the rest are restored now. A sync in between
names the unfinished undo in its notes.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from app.errors import AftersalesError, ConflictError, NotFoundError
from app.probe import UNDO_RECORDED, UNDO_STAGED, UNDO_WROTE, Probe, no_probe
from app.sheets.backend import CellUpdate, SheetBackend, SheetData, TabData
from app.store import CaseSnapshot, CellWrite, RunRecord, Store
from app.store.repository import INTERRUPTED
from app.sync.hand_edits import PREFIX as WROTE_PREFIX
from app.sync.hand_edits import WATCHED
from app.sync.values import same_value
from sheet_schema import (
    HeaderMap,
    ParseContext,
    SheetSchema,
    find_tabs,
    is_blank,
    load_schema,
    match_headers,
    strip_control,
)

UNDO_PREFIX = "undo:"  # an undo run's trigger: "undo:<the run it undoes>"


class NothingToUndoError(ConflictError):
    code = "nothing_to_undo"


@dataclass(slots=True)
class UndoReport:
    run_id: int  # the undo's own run
    undone_run: int
    restored: int = 0
    skipped: list[str] = field(default_factory=list)
    # Cells an earlier, interrupted attempt of this undo had already restored (counted in
    # `restored`); None when the undo ran in one go.
    resumed: int | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "undone_run": self.undone_run,
            "restored": self.restored,
            "skipped": len(self.skipped),
        }


def undo_target(run: RunRecord) -> int | None:
    """The run an undo run undoes (None for a sync)."""
    if not run.trigger.startswith(UNDO_PREFIX):
        return None
    number = run.trigger.removeprefix(UNDO_PREFIX)
    return int(number) if number.isdigit() else None


def undo_run(
    backend: SheetBackend,
    store: Store,
    *,
    sheet_key: str,
    run_id: int,
    now: datetime,
    ctx: ParseContext,
    schema: SheetSchema | None = None,
    tab_names: Mapping[str, str] | None = None,
    probe: Probe | None = None,
) -> UndoReport:
    """Undo `run_id`; the caller holds the sheet's lock (app/service/locks.py)."""
    schema = schema or load_schema()
    run = store.get_run(run_id)
    if run is None or run.sheet_key != sheet_key:
        raise NotFoundError(f"Run {run_id} does not exist for {backend.describe()}.")
    if run.undone_by is not None:
        raise ConflictError(f"Run {run_id} was already undone by run {run.undone_by}.")
    writes = store.cell_writes(run_id)
    unfinished = _unfinished_undo(store, sheet_key, run_id)
    if not writes and unfinished is None:
        raise NothingToUndoError(f"run {run_id} wrote nothing; nothing to undo.")
    started = time.perf_counter()
    if unfinished is not None:
        undo_id, earlier = unfinished.id, store.cell_writes(unfinished.id)
    else:
        undo_id, earlier = (
            store.start_run(sheet_key, f"{UNDO_PREFIX}{run_id}", now, backend.name),
            [],
        )
    step = _Undo(backend, store, sheet_key, run_id, undo_id, ctx, schema, tab_names or {})
    step.probe = probe or no_probe
    try:
        report = step.run(writes, earlier, now, started)
    except Exception as exc:
        step.failed(exc, earlier, now)
        raise
    if unfinished is not None:
        report.resumed = len(step.kept)
    return report


def unfinished_undos(store: Store, sheet_key: str) -> list[str]:
    """A note for each undo of the sheet that stopped midway (a sync reports them)."""
    notes = []
    for run in store.interrupted_runs(sheet_key, UNDO_PREFIX):
        target = undo_target(run)
        notes.append(
            f"run {run.id} (undo of run {target}) stopped before it finished; "
            f"undo run {target} again to finish it"
        )
    return notes


def _unfinished_undo(store: Store, sheet_key: str, run_id: int) -> RunRecord | None:
    """An undo of `run_id` whose process stopped midway (the one to finish, not to repeat)."""
    for run in store.runs_with_trigger(sheet_key, f"{UNDO_PREFIX}{run_id}"):
        if run.finished_at is None or run.outcome == INTERRUPTED:
            return run
    return None


@dataclass(frozen=True, slots=True)
class _CasesTab:
    """The Cases tab as an undo reads it: its rows found by Case ID (0-based row numbers)."""

    data: SheetData
    tab: TabData
    headers: HeaderMap
    rows_by_id: dict[str, list[int]]


@dataclass
class _Undo:
    backend: SheetBackend
    store: Store
    sheet_key: str
    run_id: int
    undo_id: int
    ctx: ParseContext
    schema: SheetSchema
    tab_names: Mapping[str, str]
    probe: Probe = no_probe
    kept: list[CellWrite] = field(default_factory=list)  # restored by an earlier attempt
    wrote: bool = False  # the sheet write went out (or may have, on a positional backend)

    def run(
        self, writes: list[CellWrite], earlier: list[CellWrite], now: datetime, started: float
    ) -> UndoReport:
        report = UndoReport(run_id=self.undo_id, undone_run=self.run_id)
        cases = self._read_cases()
        done = self._already_restored(cases, earlier)
        updates, fresh = self._restorations(cases, writes, done, report)

        # Write-ahead: what this undo restores is stored before the sheet is written.
        self.store.stage_cell_writes(self.undo_id, [*self.kept, *fresh])
        self.probe(UNDO_STAGED)
        if updates:
            self.wrote = not self.backend.atomic  # a positional write may land in part
            self.backend.write(updates, expect_version=cases.data.version)
            self.wrote = True
        self.probe(UNDO_WROTE)
        self._remember_restored(fresh)
        report.restored = len(self.kept) + len(updates)
        resumed = f" (finishing the undo that stopped after {len(self.kept)} cells)"
        self.store.finish_undo(
            self.undo_id,
            self.run_id,
            now,
            {
                "cells_written": report.restored,
                "skipped": len(report.skipped),
                "duration_ms": int((time.perf_counter() - started) * 1000),
            },
            f"undid run {self.run_id}" + (resumed if self.kept else ""),
        )
        self.probe(UNDO_RECORDED)
        return report

    def _read_cases(self) -> _CasesTab:
        """The Cases tab as it is now (under whatever title it has now)."""
        data = self.backend.read(
            lambda titles: list(find_tabs(self.schema, titles, self.tab_names).values())
        )
        title = find_tabs(self.schema, data.titles, self.tab_names).get("cases")
        tab = data.tabs.get(title or "")
        if tab is None or not tab.rows:
            raise NotFoundError(
                f"The Cases tab of {self.backend.describe()} is gone; nothing to undo."
            )
        headers = match_headers(self.schema.tab("cases"), tab.title, tab.rows[0])
        return _CasesTab(data, tab, headers, _rows_by_id(tab, headers))

    def _already_restored(self, cases: _CasesTab, earlier: list[CellWrite]) -> set[tuple[str, str]]:
        """What an interrupted attempt of this undo restored: the cells that still hold the
        value it restored stay in its record (`kept`) and are not written again."""
        spec_tab = self.schema.tab("cases")
        tab, headers = cases.tab, cases.headers
        done: set[tuple[str, str]] = set()
        for write in earlier:
            r = _locate(cases.rows_by_id, write.case_id, write.row_hint, len(tab.rows))
            col = headers.positions.get(write.column)
            if r is None or col is None:
                continue
            spec = spec_tab.column(write.column)
            if same_value(spec, tab.cell(r, col), write.new_value, self.ctx):
                self.kept.append(write)
                done.add((write.case_id, write.column))
        return done

    def _restorations(
        self,
        cases: _CasesTab,
        writes: list[CellWrite],
        done: set[tuple[str, str]],
        report: UndoReport,
    ) -> tuple[list[CellUpdate], list[CellWrite]]:
        """The cells to put back (and their record); a cell changed since the run, or whose
        row cannot be found, is skipped and named in the report."""
        spec_tab = self.schema.tab("cases")
        tab, headers = cases.tab, cases.headers
        updates: list[CellUpdate] = []
        fresh: list[CellWrite] = []
        # Every cell a run writes is in the Cases tab (the planner's writes), under whatever
        # title that tab has now. Undo the Case ID fills last: other cells are found by that id.
        # A run that blanked a Case ID (an undo of a fill) is found where it wrote that row.
        blanked = {w.case_id for w in writes if w.column == "case_id" and _blank(w.new_value)}
        id_col = headers.positions.get("case_id")
        for write in sorted(writes, key=lambda w: w.column == "case_id"):
            key = _key(write)
            if (key, write.column) in done:
                continue
            matches = cases.rows_by_id.get(key, [])
            if not matches and key in blanked and write.row_hint is not None:
                hinted = write.row_hint - 1
                if (
                    id_col is not None
                    and 1 <= hinted < len(tab.rows)
                    and _blank(tab.cell(hinted, id_col))
                ):
                    matches = [hinted]
            col = headers.positions.get(write.column)
            if len(matches) != 1 or col is None:
                report.skipped.append(f"{write.header} of {key}: row not found")
                continue
            r = matches[0]
            spec = spec_tab.column(write.column)
            current = tab.cell(r, col)
            if not same_value(spec, current, write.new_value, self.ctx):
                report.skipped.append(f"{write.header} of {key}: changed since run {self.run_id}")
                continue
            updates.append(
                CellUpdate(tab.title, r + 1, col + 1, write.old_value, spec.number_format)
            )
            fresh.append(
                CellWrite(
                    tab.title, key, write.column, write.header, current, write.old_value, r + 1
                )
            )
        return updates, fresh

    def _remember_restored(self, restored: list[CellWrite]) -> None:
        """The service's own earlier values are back in these cells: remember them as what it
        wrote, so the next sync does not name them as a person's edit of a service column."""
        watched = [w for w in restored if w.column in WATCHED]
        if not watched:
            return
        snapshots = self.store.load_snapshots(self.sheet_key)
        changed: dict[str, CaseSnapshot] = {}
        for write in watched:
            snapshot = changed.get(write.case_id) or snapshots.get(write.case_id)
            if snapshot is None or WROTE_PREFIX + write.column not in snapshot.values:
                continue
            values = {**snapshot.values, WROTE_PREFIX + write.column: write.new_value}
            changed[write.case_id] = CaseSnapshot(write.case_id, values, snapshot.seq)
        self.store.save_snapshots(self.sheet_key, self.undo_id, list(changed.values()))

    def failed(self, exc: Exception, earlier: list[CellWrite], now: datetime) -> None:
        """Record how the undo ended. Cells that may be restored stay staged and the run stays
        open to be finished ("interrupted"); otherwise its staging is dropped ("failed")."""
        message = exc.message if isinstance(exc, AftersalesError) else type(exc).__name__
        try:
            if not self.wrote:
                self.store.stage_cell_writes(self.undo_id, self.kept or earlier)
            staged = len(self.store.cell_writes(self.undo_id))
            if staged:
                self.store.finish_run(
                    self.undo_id,
                    now,
                    INTERRUPTED,
                    {"cells_written": staged},
                    f"undo of run {self.run_id} restored up to {staged} cells, then failed: "
                    f"{message}; undo run {self.run_id} again to finish it",
                )
            else:
                self.store.finish_run(
                    self.undo_id, now, "failed", {}, f"undo of run {self.run_id} failed: {message}"
                )
        except AftersalesError:
            pass  # the store is failing too: the run is closed as interrupted by the next


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and is_blank(value))


def _key(write: CellWrite) -> str:
    """The Case ID a written cell's row has after the run: a filled id is the new value."""
    if write.column == "case_id" and not _blank(write.new_value):
        return str(write.new_value)
    return write.case_id


def _rows_by_id(tab: TabData, headers: HeaderMap) -> dict[str, list[int]]:
    id_col = headers.positions.get("case_id")
    rows_by_id: dict[str, list[int]] = defaultdict(list)
    for r in range(1, len(tab.rows)):
        value = tab.cell(r, id_col) if id_col is not None else None
        if isinstance(value, str) and not is_blank(value):
            rows_by_id[strip_control(value).strip()].append(r)  # the id as the sync read it
    return rows_by_id


def _locate(
    rows_by_id: Mapping[str, list[int]], case_id: str, row_hint: int | None, rows: int
) -> int | None:
    """The row of a cell an interrupted undo staged: by its case id, or (once the undo put
    that row's new Case ID back to blank) where the undo found it."""
    matches = rows_by_id.get(case_id, [])
    if len(matches) == 1:
        return matches[0]
    if not matches and row_hint is not None and 1 <= row_hint - 1 < rows:
        return row_hint - 1
    return None
