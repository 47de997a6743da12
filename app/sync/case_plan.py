"""The planning of one case row: its evaluation, triage and automation, the service cells they
give, its Timeline events and the snapshot kept for the next sync. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from app.automation.triage import Triage, triage
from app.automation.workflow import (
    CaseAutomation,
    CaseInput,
    CaseState,
    StatusChange,
    automate_case,
)
from app.notify.reach import channel_note, delivery_note_key
from app.notify.settings import NotifySettings
from app.sheets.backend import CellValue
from app.store import CaseSnapshot, TimelineEvent
from app.sync import history as hist
from app.sync.derive import (
    case_facts,
    error_values,
    partial_values,
    service_values,
    validation_text,
    wall_clock,
)
from app.sync.due import ask_record, standing_ask, steady_due
from app.sync.events import observed_events
from app.sync.hand_edits import hand_edit_lines, written_values
from app.sync.plan_types import CaseResult, CasesInput, CasesPlan
from app.sync.row_cells import fill_blank, plan_row_values
from app.sync.rows import CellIssue, SheetRow
from policies import CaseFacts, Evaluation, Finding, Severity, evaluate
from policies.sharing import shared
from policies.sla import describe_state
from sheet_schema.column_names import column_name
from sheet_schema.messages import text

SNAPSHOT_KEYS = ("status", "evidence", "original_packaging", "video_proof", "platform_response")


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One addressable case row as the planner sees it."""

    row: SheetRow
    case_id: str
    snapshot: CaseSnapshot | None  # what the last sync recorded of it (None: a new case)
    opened: datetime | None

    @property
    def recorded(self) -> Mapping[str, CellValue] | None:
        return self.snapshot.values if self.snapshot else None


@dataclass(slots=True)
class _ServiceCells:
    """What the service writes into one case's row, and what it found on the way."""

    values: dict[str, CellValue]
    findings: list[Finding]
    events: list[TimelineEvent]
    tri: Triage | None = None
    auto: CaseAutomation | None = None
    next_due: datetime | None = None


def case_opened(
    plan: CasesPlan,
    inp: CasesInput,
    row: SheetRow,
    snapshot: CaseSnapshot | None,
    now_wall: datetime | None,
) -> datetime | None:
    """The case's Opened; a blank one is filled with when the service first saw the case."""
    if opened_to_fill(row):
        first_seen = snapshot.values.get("first_seen") if snapshot else None
        opened_wall = first_seen if isinstance(first_seen, datetime) else now_wall
        fill_blank(plan, inp.headers, row, "opened", opened_wall)
        assert opened_wall is not None
        row.values["opened"] = opened_wall.replace(tzinfo=inp.tz)
    opened = row.values.get("opened")
    return opened if isinstance(opened, datetime) else None


def opened_to_fill(row: SheetRow) -> bool:
    """A case's Opened is blank (not a time, and not a value that could not be read): the
    service fills it with when it first saw the case."""
    return not isinstance(row.values.get("opened"), datetime) and not row.has_issue("opened")


def fills_wanted(rows: Sequence[SheetRow]) -> bool:
    """Whether planning `rows` may fill a blank Case ID or Opened (as `plan_cases` and
    `case_opened` do). It errs towards yes: a row whose Case ID cannot be read is filled
    nothing at all, but its blank Opened still counts."""
    for row in rows:
        if not row.values:
            continue
        if row.text("case_id") is None and not row.has_issue("case_id"):
            return True
        if opened_to_fill(row):
            return True
    return False


def plan_duplicate_id(plan: CasesPlan, inp: CasesInput, row: SheetRow, case_id: str) -> None:
    """A Case ID on more than one row: each such row says where the others are."""
    others = [r.row for r in inp.rows if r.text("case_id") == case_id and r is not row]
    rows = ", ".join(map(str, others))
    extra = [text("case.duplicate_id", inp.language, case_id=case_id, rows=rows)]
    said = validation_text(row, (), inp.headers, extra, inp.language)
    plan_row_values(plan, inp, row, error_values(None, inp.language), said)
    plan.errors += 1
    plan.results.append(CaseResult(case_id, row.row, None, None, None, extra[0], 1, 0))


def plan_case(plan: CasesPlan, inp: CasesInput, case: CaseRow, now_wall: datetime | None) -> None:
    """Evaluate one case and plan its row's cells, Timeline events and snapshot."""
    row, case_id = case.row, case.case_id
    new_events = observed_events(case_id, row, case.snapshot, inp.now, inp.team)
    history = hist.derive_history(
        [*inp.events.get(case_id, ()), *new_events],
        inp.team.paused_statuses,
        inp.team.closed_statuses,
    )
    facts = case_facts(case_id, row, case.opened, history, inp.now, inp.ctx)
    ev = evaluate(facts, inp.policies, inp.calendars, inp.now, inp.team)
    errors = sum(1 for i in row.issues if i.severity == "error") + len(ev.errors)
    standing = standing_ask(case.recorded, ev, inp.tz)
    cells = _service_cells(plan, inp, case, facts, ev, errors, standing, new_events)
    said = validation_text(row, cells.findings, inp.headers, language=inp.language)
    warnings = said.count("⚠")
    edited = hand_edit_lines(
        row, case_id, case.recorded, cells.values, inp.headers, inp.ctx, inp.language
    )
    if edited:  # said once: the next sync finds the cell as the service wrote it
        clean = said == text("case.validation_ok", inp.language)
        said = "\n".join(edited if clean else [said, *edited])
    plan_row_values(plan, inp, row, cells.values, said)
    plan.events.extend(cells.events)
    if case.snapshot is None:
        plan.new_cases += 1
    _record_snapshot(plan, case, cells, ev, standing, now_wall)
    plan.errors += errors
    plan.warnings += warnings
    tri, auto = cells.tri, cells.auto
    # One object for equal texts and instants (the cache keeps the results between syncs;
    # policies/sharing.py): most cases share their next action, priority and validation.
    pool = inp.calendars.pool
    plan.results.append(
        CaseResult(
            case_id=case_id,
            row=row.row,
            evaluation=ev,
            next_action=shared(pool, tri.next_action) if tri else None,
            priority=shared(pool, auto.priority if auto else (tri.priority if tri else None)),
            validation=shared(pool, said),
            errors=errors,
            warnings=warnings,
            next_due=shared(pool, cells.next_due),
            suggested_reply=auto.suggested_reply if auto else None,
            seller_message=auto.seller_message if auto else None,
            priority_rule=shared(pool, auto.priority_rule) if auto else None,
        )
    )


def _service_cells(
    plan: CasesPlan,
    inp: CasesInput,
    case: CaseRow,
    facts: CaseFacts,
    ev: Evaluation,
    errors: int,
    standing: datetime | None,
    new_events: list[TimelineEvent],
) -> _ServiceCells:
    """The service columns of a case: with errors, what does not depend on the bad cells; else
    triage, deadlines and SLA, and (with automation) priority rules, replies and notices."""
    if errors:
        return _ServiceCells(
            partial_values(ev, case.case_id, inp.tz, inp.language), list(ev.findings), new_events
        )
    override = case.row.text("priority_override")
    tri = triage(facts, ev, inp.now, override, standing, inp.language)
    cells = _ServiceCells(
        service_values(ev, tri, case.case_id, inp.tz), list(ev.findings), new_events, tri
    )
    cells.next_due = steady_due(tri, ev)
    cells.values["next_due"] = wall_clock(cells.next_due, inp.tz)
    cells.values["sla_state"] = describe_state(ev.sla, ev.sla_state, inp.now, inp.tz, inp.language)
    if inp.automation is not None:
        auto = _automate(inp, facts, ev, case.row, new_events, tri.next_action)
        if inp.notify is not None:
            auto = say_where_notices_went(auto, inp.notify, inp.language)
        cells.auto = auto
        cells.values.update(auto.values())
        cells.findings += auto.findings
        cells.events = [*new_events, *auto.events]
        plan.notices.extend(auto.notices)
    return cells


def _record_snapshot(
    plan: CasesPlan,
    case: CaseRow,
    cells: _ServiceCells,
    ev: Evaluation,
    standing: datetime | None,
    now_wall: datetime | None,
) -> None:
    """Record what the service now knows of the case, when it changed since the last sync."""
    current = {
        **_snapshot_values(case.row, case.snapshot, now_wall),
        **written_values(cells.values),
    }
    current.update(ask_record(cells.tri, ev, standing, case.recorded, now_wall))
    if case.snapshot is None or case.snapshot.values != current:
        seq = case.snapshot.seq if case.snapshot else 0
        plan.snapshots.append(CaseSnapshot(case_id=case.case_id, values=current, seq=seq))


def plan_unaddressable(plan: CasesPlan, inp: CasesInput, row: SheetRow) -> None:
    """A row without a usable Case ID and none to fill in: its Validation says why, nothing
    else is computed (a case is known by its id)."""
    said = validation_text(row, (), inp.headers, language=inp.language)
    plan_row_values(plan, inp, row, error_values(None, inp.language), said)
    plan.errors += sum(1 for i in row.issues if i.severity == "error")


def _automate(
    inp: CasesInput,
    facts: CaseFacts,
    ev: Evaluation,
    row: SheetRow,
    new_events: list[TimelineEvent],
    next_action: str,
) -> CaseAutomation:
    """Priority from rules, replies, reminders and escalation for one usable case."""
    assert inp.automation is not None
    history = [*inp.events.get(facts.case_id, ()), *new_events]
    change = next(
        (
            StatusChange(e.event_key, _str(e.data.get("from")), _str(e.data.get("to")))
            for e in new_events
            if e.kind in (hist.STATUS_CHANGED, hist.REOPENED)
        ),
        None,
    )
    return automate_case(
        inp.automation,
        CaseInput(
            facts,
            ev,
            inp.now,
            row.values,
            CaseState.from_events(history),
            status_change=change,
            platform_name=inp.policies.display_name(ev.platform) if ev.platform else None,
            next_action=next_action,
            findings=[*ev.findings, *_cell_findings(row)],
            team_language=inp.language,
        ),
    )


def _cell_findings(row: SheetRow) -> list[Finding]:
    """Unreadable cells as findings, so a reply built from one is held like any other."""
    return [
        Finding(
            code="cell.unreadable",
            severity=Severity(issue.severity),
            message=issue.describe("en"),
            message_zh=issue.describe("zh"),
            column=issue.column,
            inputs=(issue.column,),
            fix=text("case.unreadable_fix", "en", header=_column(issue, "en")),
            fix_zh=text("case.unreadable_fix", "zh", header=_column(issue, "zh")),
        )
        for issue in row.issues
    ]


def _column(issue: CellIssue, language: str) -> str:
    return column_name(issue.spec, language) if issue.spec is not None else issue.header


def say_where_notices_went(
    auto: CaseAutomation, settings: NotifySettings, language: str = "en"
) -> CaseAutomation:
    """Timeline events announcing a notice, and the Escalation cell, say when it is not sent
    (in the team's language)."""
    escalation = auto.escalation
    unsent = channel_note(settings, language) if escalation else None
    if not auto.notices and not unsent:  # most cases: nothing to say, the automation as it is
        return auto
    notes = {n.key: delivery_note_key(n, settings) for n in auto.notices}
    events = tuple(
        replace(
            e,
            detail=f"{e.detail.removesuffix(' queued')} — {text(note, language)}",
            data={**e.data, "not_sent": note},  # the Timeline says it in the team's language
        )
        if (note := notes.get(e.event_key))
        else e
        for e in auto.events
    )
    if escalation and unsent:
        escalation = f"{escalation} — {unsent}"
    return replace(auto, events=events, escalation=escalation)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _snapshot_values(
    row: SheetRow, snapshot: CaseSnapshot | None, now_wall: datetime | None
) -> dict[str, CellValue]:
    values: dict[str, CellValue] = {k: row.values.get(k) for k in SNAPSHOT_KEYS}
    for key in SNAPSHOT_KEYS:
        if snapshot is not None and row.has_issue(key):
            values[key] = snapshot.values.get(key)  # an unreadable cell keeps what we knew
    values["platform_response"] = bool(row.values.get("platform_response"))
    first_seen = snapshot.values.get("first_seen") if snapshot else None
    values["first_seen"] = first_seen if first_seen is not None else now_wall
    return values
