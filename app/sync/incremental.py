"""The planner's incremental step for one case: reuse the cached planning when the case's
fingerprint matches and its horizon has not passed, else plan it and cache the result when the
planning was quiet (app/sync/reuse.py says why that is enough). Pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from app.sync.case_plan import CaseRow, plan_case
from app.sync.fingerprint import case_fingerprint
from app.sync.plan_types import CasesInput, CasesPlan
from app.sync.reuse import CachedCase, Reuse, ReuseOutcome, case_horizon, same_conclusion

__all__ = ["plan_marks", "plan_or_reuse"]

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


def plan_or_reuse(
    plan: CasesPlan,
    inp: CasesInput,
    reuse: Reuse,
    outcome: ReuseOutcome,
    case: CaseRow,
    now_wall: datetime | None,
    before: Marks,
) -> None:
    """Plan one case, or take its cached planning (see the module doc). `before`: the plan's
    marks before this row was looked at (its Opened may have been filled since)."""
    events = inp.events.get(case.case_id, ())
    fingerprint = case_fingerprint(reuse.context, case.row, case.snapshot, events)
    cached = reuse.cached.get(case.case_id)
    hit = (
        cached is not None
        and cached.fingerprint == fingerprint
        and cached.holds_at(inp.now)
        and plan_marks(plan) == before
    )
    if hit and not reuse.check:
        assert cached is not None
        plan.results.append(replace(cached.result, row=case.row.row))
        plan.errors += cached.result.errors
        plan.warnings += cached.result.warnings
        outcome.cached[case.case_id] = cached
        outcome.reused += 1
        return
    plan_case(plan, inp, case, now_wall)
    result = plan.results[-1]
    quiet = plan_marks(plan) == before
    if hit:
        assert cached is not None
        if not quiet or not same_conclusion(cached.result, result):
            outcome.mismatches.append(case.case_id)
    if quiet:
        horizon = case_horizon(reuse.basis, inp.tz, case.row, case.snapshot, events, result)
        if horizon > inp.now:
            outcome.cached[case.case_id] = CachedCase(fingerprint, inp.now, horizon, result)
