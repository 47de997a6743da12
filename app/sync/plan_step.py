"""The planning step: the sheet as read and the sync's settings handed to the pure planner, with
incremental evaluation (reuse of quiet plannings, app/sync/reuse.py) when it is on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import partial

from app.automation.workflow import Automation
from app.notify.settings import NotifySettings
from app.store import CaseSnapshot, TimelineEvent
from app.sync.plan_types import CasesInput, CasesPlan
from app.sync.planner import plan_cases
from app.sync.progress import CASES_PER_REPORT, EVALUATE, ProgressReporter
from app.sync.read_step import SheetRead
from app.sync.reuse import Reuse
from policies import Calendars, PolicySet, TeamSettings

__all__ = ["PlanContext", "plan_sheet"]


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What the planner judges the rows by, besides the rows. With incremental evaluation the
    snapshots and events are those of the cases it plans (a reused case needs neither)."""

    now: datetime
    tz: tzinfo
    team: TeamSettings
    policies: PolicySet
    calendars: Calendars
    automation: Automation
    notify: NotifySettings | None
    events_by_case: Mapping[str, Sequence[TimelineEvent]]
    snapshots: Mapping[str, CaseSnapshot]
    known_ids: frozenset[str]  # every case id the store has a snapshot of


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
            snapshots=context.snapshots,
            events=context.events_by_case,
            known_ids=context.known_ids,
            automation=context.automation,
            notify=context.notify,
            language=sheet.language.language,
            reuse=reuse,
        ),
        partial(progress.step, EVALUATE),
        CASES_PER_REPORT,
    )
