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
from app.sync.reuse import RESULTS
from app.sync.reuse_context import build_reuse, keep_reuse
from policies import Calendars, PolicySet, TeamSettings

__all__ = ["Incremental", "PlanContext", "plan_sheet"]


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What the planner judges the rows by, besides the rows."""

    now: datetime
    tz: tzinfo
    team: TeamSettings
    policies: PolicySet
    calendars: Calendars
    automation: Automation
    notify: NotifySettings | None
    events_by_case: Mapping[str, Sequence[TimelineEvent]]
    snapshots: Mapping[str, CaseSnapshot]


@dataclass(frozen=True, slots=True)
class Incremental:
    """Incremental evaluation of one sheet: its cache key, the KPIs tab's possible titles (left
    out of the fingerprints), and whether this sync is a full recalculation (it audits)."""

    sheet_key: str
    kpis_titles: Sequence[str]
    full: bool = False


def plan_sheet(
    sheet: SheetRead,
    context: PlanContext,
    incremental: Incremental | None,
    progress: ProgressReporter,
) -> CasesPlan:
    """The pure planner's verdict on every case row (reusing quiet plannings when it may)."""
    language = sheet.language.language
    reuse = None
    if incremental is not None:
        reuse = build_reuse(
            sheet,
            incremental.kpis_titles,
            now=context.now,
            tz=context.tz,
            policies=context.policies,
            team=context.team,
            automation=context.automation,
            notify=context.notify,
            language=language,
            cached=RESULTS.get(incremental.sheet_key),
            check=incremental.full,
        )
    plan = plan_cases(
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
            known_ids=frozenset(context.snapshots),
            automation=context.automation,
            notify=context.notify,
            language=language,
            reuse=reuse,
        ),
        partial(progress.step, EVALUATE),
        CASES_PER_REPORT,
    )
    if plan.reuse is not None and incremental is not None:
        keep_reuse(incremental.sheet_key, plan.reuse)
    return plan
