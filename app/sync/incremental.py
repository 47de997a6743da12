"""The planner's incremental step for one case: take its cached planning when the engine found
it standing (`Reuse.hits`), else plan it and cache the result when the planning was quiet
(app/sync/reuse.py says why that is enough). In a full recalculation (`Reuse.check`) every case
is planned and each one the cache would have given is compared with it. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from app.sync.case_plan import CaseRow, plan_case
from app.sync.plan_types import CasesInput, CasesPlan
from app.sync.reuse import (
    CachedCase,
    Reuse,
    ReuseOutcome,
    case_horizon,
    handed_out,
    same_conclusion,
    slim_row,
)
from app.sync.rows import SheetRow

__all__ = ["plan_marks", "plan_or_reuse", "settle", "take_cached"]

Marks = tuple[int, int, int, int, int]


def plan_marks(plan: CasesPlan) -> Marks:
    """How much the plan holds of each kind of output; equal marks before and after a case
    mean its planning was quiet."""
    return (
        len(plan.updates),
        len(plan.id_fills),
        len(plan.events),
        len(plan.snapshots),
        len(plan.notices),
    )


def take_cached(plan: CasesPlan, outcome: ReuseOutcome, cached: CachedCase) -> None:
    """A case whose cached planning stands: its result, as it was (same row, same cells)."""
    plan.results.append(cached.result)
    plan.errors += cached.result.errors
    plan.warnings += cached.result.warnings
    outcome.cached[cached.row.digest] = cached
    outcome.reused += 1


def plan_or_reuse(
    plan: CasesPlan,
    inp: CasesInput,
    reuse: Reuse,
    outcome: ReuseOutcome,
    case: CaseRow,
    now_wall: datetime | None,
    before: Marks,
) -> None:
    """Plan one case the cache does not give (or every case, in a full recalculation), and
    cache its planning when it was quiet. `before`: the plan's marks before this row was looked
    at (its Opened may have been filled since)."""
    plan_case(plan, inp, case, now_wall)
    result = plan.results[-1]
    quiet = plan_marks(plan) == before
    cached = reuse.hits.get(case.row.row)
    if cached is not None and (not quiet or not same_conclusion(cached.result, result)):
        outcome.mismatches.append(case.case_id)
    if not quiet or not case.row.digest:
        return
    events = inp.events.get(case.case_id, ())
    horizon = case_horizon(reuse.basis, inp.tz, case.row, case.snapshot, events, result)
    if horizon > inp.now:
        marks = reuse.marks.key(case.case_id)
        outcome.cached[case.row.digest] = CachedCase(case.row, marks, inp.now, horizon, result)


def settle(outcome: ReuseOutcome, reuse: Reuse, rows: Iterable[SheetRow]) -> None:
    """Slim the plannings of `rows` this sync cached, once their chunk is planned and its KPIs
    measured: the entry keeps its row as the cache does (`slim_row`), and the sheet's row then
    reads its values but the kept ones by parsing its cells again, like a row handed out from
    the cache. So the rows' parsed values are let go chunk by chunk rather than at the end of
    the sync, and the space is taken again by the next chunks, the cache's entries among them
    (50,000 cases planned again: the sync's peak 344 -> 334 MB, what it leaves 315 -> 302)."""
    parse_again = reuse.parse_again
    if parse_again is None:
        return
    cached = outcome.cached
    for row in rows:
        entry = cached.get(row.digest) if row.digest else None
        if entry is None or entry.row is not row:  # not cached, or taken from the cache
            continue
        entry.row = slim_row(row, outcome.packer)
        row.values = handed_out(entry, row.raw, parse_again).values
