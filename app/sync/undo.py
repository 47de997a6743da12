"""Undo a run: put back the previous value of every cell it wrote, where nobody changed it since.

Cells are found by Case ID again (rows may have moved since the run). A cell whose value is no
longer the one the run wrote was changed by a person or a later run, and is left alone and
reported. The undo is itself a recorded run, so it can be undone too. The Timeline is an
append-only log and is not rewound.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from app.errors import AftersalesError, ConflictError, NotFoundError
from app.sheets.backend import CellUpdate, SheetBackend
from app.store import CellWrite, Store
from app.sync.values import same_value
from sheet_schema import (
    ParseContext,
    SheetSchema,
    find_tabs,
    is_blank,
    load_schema,
    match_headers,
    strip_control,
)


@dataclass(slots=True)
class UndoReport:
    run_id: int  # the undo's own run
    undone_run: int
    restored: int = 0
    skipped: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "undone_run": self.undone_run,
            "restored": self.restored,
            "skipped": len(self.skipped),
        }


def undo_run(
    backend: SheetBackend,
    store: Store,
    *,
    sheet_key: str,
    run_id: int,
    now: datetime,
    ctx: ParseContext,
    schema: SheetSchema | None = None,
) -> UndoReport:
    schema = schema or load_schema()
    run = store.get_run(run_id)
    if run is None or run.sheet_key != sheet_key:
        raise NotFoundError(f"Run {run_id} does not exist for {backend.describe()}.")
    if run.undone_by is not None:
        raise ConflictError(f"Run {run_id} was already undone by run {run.undone_by}.")
    started = time.perf_counter()
    writes = store.cell_writes(run_id)
    undo_id = store.start_run(sheet_key, f"undo:{run_id}", now, backend.name)
    try:
        return _undo(backend, store, sheet_key, run_id, undo_id, writes, now, ctx, schema, started)
    except Exception as exc:
        message = exc.message if isinstance(exc, AftersalesError) else repr(exc)
        store.finish_run(undo_id, now, "failed", {}, f"undo of run {run_id} failed: {message}")
        raise


def _undo(
    backend: SheetBackend,
    store: Store,
    sheet_key: str,
    run_id: int,
    undo_id: int,
    writes: list[CellWrite],
    now: datetime,
    ctx: ParseContext,
    schema: SheetSchema,
    started: float,
) -> UndoReport:
    report = UndoReport(run_id=undo_id, undone_run=run_id)
    spec_tab = schema.tab("cases")
    data = backend.read(lambda titles: list(find_tabs(schema, titles).values()))
    title = find_tabs(schema, data.titles).get("cases")
    tab = data.tabs.get(title or "")
    if tab is None or not tab.rows:
        raise NotFoundError(f"The Cases tab of {backend.describe()} is gone; nothing to undo.")
    headers = match_headers(spec_tab, tab.title, tab.rows[0])
    id_col = headers.positions.get("case_id")
    rows_by_id: dict[str, list[int]] = defaultdict(list)
    for r in range(1, len(tab.rows)):
        value = tab.cell(r, id_col) if id_col is not None else None
        if isinstance(value, str) and not is_blank(value):
            rows_by_id[strip_control(value).strip()].append(r)  # the id as the sync read it

    updates: list[CellUpdate] = []
    undo_writes: list[CellWrite] = []
    # Undo the Case ID fills last: other cells of the run are found by that id.
    for write in sorted(writes, key=lambda w: w.column == "case_id"):
        if write.tab != tab.title and write.tab != spec_tab.title:
            continue
        key = str(write.new_value) if write.column == "case_id" else write.case_id
        matches = rows_by_id.get(key, [])
        col = headers.positions.get(write.column)
        if len(matches) != 1 or col is None:
            report.skipped.append(f"{write.header} of {key}: row not found")
            continue
        r = matches[0]
        spec = spec_tab.column(write.column)
        current = tab.cell(r, col)
        if not same_value(spec, current, write.new_value, ctx):
            report.skipped.append(f"{write.header} of {key}: changed since run {run_id}")
            continue
        updates.append(CellUpdate(tab.title, r + 1, col + 1, write.old_value, spec.number_format))
        undo_writes.append(
            CellWrite(tab.title, key, write.column, write.header, current, write.old_value, r + 1)
        )
    if updates:
        backend.write(updates, expect_version=data.version)
    store.record_sync(sheet_key, undo_id, [], [], undo_writes)
    store.mark_undone(run_id, undo_id)
    report.restored = len(updates)
    store.finish_run(
        undo_id,
        now,
        "ok",
        {
            "cells_written": len(updates),
            "skipped": len(report.skipped),
            "duration_ms": int((time.perf_counter() - started) * 1000),
        },
        f"undid run {run_id}",
    )
    return report
