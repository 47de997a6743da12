"""The sync planner: from the sheet as read to the minimal set of cells to write. Pure.

Given typed rows, the store's memory of each case and the time, it decides:
- the new Case IDs and Opened times (the only user-owned cells ever written, and only blank ones);
- each row's service-owned values, written only where they differ from what the cell holds;
- the Timeline events seen since the last sync, each with a deterministic key so an interrupted
  or repeated sync records it exactly once;
- the snapshots the store keeps for the next comparison.

This module walks the rows and hands out Case IDs; one case's planning is in case_plan.py, the
cells of a row in row_cells.py, the planner's inputs and outputs in plan_types.py.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from app.sync.case_plan import (
    SNAPSHOT_KEYS,
    CaseRow,
    case_opened,
    plan_case,
    plan_duplicate_id,
    plan_unaddressable,
)
from app.sync.incremental import plan_marks, plan_or_reuse, settle, take_cached
from app.sync.plan_types import CaseResult, CasesInput, CasesPlan, PlannedChunk
from app.sync.reuse import ReuseOutcome
from app.sync.row_cells import clear_service_cells, fill_blank
from app.sync.rows import SheetRow
from app.sync.sheet_notes import missing_evidence_columns

_ID_PATTERN = re.compile(r"^AS-(\d{6})-(\d{4,})$")

__all__ = ["SNAPSHOT_KEYS", "CaseResult", "CasesInput", "CasesPlan", "plan_cases"]


def plan_cases(
    inp: CasesInput, progress: Callable[[int, int], None] | None = None, every: int = 500
) -> CasesPlan:
    """Every case row's cells, events and snapshot: blank rows cleared, missing ids and Opened
    dates filled, duplicated ids refused, every other case evaluated. `progress` is told
    (rows done, rows in all) every `every` rows and at the end."""
    plan = CasesPlan()
    total = len(inp.rows)
    # Each row's Case ID, read once: the ids to count, to allocate around and to reuse by.
    case_ids = [row.text("case_id") if row.values else None for row in inp.rows]
    counts = Counter(case_id for case_id in case_ids if case_id is not None)
    ids = _IdAllocator(inp.now.astimezone(inp.tz), inp.known_ids | frozenset(counts))
    now_wall = inp.now_wall
    hits = None
    if inp.reuse is not None:
        plan.reuse = ReuseOutcome()
        hits = None if inp.reuse.check else inp.reuse.hits

    chunks = _Chunks(inp, plan)
    for index, row in enumerate(inp.rows):
        if progress is not None and index % every == 0:
            progress(index, total)
        if index % inp.chunk == 0:
            chunks.start(index, case_ids, hits)
        if not row.values:
            clear_service_cells(plan, inp.headers, row)
            continue
        case_id = case_ids[index]
        if hits is not None and case_id is not None and plan.reuse is not None:
            cached = hits.get(row.row)
            if cached is not None:  # neither its snapshot nor its events were loaded
                take_cached(plan, plan.reuse, cached)
                continue
        before = plan_marks(plan)
        at = chunks.inp
        if case_id is None and row.has_issue("case_id"):
            plan_unaddressable(plan, at, row)  # a Case ID that cannot be read is not filled
            continue
        if case_id is None:
            case_id = ids.next()
            fill_blank(plan, at.headers, row, "case_id", case_id)
        snapshot = at.snapshots.get(case_id)
        opened = case_opened(plan, at, row, snapshot, now_wall)
        if counts[case_id] > 1:
            plan_duplicate_id(plan, at, row, case_id)
            continue
        case = CaseRow(row, case_id, snapshot, opened)
        if at.reuse is not None and plan.reuse is not None:
            plan_or_reuse(plan, at, at.reuse, plan.reuse, case, now_wall, before)
        else:
            plan_case(plan, at, case, now_wall)
    chunks.done()
    if progress is not None:
        progress(total, total)
    evaluations = (r.evaluation for r in plan.results)
    plan.notes.extend(
        missing_evidence_columns(inp.headers, evaluations, inp.policies, inp.language)
    )
    return plan


class _Chunks:
    """The rows being planned, a chunk at a time: `inp` is the input with the stored memory of
    the chunk's cases, and `chunk_planned` is told each chunk's results and events once it is
    planned."""

    def __init__(self, inp: CasesInput, plan: CasesPlan) -> None:
        self.base = self.inp = inp
        self.plan = plan
        self.results = self.events = 0  # where the chunk's results and events begin
        self.rows: Sequence[SheetRow] = ()  # the chunk's

    def start(
        self, first: int, case_ids: list[str | None], hits: Mapping[int, object] | None
    ) -> None:
        """Finish the chunk under way and load the memory of the next `chunk` rows' cases (the
        cases reused need none)."""
        self.done()
        base, rows = self.base, self.base.rows
        end = min(first + base.chunk, len(rows))
        wanted = [
            case_id
            for i in range(first, end)
            if (case_id := case_ids[i]) is not None and (hits is None or rows[i].row not in hits)
        ]
        snapshots, events = base.memory.load(wanted)
        self.inp = replace(base, snapshots=snapshots, events=events)
        self.rows = rows[first:end]

    def done(self) -> None:
        """Tell `chunk_planned` what the chunk under way planned."""
        plan, told = self.plan, self.base.chunk_planned
        if told is not None and len(plan.results) > self.results:
            told(
                PlannedChunk(
                    plan.results[self.results :],
                    {row.row: row for row in self.rows},
                    self.inp.events,
                    plan.events[self.events :],
                    plan,
                )
            )
        self.results, self.events = len(plan.results), len(plan.events)
        if plan.reuse is not None and self.base.reuse is not None:
            settle(plan.reuse, self.base.reuse, self.rows)


class _IdAllocator:
    """New Case IDs like AS-251127-0042: the day, then a number unique in this sheet's history."""

    def __init__(self, today: datetime, taken: frozenset[str]) -> None:
        self.day = today.strftime("%y%m%d")
        self.taken = set(taken)
        numbers = [
            int(m.group(2))
            for m in (_ID_PATTERN.match(t) for t in taken)
            if m and m.group(1) == self.day
        ]
        self.counter = max(numbers, default=0)

    def next(self) -> str:
        while True:
            self.counter += 1
            candidate = f"AS-{self.day}-{self.counter:04d}"
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
