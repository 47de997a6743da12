"""The planning step: the sheet as read and the sync's settings handed to the pure planner, with
incremental evaluation (reuse of quiet plannings, app/sync/reuse.py) when it is on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import partial

from app.automation.workflow import Automation
from app.notify.settings import NotifySettings
from app.sync.plan_types import CaseMemorySource, CasesInput, CasesPlan, ChunkPlanned
from app.sync.planner import plan_cases
from app.sync.progress import CASES_PER_REPORT, EVALUATE, ProgressReporter
from app.sync.read_step import SheetRead
from app.sync.reuse import Reuse
from policies import Calendars, PolicySet, TeamSettings

__all__ = ["PlanContext", "plan_sheet"]


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What the planner judges the rows by, besides the rows. The stored snapshots and events
    are loaded for the cases it plans, a chunk of rows at a time (a reused case needs neither)."""

    now: datetime
    tz: tzinfo
    team: TeamSettings
    policies: PolicySet
    calendars: Calendars
    automation: Automation
    notify: NotifySettings | None
    memory: CaseMemorySource  # the stored snapshots and events, loaded a chunk at a time
    known_ids: frozenset[str]  # every case id the store has a snapshot of
    chunk: int = 1_000  # rows whose cases' memory is loaded at once
    chunk_planned: ChunkPlanned | None = None  # told as each chunk of rows is planned


def plan_sheet(
    sheet: SheetRead,
    context: PlanContext,
    reuse: Reuse | None,
    progress: ProgressReporter,
) -> CasesPlan:
    """The pure planner's verdict on every case row (taking the cached plannings `reuse`
    names, app/sync/reuse.py)."""
    return plan_cases(
        CasesInput(
            headers=sheet.placed["cases"].headers,
            rows=sheet.rows["cases"],
            now=context.now,
            tz=context.tz,
            ctx=sheet.ctx,
            policies=context.policies,
            calendars=context.calendars,
            team=context.team,
            memory=context.memory,
            chunk=context.chunk,
            chunk_planned=context.chunk_planned,
            known_ids=context.known_ids,
            automation=context.automation,
            notify=context.notify,
            language=sheet.language.language,
            reuse=reuse,
        ),
        partial(progress.step, EVALUATE),
        CASES_PER_REPORT,
    )
